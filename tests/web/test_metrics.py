"""Prometheus metrics, computed from the database at scrape time."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from app.extensions import db
from app.models import AccessRequest, Recording, RecordingStatus, RequestStatus
from recordings.subject_access import london_today

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


def test_ingest_retention_and_access_request_figures(client, app, clock):
    now = clock["now"]
    today = london_today(now)
    with db.transaction() as session:
        session.add_all(
            [
                Recording(  # ended 8 minutes ago, stored 3 minutes later; 2 days overdue
                    recording_sid="RE" + "1" * 32,
                    call_sid="CA" + "1" * 32,
                    status=RecordingStatus.STORED,
                    started_at=now - timedelta(minutes=10),
                    duration_seconds=120,
                    stored_at=now - timedelta(minutes=5),
                    delete_after=now - timedelta(days=2),
                    storage_key="recordings/2026/11/RE1.enc",
                ),
                Recording(  # still failing
                    recording_sid="RE" + "2" * 32,
                    call_sid="CA" + "2" * 32,
                    status=RecordingStatus.PENDING,
                    ingest_attempts=3,
                ),
                *(
                    AccessRequest(
                        requester_name="A Requester",
                        requester_relationship="data_subject",
                        phone_numbers=["+447700900123"],
                        received_on=today - timedelta(days=40),
                        due_on=due_on,
                        status=status,
                        created_by="officer@example.org",
                    )
                    for due_on, status in [
                        (today - timedelta(days=1), RequestStatus.OPEN),  # overdue
                        (today + timedelta(days=3), RequestStatus.OPEN),  # due soon
                        (today + timedelta(days=20), RequestStatus.OPEN),  # neither
                        (today - timedelta(days=1), RequestStatus.CLOSED),  # done
                        (None, RequestStatus.OPEN),  # identity not yet verified
                    ]
                ),
            ]
        )

    figures = scrape(client)

    assert figures[("contact_ingest_delay_seconds_last_24h", (("stat", "max"),))] == 180
    assert figures[("contact_ingest_failed_attempts_last_24h", ())] == 3
    assert figures[("contact_retention_recordings", (("state", "stored"),))] == 1
    assert figures[("contact_retention_recordings", (("state", "overdue"),))] == 1
    assert figures[("contact_access_requests_open", (("flag", "overdue"),))] == 1
    assert figures[("contact_access_requests_open", (("flag", "due_soon"),))] == 1
