"""Calls for staff: search and detail, opt-out stopping the live recording, transfers."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from app.extensions import db
from app.models import AuditEntry, Call, CallLeg, Recording, Staff
from tests.conftest import ACCOUNT_SID, IN_HOURS, PUBLIC_BASE_URL
from tests.routing.support import (
    add_staff,
    add_waiting_call,
    bearer,
    caller_on_call_with_amy,
)
from tests.support.rows import one, rows
from tests.support.sids import numbered_sid as sid
from tests.support.twiml import parse, verbs

CALLER = sid(1)
RECORD_ATTRS = {"record", "recordingStatusCallback", "recordingStatusCallbackEvent"}


@pytest.fixture
def settings(settings, app_twilio):  # noqa: ANN001, ANN201
    """The app's REST client points at the fake Twilio API."""
    return replace(settings, twilio_api_base_url=app_twilio.base_url)


@pytest.fixture
def on_call(twilio_post, app_twilio):  # noqa: ANN001, ANN201
    """Caller 1 talking to amy (leg answered); returns amy's id."""
    return caller_on_call_with_amy(twilio_post, app_twilio)


@pytest.fixture
def supervisor(app):  # noqa: ANN001, ANN201
    return bearer(add_staff("sue@x.gov.uk", role="supervisor", skills=(), endpoint=None))


def stop_requests(app_twilio):  # noqa: ANN001, ANN201
    return app_twilio.find_requests("POST", rf"/Calls/{CALLER}/Recordings/Twilio\.CURRENT\.json$")


def test_opt_out_by_the_advisor_stops_the_live_recording(client, app_twilio, on_call):
    recording = app_twilio.add_recording(call_sid=CALLER, status="in-progress")
    reply = client.post(f"/api/calls/{CALLER}/opt-out", headers=bearer(on_call))
    assert reply.status_code == 200 and reply.json["live_recording"] == "stopped"
    (stop,) = stop_requests(app_twilio)
    assert stop.form == {"Status": "stopped"}
    assert app_twilio.recordings[recording].status == "stopped"
    call = one(Call)
    assert (call.recording_opted_out, call.opt_out_source) == (True, "advisor")
    (entry,) = rows(AuditEntry, AuditEntry.action == "recording.opt_out")
    assert entry.actor == "amy@x.gov.uk"


def test_opt_out_without_a_live_recording_is_fine(client, app_twilio, on_call, supervisor):
    reply = client.post(f"/api/calls/{CALLER}/opt-out", headers=supervisor)
    assert reply.status_code == 200 and reply.json["live_recording"] == "none"


def test_opt_out_when_twilio_fails_is_recorded_and_502(client, app_twilio, on_call):
    app_twilio.fail_next("POST", r"/Recordings/", status=500)
    reply = client.post(f"/api/calls/{CALLER}/opt-out", headers=bearer(on_call))
    assert reply.status_code == 502 and one(Call).recording_opted_out


def test_only_the_advisor_on_the_call_may_opt_out(client, on_call):
    bob = add_staff("bob@x.gov.uk")
    assert client.post(f"/api/calls/{CALLER}/opt-out", headers=bearer(bob)).status_code == 403


def transfer(client, amy: int, **body: object):  # noqa: ANN001, ANN201
    return client.post(f"/api/calls/{CALLER}/transfer", json=body, headers=bearer(amy))


@pytest.mark.parametrize("opted_out", [False, True])
@pytest.mark.parametrize("records_calls", [True, False])
def test_transfer_leg_is_recorded_only_when_allowed(
    client, twilio_post, app_twilio, on_call, opted_out, records_calls
):
    if opted_out:
        client.post(f"/api/calls/{CALLER}/opt-out", headers=bearer(on_call))
    bob = add_staff("bob@x.gov.uk", records_calls=records_calls, endpoint="client:bob")
    reply = transfer(client, on_call, advisor_id=bob)
    assert reply.status_code == 202
    (redirect,) = app_twilio.find_requests("POST", rf"/Calls/{CALLER}\.json$")
    new_leg = one(CallLeg, CallLeg.kind == "transfer")
    assert redirect.form == {
        "Url": f"{PUBLIC_BASE_URL}/twilio/connect?leg={new_leg.id}",
        "Method": "POST",
    }
    dial = parse(twilio_post(f"/twilio/connect?leg={new_leg.id}", CallSid=CALLER)).find("Dial")
    assert dial.find("Client").text == "bob"
    if records_calls and not opted_out:
        assert dial.get("record") == "record-from-answer-dual"
    else:
        assert RECORD_ATTRS.isdisjoint(dial.attrib)
    assert one(Staff, Staff.id == on_call).status == "wrap_up"
    assert one(CallLeg, CallLeg.kind == "first").result == "transferred"


def test_transfer_to_a_busy_advisor_is_409(client, on_call):
    bob = add_staff("bob@x.gov.uk", status="busy")
    assert transfer(client, on_call, advisor_id=bob).status_code == 409
    assert one(Staff, Staff.id == on_call).status == "busy"


def test_transfer_twilio_refuses_leaves_the_call_as_it_was(client, app_twilio, on_call):
    bob = add_staff("bob@x.gov.uk")
    app_twilio.fail_next("POST", rf"/Calls/{CALLER}\.json$", status=500)
    assert transfer(client, on_call, advisor_id=bob).status_code == 502
    assert one(Staff, Staff.id == bob).status == "available"
    assert one(Staff, Staff.id == on_call).status == "busy"
    assert one(Call).assigned_advisor_id == on_call
    assert one(CallLeg).ended_at is None


