"""The advisor's desk: roles, CSRF, status, the call card, opt-out, transfers, wrap-up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import AuditEntry, Call, CallLeg, Staff
from tests.conftest import IN_HOURS, PUBLIC_BASE_URL
from tests.console.conftest import CALLER
from tests.console.support import post_form, sign_in_as
from tests.routing.support import add_staff, add_waiting_call
from tests.support.rows import one, rows

DESK = "/console/desk"


def advisor(client, email: str = "amy@x.gov.uk", **kwargs) -> int:  # noqa: ANN001
    staff_id = add_staff(email, **kwargs)
    sign_in_as(client, staff_id)
    return staff_id


def status_of(staff_id: int) -> str:
    return one(Staff, Staff.id == staff_id).status


def test_signed_out_goes_to_sign_in(client):
    reply = client.get(DESK)
    assert reply.status_code == 302 and "/console/login" in reply.location


@pytest.mark.parametrize("path", [DESK, f"{DESK}/live", f"{DESK}/voice-token"])
def test_a_supervisor_cannot_open_the_desk(client, path):
    sign_in_as(client, add_staff("sue@x.gov.uk", role="supervisor", skills=(), endpoint=None))
    assert client.get(path).status_code == 403


def test_a_supervisor_cannot_change_an_advisors_status(client):
    sign_in_as(client, add_staff("sue@x.gov.uk", role="supervisor", skills=(), endpoint=None))
    reply = post_form(client, "/console/board", f"{DESK}/status", status="available")
    assert reply.status_code == 403


def test_a_form_without_the_csrf_token_is_refused(client):
    amy = advisor(client, status="offline")
    reply = client.post(f"{DESK}/status", data={"status": "available"})
    assert reply.status_code == 400
    assert status_of(amy) == "offline"


def test_going_available_and_offline(client):
    amy = advisor(client, status="offline")
    reply = post_form(client, DESK, f"{DESK}/status", status="available")
    assert reply.status_code == 302 and reply.location.endswith(DESK)
    assert status_of(amy) == "available"
    assert "You are available for calls." in client.get(DESK).get_data(as_text=True)
    reply = post_form(client, DESK, f"{DESK}/status", fragment=True, status="offline")
    assert reply.status_code == 200 and "Go available" in reply.get_data(as_text=True)
    assert status_of(amy) == "offline"


def test_going_available_matches_a_waiting_caller(client, settings):
    add_waiting_call(1)
    amy = advisor(client, status="offline")
    post_form(client, DESK, f"{DESK}/status", status="available")
    assert (status_of(amy), one(Call).assigned_advisor_id) == ("busy", amy)


@pytest.mark.parametrize("wanted", ["busy", "wrap_up", ""])
def test_busy_and_wrap_up_cannot_be_chosen(client, wanted):
    amy = advisor(client, status="offline")
    reply = post_form(client, DESK, f"{DESK}/status", fragment=True, status=wanted)
    assert reply.status_code == 409 and "There is a problem" in reply.get_data(as_text=True)
    assert status_of(amy) == "offline"


def test_the_card_shows_the_call(client, on_call):
    sign_in_as(client, on_call)
    page = client.get(DESK).get_data(as_text=True)
    for shown in (
        "Your call",
        "Adult social care and health referrals",
        "+44 7700 9•••23",
        "1:00",  # waited in the queue
        "English",
        "Recorded",
        "Caller does not want to be recorded",
        "On a call",
    ):
        assert shown in page
    assert "+447700900123" not in page


def test_the_card_shows_the_callers_language(client, on_call):
    with db.transaction() as session:
        session.get(Call, one(Call).id).language = "cy"
    sign_in_as(client, on_call)
    assert "Welsh (Cymraeg)" in client.get(f"{DESK}/live").get_data(as_text=True)


def test_opt_out_stops_the_recording_at_twilio(client, app_twilio, on_call):
    recording = app_twilio.add_recording(call_sid=CALLER, status="in-progress")
    sign_in_as(client, on_call)
    reply = post_form(client, DESK, f"{DESK}/opt-out", fragment=True, call_sid=CALLER)
    assert reply.status_code == 200
    assert "Recording stopped" in reply.get_data(as_text=True)
    (stop,) = app_twilio.find_requests(
        "POST", rf"/Calls/{CALLER}/Recordings/Twilio\.CURRENT\.json$"
    )
    assert stop.form == {"Status": "stopped"}
    assert app_twilio.recordings[recording].status == "stopped"
    assert one(Call).recording_opted_out
    (entry,) = rows(AuditEntry, AuditEntry.action == "recording.opt_out")
    assert entry.actor == "amy@x.gov.uk"
    assert "Not recorded: the caller does not want" in client.get(DESK).get_data(as_text=True)


def test_opt_out_when_twilio_fails_says_so(client, app_twilio, on_call):
    app_twilio.fail_next("POST", r"/Recordings/Twilio\.CURRENT\.json$", status=500)
    sign_in_as(client, on_call)
    reply = post_form(client, DESK, f"{DESK}/opt-out", fragment=True, call_sid=CALLER)
    assert reply.status_code == 502 and "could not be stopped" in reply.get_data(as_text=True)
    assert one(Call).recording_opted_out


def test_another_advisor_cannot_opt_out_of_the_call(client, app_twilio, on_call):
    advisor(client, "bob@x.gov.uk")
    reply = post_form(client, DESK, f"{DESK}/opt-out", call_sid=CALLER)
    assert reply.status_code == 302
    assert app_twilio.requests == [] and not one(Call).recording_opted_out


def test_transfer_to_an_advisor(client, app_twilio, on_call):
    bob = add_staff("bob@x.gov.uk", endpoint="client:bob")
    sign_in_as(client, on_call)
    assert "bob" in client.get(DESK).get_data(as_text=True)
    reply = post_form(
        client, DESK, f"{DESK}/transfer", call_sid=CALLER, to="advisor", advisor_id=str(bob)
    )
    assert reply.status_code == 302
    (redirect,) = app_twilio.find_requests("POST", rf"/Calls/{CALLER}\.json$")
    new_leg = one(CallLeg, CallLeg.kind == "transfer")
    assert redirect.form["Url"] == f"{PUBLIC_BASE_URL}/twilio/connect?leg={new_leg.id}"
    assert (status_of(on_call), status_of(bob)) == ("wrap_up", "busy")


def test_transfer_to_a_busy_advisor_is_refused(client, app_twilio, on_call):
    bob = add_staff("bob@x.gov.uk", status="busy")
    sign_in_as(client, on_call)
    reply = post_form(
        client,
        DESK,
        f"{DESK}/transfer",
        fragment=True,
        call_sid=CALLER,
        to="advisor",
        advisor_id=str(bob),
    )
    assert reply.status_code == 409 and app_twilio.requests == []


def test_transfer_to_a_service(client, app_twilio, on_call):
    sign_in_as(client, on_call)
    reply = post_form(
        client,
        DESK,
        f"{DESK}/transfer",
        fragment=True,
        call_sid=CALLER,
        to="service",
        service="careline",
    )
    assert reply.status_code == 200 and "Careline and telecare" in reply.get_data(as_text=True)
    (redirect,) = app_twilio.find_requests("POST", rf"/Calls/{CALLER}\.json$")
    assert redirect.form["Url"] == f"{PUBLIC_BASE_URL}/twilio/transfer/enqueue?service=careline"
    assert one(Call).service_code == "careline"


def test_wrap_up_counts_down_and_can_end_now(client, clock):
    amy = advisor(client, status="wrap_up", since=IN_HOURS - timedelta(seconds=15))
    page = client.get(DESK).get_data(as_text=True)
    assert "Wrap-up ends in" in page and "0:45" in page and "End wrap-up now" in page
    reply = post_form(client, DESK, f"{DESK}/end-wrap-up", fragment=True)
    assert "Wrap-up ended" in reply.get_data(as_text=True)
    assert status_of(amy) == "available"
    (entry,) = rows(AuditEntry, AuditEntry.action == "advisor.wrap_up_ended")
    assert (entry.actor, entry.subject_id) == ("amy@x.gov.uk", str(amy))


def test_a_finished_wrap_up_shows_as_available(client, clock):
    advisor(client, status="wrap_up", since=IN_HOURS - timedelta(seconds=61))
    page = client.get(f"{DESK}/live").get_data(as_text=True)
    assert "Available" in page and "Wrap-up ends" not in page


def test_the_live_fragment_is_304_until_something_changes(client, on_call, clock):
    sign_in_as(client, on_call)
    first = client.get(f"{DESK}/live")
    assert first.status_code == 200 and first.headers["X-Clock"] == IN_HOURS.isoformat()
    clock["now"] = IN_HOURS + timedelta(seconds=5)
    same = client.get(f"{DESK}/live", headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304 and same.get_data() == b""
    post_form(client, DESK, f"{DESK}/opt-out", call_sid=CALLER)
    changed = client.get(f"{DESK}/live", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]


@pytest.mark.parametrize("status", ["offline", "available", "busy", "wrap_up"])
def test_the_fragment_never_fails_whatever_the_status(client, status):
    advisor(client, status=status, endpoint=None, skills=())
    assert client.get(f"{DESK}/live").status_code == 200
    assert client.get(DESK).status_code == 200


def test_voice_token_without_credentials_is_503_with_the_reason(client):
    advisor(client)
    reply = client.get(f"{DESK}/voice-token")
    assert reply.status_code == 503
    assert "TWILIO_API_KEY_SID" in reply.json["error"]["message"]


@pytest.fixture
def voice_app(app, make_app):  # noqa: ANN001, ANN201
    """The app with Voice SDK credentials (`app` empties the tables afterwards)."""
    return make_app(
        twilio_api_key_sid="SK" + "1" * 32,
        twilio_api_key_secret="s" * 32,
        twilio_twiml_app_sid="AP" + "1" * 32,
    )


def test_voice_token_for_the_softphone(voice_app):
    client = voice_app.test_client()
    advisor(client, endpoint="client:amy")
    reply = client.get(f"{DESK}/voice-token")
    assert reply.status_code == 200 and reply.json["identity"] == "amy"
    assert 'data-token-url="/console/desk/voice-token"' in client.get(DESK).get_data(as_text=True)


def test_a_phone_endpoint_gets_the_desk_without_the_softphone(voice_app):
    client = voice_app.test_client()
    advisor(client, endpoint="+447700900456")
    assert client.get(f"{DESK}/voice-token").status_code == 409
    page = client.get(DESK).get_data(as_text=True)
    assert "twilio.min.js" not in page and "Your status" in page
