"""GET /api/recordings/{sid}[/audio], /api/alerts and /api/audit: roles, reasons, audit, alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.models import AuditEntry, PrivacyAlert, Recording
from tests.conftest import IN_HOURS, pcm_wav
from tests.support.rows import count, one, rows
from workers.ingest import ingest_recording

REASON = "complaint ref C-1234"


@pytest.fixture
def stored(runtime, announce_recording):  # noqa: ANN001, ANN201
    """A recording stored by the ingest job; returns (sid, audio)."""
    audio = pcm_wav(1.0)
    sid = announce_recording(audio)
    assert ingest_recording(one(Recording).id) == "stored"
    return sid, audio


def test_recording_state_for_a_records_officer(client, stored, staff_headers):
    sid, _ = stored
    reply = client.get(f"/api/recordings/{sid}", headers=staff_headers("records_officer"))
    assert reply.status_code == 200
    body = reply.json
    assert (body["status"], body["duration_seconds"], body["channels"], body["holds"]) == (
        "stored",
        2,
        2,
        [],
    )
    assert body["started_at"] == "2026-11-23T10:00:00+00:00"
    assert body["delete_after"] == "2027-05-23T09:00:00+00:00"  # 10:00 London (BST)
    assert "wrapped_key" not in body and "storage_key" not in body


@pytest.mark.parametrize("path", ["", "/audio?reason=complaint+ref+C-1"])
def test_advisors_may_not_read_recordings(client, stored, staff_headers, path):
    reply = client.get(f"/api/recordings/{stored[0]}{path}", headers=staff_headers("advisor"))
    assert reply.status_code == 403 and reply.json["error"]["code"] == "forbidden"


def test_no_token_is_401(client, stored):
    assert client.get(f"/api/recordings/{stored[0]}").status_code == 401


@pytest.mark.parametrize("sid", ["RE" + "0" * 32, "nonsense"])
def test_unknown_recording_is_404(client, runtime, staff_headers, sid):
    reply = client.get(
        f"/api/recordings/{sid}/audio?reason={REASON}", headers=staff_headers("supervisor")
    )
    assert reply.status_code == 404


@pytest.mark.parametrize(
    "query", ["", "?reason=", "?reason=why", "?reason=+++++++", "?reason=a+b+c", "?reason=abcd%00"]
)
def test_audio_needs_a_reason(client, stored, staff_headers, query):
    reply = client.get(
        f"/api/recordings/{stored[0]}/audio{query}", headers=staff_headers("supervisor")
    )
    assert reply.status_code == 422 and reply.json["error"]["code"] == "reason_required"
    assert count(AuditEntry, AuditEntry.action == "recording.access") == 0


def test_pending_recording_is_409(client, runtime, announce_recording, staff_headers):
    sid = announce_recording()
    reply = client.get(
        f"/api/recordings/{sid}/audio?reason={REASON}", headers=staff_headers("supervisor")
    )
    assert reply.status_code == 409


def test_access_is_audited_with_its_reason(client, stored, staff_headers):
    sid, audio = stored
    reply = client.get(
        f"/api/recordings/{sid}/audio?reason={REASON}", headers=staff_headers("supervisor")
    )
    assert reply.get_data() == audio
    (entry,) = rows(AuditEntry, AuditEntry.action == "recording.access")
    assert (entry.subject_id, entry.reason) == (sid, REASON)
    assert entry.actor.startswith("supervisor-")
    assert count(PrivacyAlert) == 0


def test_old_recording_raises_a_privacy_alert_seen_by_records_officers(
    client, stored, staff_headers, clock
):
    sid, _ = stored
    clock["now"] = IN_HOURS + timedelta(days=31)
    client.get(f"/api/recordings/{sid}/audio?reason={REASON}", headers=staff_headers("supervisor"))
    alert = one(PrivacyAlert)
    assert alert.rule == "recording-older-than-30-days" and alert.reason == REASON
    officer = staff_headers("records_officer")
    listed = client.get("/api/alerts", headers=officer).json["alerts"]
    assert [(a["recording_sid"], a["rule"]) for a in listed] == [(sid, alert.rule)]
    assert client.get("/api/alerts", headers=staff_headers("supervisor")).status_code == 403
    audit = client.get("/api/audit?action=privacy.alert", headers=officer).json["entries"]
    assert [e["subject_id"] for e in audit] == [sid]


def test_audit_log_pages_newest_first(client, stored, staff_headers):
    sid, _ = stored
    for _ in range(3):
        client.get(
            f"/api/recordings/{sid}/audio?reason={REASON}", headers=staff_headers("supervisor")
        )
    officer = staff_headers("records_officer")
    first = client.get(f"/api/audit?subject_id={sid}&limit=2", headers=officer).json
    assert [e["action"] for e in first["entries"]] == ["recording.access"] * 2
    rest = client.get(
        f"/api/audit?subject_id={sid}&limit=2&before_seq={first['next_before_seq']}",
        headers=officer,
    ).json
    assert [e["action"] for e in rest["entries"]] == ["recording.access", "recording.store"]
    assert client.get("/api/audit?limit=0", headers=officer).status_code == 422


def test_recording_shows_the_holds_covering_it(client, stored, staff_headers):
    sid, _ = stored
    headers = staff_headers("records_officer")
    call_sid = client.get(f"/api/recordings/{sid}", headers=headers).json["call_sid"]
    placed = client.post(
        "/api/holds",
        headers=headers,
        json={"call_sid": call_sid, "reason": "complaint about the call", "reference": "C-77"},
    )
    assert placed.status_code == 201, placed.json
    holds = client.get(f"/api/recordings/{sid}", headers=headers).json["holds"]
    assert [(h["reference"], h["call_sid"], h["active"]) for h in holds] == [
        ("C-77", call_sid, True)
    ]