def test_transfer_to_a_service_requeues_the_caller(client, twilio_post, app_twilio, on_call):
    assert transfer(client, on_call, service="careline").status_code == 202
    (redirect,) = app_twilio.find_requests("POST", rf"/Calls/{CALLER}\.json$")
    assert redirect.form["Url"] == f"{PUBLIC_BASE_URL}/twilio/transfer/enqueue?service=careline"
    root = parse(twilio_post("/twilio/transfer/enqueue?service=careline", CallSid=CALLER))
    assert verbs(root) == ["Say", "Enqueue"] and root.find("Enqueue").text == "careline"
    call = one(Call)
    assert (call.service_code, call.routing_state, call.queue_priority) == (
        "careline",
        "waiting",
        3,
    )


@pytest.mark.parametrize(
    "body",
    [{}, {"advisor_id": 1, "service": "careline"}, {"service": "juggling"}, {"advisor_id": "1"}],
)
def test_bad_transfer_is_422(client, on_call, body):
    assert transfer(client, on_call, **body).status_code == 422


def test_transfer_to_yourself_is_a_conflict(client, on_call):
    assert transfer(client, on_call, advisor_id=on_call).status_code == 409


@pytest.mark.parametrize("advisor_id", [2**31, 2**63])
def test_transfer_to_an_id_no_column_holds_is_422(client, on_call, advisor_id):
    assert transfer(client, on_call, advisor_id=advisor_id).status_code == 422


def test_transfer_to_unknown_advisor_is_404(client, on_call):
    assert transfer(client, on_call, advisor_id=999).status_code == 404


def test_unknown_call_is_404(client, supervisor):
    assert client.get(f"/api/calls/{sid(77)}", headers=supervisor).status_code == 404
    assert client.post("/api/calls/nonsense/opt-out", headers=supervisor).status_code == 404


def test_call_detail_lists_the_legs(client, on_call, supervisor):
    body = client.get(f"/api/calls/{CALLER}", headers=supervisor).json
    assert body["routing_state"] == "connected" and body["advisor_id"] == on_call
    (leg,) = body["legs"]
    assert (leg["kind"], leg["recorded"], leg["advisor_id"]) == ("first", True, on_call)


def test_call_detail_lists_its_recordings(client, twilio_post, on_call, supervisor):
    recording = sid(60).replace("CA", "RE", 1)
    form = {"RecordingSid": recording, "CallSid": CALLER, "AccountSid": ACCOUNT_SID}
    twilio_post("/twilio/recording-status", RecordingStatus="in-progress", **form)
    twilio_post(
        "/twilio/recording-status",
        RecordingStatus="completed",
        RecordingDuration="42",
        RecordingStartTime="Mon, 23 Nov 2026 10:00:00 +0000",
        **form,
    )
    with db.transaction() as session:
        session.execute(update(Recording).values(delete_after=IN_HOURS + timedelta(days=182)))
    body = client.get(f"/api/calls/{CALLER}", headers=supervisor).json
    assert body["recordings"] == [
        {
            "recording_sid": recording,
            "status": "pending",
            "started_at": "2026-11-23T10:00:00+00:00",
            "duration_seconds": 42,
            "delete_after": (IN_HOURS + timedelta(days=182)).isoformat(),
        }
    ]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("number=07700 900123", 1),
        ("number=%2B447700900999", 0),
        ("since=2026-11-23T09:00:00%2B00:00", 1),
        ("until=2026-11-23T09:00:00Z", 0),
    ],
)
def test_search_calls(client, app, supervisor, query, found):
    add_waiting_call(1, waited=timedelta(minutes=5))
    reply = client.get(f"/api/calls?{query}", headers=supervisor)
    assert reply.status_code == 200 and len(reply.json) == found


@pytest.mark.parametrize(
    "query",
    [
        "number=hello",
        "number=01234",  # a local number without its area code: no caller has it
        "number=call 07700 900123",
        "number=07700 900123%0A",
        "since=yesterday",
        "since=2026-11-23T09:00:00",
        "since=2026-11-23t09:00:00z",
        "since=0001-01-01T00:00:00%2B23:59",  # before year 1 in UTC: was a 500
        "until=9999-12-31T23:59:59-23:59",  # after year 9999 in UTC: was a 500
        "limit=0",
    ],
)
def test_bad_search_is_422(client, supervisor, query):
    assert client.get(f"/api/calls?{query}", headers=supervisor).status_code == 422


@pytest.mark.parametrize("role", ["advisor", "admin"])
def test_wrong_role_cannot_search_calls(client, app, role):
    assert (
        client.get("/api/calls", headers=bearer(add_staff("x@x.gov.uk", role=role))).status_code
        == 403
    )


def test_searching_by_number_is_audited_with_the_number_masked(client, app, supervisor):
    add_waiting_call(1, waited=timedelta(minutes=5))
    assert len(client.get("/api/calls?number=07700 900123", headers=supervisor).json) == 1
    client.get("/api/calls?since=2026-11-23T09:00:00Z", headers=supervisor)  # no number: no entry
    (entry,) = rows(AuditEntry, AuditEntry.action == "call.search")
    assert (entry.actor, entry.subject_type) == ("sue@x.gov.uk", "number")
    assert entry.subject_id == "+44 7700 9•••23" and entry.details == {"results": 1}
    assert "7700900123" not in entry.subject_id + str(entry.details)


def test_viewing_a_call_is_audited_with_the_number_masked(client, on_call, supervisor):
    assert client.get(f"/api/calls/{CALLER}", headers=supervisor).status_code == 200
    (entry,) = rows(AuditEntry, AuditEntry.action == "call.view")
    assert (entry.actor, entry.subject_id) == ("sue@x.gov.uk", CALLER)
    assert entry.details["number"].startswith("+44 ") and "•••" in entry.details["number"]
