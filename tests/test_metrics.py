"""Prometheus metrics, computed from the database at scrape time."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

SID = "CA" + "9" * 32


def scrape(client) -> dict[tuple[str, tuple], float]:  # noqa: ANN001
    reply = client.get("/metrics")
    assert reply.status_code == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(reply.get_data(as_text=True))
        for s in family.samples
    }


def test_calls_by_outcome_and_recordings_by_status(client, twilio_post):
    twilio_post("/twilio/voice", CallSid=SID, From="+447700900123")
    twilio_post("/twilio/call-status", CallSid=SID, CallStatus="busy")
    figures = scrape(client)
    assert figures[("contact_calls_last_24h", (("outcome", "failed"),))] == 1
    assert figures[("contact_recordings", (("status", "stored"),))] == 0
    assert figures[("contact_ingest_retrying", ())] == 0
