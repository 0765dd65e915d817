"""Connecting a matched caller: waitUrl <Leave> or the connect job, the <Dial>, its result."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.integrations.queue import enqueue, get_queue
from app.models import AuditEntry, Call, CallLeg, Staff
from tests.conftest import IN_HOURS, PUBLIC_BASE_URL
from tests.routing.support import (
    CALLER,
    QUEUE_SID,
    add_staff,
    add_waiting_call,
    bearer,
    member_redirects,
    queue_left,
    wait_poll,
)
from tests.support.rows import count, one, rows
from tests.support.sids import numbered_sid as sid
from tests.support.twiml import parse, spoken, verbs

RECORD_ATTRS = {
    "record",
    "recordingStatusCallback",
    "recordingStatusCallbackEvent",
    "recordingStatusCallbackMethod",
}


def leg_id() -> int:
    return one(CallLeg).id


def connect_url() -> str:
    return f"{PUBLIC_BASE_URL}/twilio/connect?leg={leg_id()}"


def test_wait_poll_of_the_matched_caller_takes_them_out_of_the_queue_with_twiml(
    twilio_post, app_twilio, in_queue
):
    twilio_post("/twilio/menu/choice?attempt=1", CallSid=CALLER, Digits="1")
    amy = add_staff("amy@x.gov.uk")
    in_queue()
    root = parse(wait_poll(twilio_post))
    assert verbs(root) == ["Leave"]  # out of the queue; Twilio then requests the Enqueue action
    root = parse(queue_left(twilio_post))
    assert verbs(root) == ["Redirect"]
    (redirect,) = root
    assert (redirect.text, redirect.attrib) == (connect_url(), {"method": "POST"})
    assert app_twilio.requests == []  # no REST call: Twilio follows the waitUrl's TwiML
    assert one(Call).queue_result == "leave"
    call = one(Call)
    assert (call.routing_state, call.queue_sid, call.assigned_advisor_id) == (
        "connecting",
        None,
        amy,
    )
    assert one(Staff, Staff.id == amy).status == "busy"


def test_wait_poll_matching_another_caller_leaves_the_redirect_to_the_job(
    twilio_post, app_twilio, in_queue, run_jobs, settings
):
    add_waiting_call(1, waited=timedelta(minutes=9))
    add_waiting_call(2, waited=timedelta(minutes=2))
    in_queue(CALLER)
    in_queue(sid(2))
    amy = add_staff("amy@x.gov.uk")
    backlog = enqueue(settings, "workers.ingest.ingest_recording", 999, job_id="ingest-backlog")
    assert verbs(parse(wait_poll(twilio_post, sid(2)))) == ["Say", "Pause"]  # 2 keeps holding
    assert app_twilio.requests == []
    # A caller is waiting on it: ahead of recordings already queued.
    assert get_queue(settings).job_ids == [f"connect-leg-{leg_id()}", backlog]
    get_queue(settings).remove(backlog)
    run_jobs()
    (redirect,) = member_redirects(app_twilio)
    assert redirect.path.endswith(f"/Queues/{QUEUE_SID}/Members/{CALLER}.json")
    assert redirect.form == {"Url": connect_url(), "Method": "POST"}
    call = one(Call, Call.call_sid == CALLER)
    assert (call.routing_state, call.queue_sid, call.assigned_advisor_id) == (
        "connecting",
        None,
        amy,
    )
    assert one(Call, Call.call_sid == sid(2)).routing_state == "waiting"


def test_caller_joining_with_an_advisor_free_is_dialled_at_once(twilio_post, app_twilio):
    add_staff("amy@x.gov.uk", endpoint="client:amy")
    root = parse(twilio_post("/twilio/menu/choice?attempt=1", CallSid=CALLER, Digits="1"))
    assert verbs(root) == ["Say", "Dial"]
    assert root.find("Dial/Client").text == "amy"
    assert app_twilio.requests == []


def test_advisor_becoming_available_takes_the_longest_waiting_caller(
    client, app_twilio, in_queue, run_jobs
):
    add_waiting_call(1, waited=timedelta(minutes=9))
    add_waiting_call(2, waited=timedelta(minutes=2))
    in_queue(sid(1))
    amy = add_staff("amy@x.gov.uk", status="offline")
    reply = client.put("/api/me/status", json={"status": "available"}, headers=bearer(amy))
    assert reply.status_code == 200 and reply.json["status"] == "busy"
    assert app_twilio.requests == []  # the request only claimed; the job redirects
    run_jobs()
    (redirect,) = member_redirects(app_twilio)
    assert redirect.path.endswith(f"/Members/{sid(1)}.json")
    assert one(Call, Call.call_sid == sid(1)).routing_state == "connecting"


def test_claimed_caller_at_the_maximum_wait_is_connected_not_sent_away(twilio_post, in_queue):
    add_waiting_call(1)
    add_waiting_call(2, waited=timedelta(seconds=5))
    in_queue(CALLER)
    add_staff("amy@x.gov.uk")
    wait_poll(twilio_post, sid(2))  # matches caller 1; their job has not run yet
    assert verbs(parse(wait_poll(twilio_post, waited=1800))) == ["Leave"]
    root = parse(queue_left(twilio_post, waited=1800))
    assert verbs(root) == ["Redirect"] and root.find("Redirect").text == connect_url()


def test_caller_leaving_at_the_maximum_wait_unmatched_is_signposted(twilio_post, in_queue):
    add_waiting_call(1)
    in_queue(CALLER)
    root = parse(wait_poll(twilio_post, waited=1800))
    assert verbs(root) == ["Say", "Leave"]
    root = parse(queue_left(twilio_post, waited=1800))
    assert verbs(root) == ["Say", "Say", "Hangup"]
    assert count(CallLeg) == 0


def test_caller_matched_between_the_leave_and_the_enqueue_action_still_gets_their_advisor(
    twilio_post, app_twilio, in_queue, run_jobs
):
    add_waiting_call(1)
    in_queue(CALLER)
    assert verbs(parse(wait_poll(twilio_post, waited=1800))) == ["Say", "Leave"]
    add_waiting_call(2, waited=timedelta(seconds=5))
    add_staff("amy@x.gov.uk")
    wait_poll(twilio_post, sid(2))  # matches caller 1 (longest wait) before their action arrives
    root = parse(queue_left(twilio_post, waited=1800))
    assert verbs(root) == ["Redirect"] and root.find("Redirect").text == connect_url()
    run_jobs()  # the connect job finds the move taken: no second move
    assert member_redirects(app_twilio) == []


def test_late_poll_after_the_job_moved_the_caller_changes_nothing(
    twilio_post, app_twilio, in_queue, run_jobs
):
    add_waiting_call(1)
    add_waiting_call(2, waited=timedelta(seconds=5))
    in_queue(CALLER)
    add_staff("amy@x.gov.uk")
    wait_poll(twilio_post, sid(2))
    run_jobs()
    assert verbs(parse(wait_poll(twilio_post))) == ["Say", "Pause"]  # Twilio has moved them
    call = one(Call, Call.call_sid == CALLER)
    assert (call.routing_state, call.queue_sid) == ("connecting", None)
    assert len(member_redirects(app_twilio)) == 1


@pytest.mark.parametrize(
    ("endpoint", "noun", "address"),
    [
        ("client:amy", "Client", "amy"),
        ("sip:amy@pbx.example.gov.uk", "Sip", "sip:amy@pbx.example.gov.uk"),
        ("+441744676700", "Number", "+441744676700"),
    ],
)
def test_connect_dials_the_advisors_endpoint(twilio_post, in_queue, endpoint, noun, address):
    add_waiting_call(1)
    add_staff("amy@x.gov.uk", endpoint=endpoint)
    in_queue()
    wait_poll(twilio_post)
    root = parse(twilio_post(f"/twilio/connect?leg={leg_id()}", CallSid=CALLER))
    dial = root.find("Dial")
    assert dial.get("timeout") == "20"
    assert dial.get("action") == f"{PUBLIC_BASE_URL}/twilio/connect/result?leg={leg_id()}"
    assert dial.find(noun).text == address
    assert dial.find(noun).get("url") == f"{PUBLIC_BASE_URL}/twilio/connect/answered?leg={leg_id()}"


@pytest.mark.parametrize("opted_out", [False, True])
@pytest.mark.parametrize("records_calls", [True, False])
def test_first_leg_is_recorded_only_with_consent_and_a_recording_advisor(
    twilio_post, in_queue, opted_out, records_calls
):
    add_waiting_call(1, opted_out=opted_out)
    add_staff("amy@x.gov.uk", records_calls=records_calls)
    in_queue()
    wait_poll(twilio_post)
    dial = parse(twilio_post(f"/twilio/connect?leg={leg_id()}", CallSid=CALLER)).find("Dial")
    recorded = records_calls and not opted_out
    assert one(CallLeg).recorded is recorded
    if recorded:
        assert dial.get("record") == "record-from-answer-dual"
        assert dial.get("recordingStatusCallback") == f"{PUBLIC_BASE_URL}/twilio/recording-status"
        assert dial.get("recordingStatusCallbackEvent") == "in-progress completed"
    else:
        assert RECORD_ATTRS.isdisjoint(dial.attrib)


def test_opting_out_after_the_match_is_honoured_when_dialling(twilio_post, in_queue):
    add_waiting_call(1)
    add_staff("amy@x.gov.uk")
    in_queue()
    wait_poll(twilio_post)
    twilio_post("/twilio/notice", CallSid=CALLER, Digits="*")
    dial = parse(twilio_post(f"/twilio/connect?leg={leg_id()}", CallSid=CALLER)).find("Dial")
    assert RECORD_ATTRS.isdisjoint(dial.attrib)


@pytest.fixture
def ringing(twilio_post, in_queue):  # noqa: ANN001, ANN201
    """Caller 1 matched with amy and her phone ringing; returns amy's id."""
    add_waiting_call(1, waited=timedelta(minutes=3))
    amy = add_staff("amy@x.gov.uk")
    in_queue()
    wait_poll(twilio_post)
    twilio_post(f"/twilio/connect?leg={leg_id()}", CallSid=CALLER)
    return amy


