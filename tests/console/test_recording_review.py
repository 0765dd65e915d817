"""Reviewing a matched recording: reason first, audited audio, redactions saved (SPEC §14)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.models import AccessRequestRecording, AuditEntry, Role
from tests.access.support import call_audio, register_request, store_recording
from tests.console.workbench_support import csrf_token, sign_in
from tests.support.rows import one, rows
from tests.support.runtime import job_runtime
from tests.support.staff import staff_headers

E164 = "+447700900123"


@pytest.fixture
def review(officer, app):  # noqa: ANN001, ANN201
    with job_runtime(app) as runtime:
        _, sid = store_recording(
            runtime, number=E164, started_at=datetime(2026, 11, 2, 10, tzinfo=UTC), seconds=6
        )
        rid = register_request(officer, staff_headers(Role.RECORDS_OFFICER), E164)["id"]
        yield f"/console/requests/{rid}/recordings/{sid}", sid


def test_the_audio_is_refused_without_a_reason(officer, review):
    _, sid = review
    assert officer.get(f"/console/recordings/{sid}/audio").status_code == 422
    assert officer.get(f"/console/requests/1/recordings/{sid}?reason=+").status_code == 400


def test_the_page_asks_for_a_reason_first(officer, review):
    path, _ = review
    page = officer.get(path).get_data(as_text=True)
    assert "Why do you need to listen" in page and 'id="waveform"' not in page
    page = officer.get(f"{path}?reason=SAR+review").get_data(as_text=True)
    assert 'id="waveform"' in page and "reason=SAR+review" in page


def test_the_audio_is_audited_with_the_reason(officer, review):
    _, sid = review
    reply = officer.get(f"/console/recordings/{sid}/audio?reason=SAR+review")
    assert reply.status_code == 200 and reply.data[:4] == b"RIFF"
    entries = [(e.action, e.reason, e.actor) for e in rows(AuditEntry)][-2:]
    who = "dpo@sthelens.gov.uk"
    # the call ended over 14 days ago: a privacy alert too, as through the API
    assert entries == [
        ("recording.access", "SAR review", who),
        ("privacy.alert", "SAR review", who),
    ]


def test_the_waveform_outline_needs_a_reason_and_is_audited(officer, review):
    path, sid = review
    page = officer.get(f"{path}?reason=SAR+review").get_data(as_text=True)
    assert f"/console/recordings/{sid}/peaks?reason=SAR+review" in page
    assert officer.get(f"/console/recordings/{sid}/peaks").status_code == 422
    before = len(rows(AuditEntry))

    reply = officer.get(f"/console/recordings/{sid}/peaks?reason=SAR+review")
    assert reply.status_code == 200 and reply.headers["Cache-Control"] == "no-store"
    assert reply.json["duration"] == 6.0
    caller, advisor = reply.json["peaks"]
    assert len(caller) == len(advisor) == 2400
    assert min(caller + advisor) == pytest.approx(0.5, abs=0.02)  # -6 dBFS tones throughout
    entries = [(e.action, e.reason) for e in rows(AuditEntry)][before:]
    assert entries == [("recording.access", "SAR review"), ("privacy.alert", "SAR review")]


def test_audio_it_cannot_outline_is_415_and_not_audited(officer, app):
    mu_law = bytearray(call_audio(1))
    mu_law[20:22] = (7).to_bytes(2, "little")  # WAVE_FORMAT_MULAW: wavesurfer decodes it
    with job_runtime(app) as runtime:
        _, sid = store_recording(
            runtime, number=E164, started_at=datetime(2026, 11, 2, tzinfo=UTC), wav=mu_law
        )
    before = len(rows(AuditEntry))
    assert officer.get(f"/console/recordings/{sid}/peaks?reason=SAR+review").status_code == 415
    assert len(rows(AuditEntry)) == before


def test_a_redaction_is_saved_with_its_reason(officer, review):
    path, _ = review
    token = csrf_token(officer, f"{path}?reason=x")
    fields = {"csrf_token": token, "start": "1.5", "end": "3", "reason": "neighbour's name"}
    page = officer.post(f"{path}/redactions", data=fields, follow_redirects=True)
    assert "1.50–3.00 s will be silenced" in page.get_data(as_text=True)

    assert one(AccessRequestRecording).redactions == [
        {"start": 1.5, "end": 3.0, "reason": "neighbour's name"}
    ]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"start": "5", "end": "9", "reason": "x"}, "RE"),
        ({"start": "a", "end": "2", "reason": "x"}, "Give the start and end"),
        ({"start": "1", "end": "2", "reason": " "}, "&#39;reason&#39;:"),
    ],
)
def test_bad_redactions_say_why(officer, review, fields, message):
    path, _ = review
    token = csrf_token(officer, f"{path}?reason=x")
    data = {"csrf_token": token, "access_reason": "x", **fields}
    page = officer.post(f"{path}/redactions", data=data, follow_redirects=True)
    assert message in page.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.ADMIN])
def test_other_roles_cannot_listen(client, clock, review, role):
    _, sid = review
    sign_in(client, role, clock["now"])
    assert client.get(f"/console/recordings/{sid}/audio?reason=x").status_code == 403
    assert client.get(f"/console/recordings/{sid}/peaks?reason=x").status_code == 403