def dial_result(twilio_post, status: str, **form: str):  # noqa: ANN001, ANN201
    return twilio_post(
        f"/twilio/connect/result?leg={leg_id()}", CallSid=CALLER, DialCallStatus=status, **form
    )


def test_answered_call_ends_in_wrap_up_then_the_advisor_is_free_again(
    twilio_post, clock, in_queue, ringing
):
    twilio_post(f"/twilio/connect/answered?leg={leg_id()}", CallSid=sid(50), ParentCallSid=CALLER)
    assert one(Call).routing_state == "connected" and one(CallLeg).dial_call_sid == sid(50)
    clock["now"] += timedelta(minutes=4)
    root = parse(dial_result(twilio_post, "completed", DialCallDuration="240"))
    assert verbs(root) == ["Say", "Hangup"]
    assert one(Staff).status == "wrap_up"
    twilio_post("/twilio/call-status", CallSid=CALLER, CallStatus="completed", CallDuration="300")
    call = one(Call)
    assert (call.outcome, call.answered_at, call.routing_state) == ("answered", IN_HOURS, "done")
    add_waiting_call(2)
    in_queue(sid(2))
    wait_poll(twilio_post, sid(2))
    assert one(Call, Call.call_sid == sid(2)).routing_state == "waiting"  # still wrapping up
    clock["now"] += timedelta(seconds=61)
    wait_poll(twilio_post, sid(2))
    assert one(Call, Call.call_sid == sid(2)).routing_state == "connecting"


@pytest.mark.parametrize("status", ["no-answer", "busy", "failed"])
def test_ring_timeout_puts_the_caller_back_at_the_front_and_the_advisor_offline(
    twilio_post, ringing, status
):
    add_waiting_call(2, waited=timedelta(minutes=30))  # waited longer, but is not at the front
    root = parse(dial_result(twilio_post, status))
    assert verbs(root) == ["Say", "Enqueue"]
    enqueue = root.find("Enqueue")
    assert enqueue.text == "adult_social_care"
    assert enqueue.get("waitUrl") == f"{PUBLIC_BASE_URL}/twilio/queue/wait"
    assert enqueue.get("action") == f"{PUBLIC_BASE_URL}/twilio/queue/result"
    assert "front of the queue" in spoken(root)
    first, second = one(Call, Call.call_sid == CALLER), one(Call, Call.call_sid == sid(2))
    assert first.routing_state == "waiting" and first.queue_sort_at < second.queue_sort_at
    assert one(Staff).status == "offline"
    (entry,) = rows(AuditEntry, AuditEntry.action == "advisor.status")
    assert entry.subject_id == str(ringing) and entry.details["status"] == "offline"
    assert one(CallLeg).result == status


def test_repeated_dial_result_changes_nothing(twilio_post, ringing):
    dial_result(twilio_post, "no-answer")
    root = parse(dial_result(twilio_post, "no-answer"))
    assert verbs(root) == ["Say", "Enqueue"]
    assert count(AuditEntry, AuditEntry.action == "advisor.status") == 1


def test_caller_hanging_up_while_it_rings_frees_the_advisor(twilio_post, ringing):
    twilio_post("/twilio/call-status", CallSid=CALLER, CallStatus="completed", CallDuration="40")
    assert (one(Staff).status, one(Call).routing_state) == ("available", "done")
    assert one(CallLeg).result == "caller-hangup"


def test_connect_for_a_stale_leg_sends_the_caller_back_to_the_queue(twilio_post, ringing):
    dial_result(twilio_post, "no-answer")
    root = parse(twilio_post(f"/twilio/connect?leg={leg_id()}", CallSid=CALLER))
    assert verbs(root) == ["Say", "Enqueue"]


def test_connect_webhooks_need_twilios_signature(client, ringing):
    for path in ("connect", "connect/answered", "connect/result"):
        assert client.post(f"/twilio/{path}?leg=1", data={"CallSid": CALLER}).status_code == 403
