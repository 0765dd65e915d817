"""The call flow of SPEC §4 steps 1-4 and 8, verb by verb."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.models import Call
from tests.conftest import PUBLIC_BASE_URL
from tests.support.rows import count, one, rows
from tests.support.twiml import parse, spoken, verbs

SID = "CA" + "a" * 32
OUT_OF_HOURS = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)


def test_in_hours_greets_with_recording_notice_and_star_opt_out(twilio_post, app):
    root = parse(twilio_post("/twilio/voice", CallSid=SID, From="07700 900123", To="+441744676767"))
    assert verbs(root) == ["Gather", "Redirect"]
    gather = root.find("Gather")
    assert gather.get("action") == f"{PUBLIC_BASE_URL}/twilio/notice"
    assert gather.get("numDigits") == "1"
    notice = spoken(root)
    assert "recorded" in notice and "training" in notice and "complaints" in notice
    assert "press star" in notice
    assert all(say.get("language") == "en-GB" for say in root.iter("Say"))
    assert root.find("Redirect").text == f"{PUBLIC_BASE_URL}/twilio/menu?attempt=1"
    call = one(Call)
    assert (call.from_number, call.recording_opted_out, call.outcome) == (
        "+447700900123",
        False,
        None,
    )


def test_out_of_hours_plays_closed_message_and_hangs_up(twilio_post, app, clock):
    clock["now"] = OUT_OF_HOURS
    root = parse(twilio_post("/twilio/voice", CallSid=SID, From="+447700900123"))
    assert verbs(root) == ["Say", "Say", "Hangup"]
    assert "closed" in spoken(root) and "999" in spoken(root)
    assert one(Call).outcome == "out_of_hours"


def test_out_of_hours_call_closes_as_out_of_hours(twilio_post, app, clock):
    clock["now"] = OUT_OF_HOURS
    twilio_post("/twilio/voice", CallSid=SID, From="+447700900123")
    parse(
        twilio_post("/twilio/call-status", CallSid=SID, CallStatus="completed", CallDuration="14")
    )
    call = one(Call)
    assert (call.outcome, call.duration_seconds) == ("out_of_hours", 14)
    assert call.ended_at is not None


def test_star_during_notice_opts_out_and_continues_to_menu(twilio_post, app):
    twilio_post("/twilio/voice", CallSid=SID)
    root = parse(twilio_post("/twilio/notice", CallSid=SID, Digits="*"))
    assert verbs(root) == ["Say", "Redirect"]
    assert "will not be recorded" in spoken(root)
    assert root.find("Redirect").text.endswith("/twilio/menu?attempt=1")
    call = one(Call)
    assert (call.recording_opted_out, call.opt_out_source) == (True, "caller_keypress")


def test_repeated_opt_out_is_recorded_once(twilio_post, app):
    for _ in range(2):
        twilio_post("/twilio/notice", CallSid=SID, Digits="*")
    from app.models import AuditEntry

    actions = [entry.action for entry in rows(AuditEntry)]
    assert actions == ["recording.opt_out"]


def test_menu_lists_every_service_with_its_key(twilio_post):
    root = parse(twilio_post("/twilio/menu?attempt=1", CallSid=SID))
    assert verbs(root) == ["Gather", "Redirect"]
    menu = spoken(root)
    assert "urgent crisis response, press 4" in menu
    assert menu.index("press 5") < menu.index("press 0")
    assert root.find("Gather").get("action").endswith("/twilio/menu/choice?attempt=1")


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("1", "adult_social_care"),
        ("2", "children_families"),
        ("3", "careline"),
        ("4", "crisis_response"),
        ("5", "health_teams"),
        ("0", "general_advice"),
    ],
)
def test_each_menu_key_enqueues_its_service(twilio_post, app, key, code):
    root = parse(twilio_post("/twilio/menu/choice?attempt=1", CallSid=SID, Digits=key))
    assert verbs(root) == ["Say", "Enqueue"]
    enqueue = root.find("Enqueue")
    assert enqueue.text == code
    assert enqueue.get("waitUrl") == f"{PUBLIC_BASE_URL}/twilio/queue/wait"
    assert enqueue.get("action") == f"{PUBLIC_BASE_URL}/twilio/queue/result"
    call = one(Call)
    assert call.service_code == code and call.enqueued_at is not None


def test_menu_key_pressed_during_notice_goes_straight_to_the_queue(twilio_post):
    root = parse(twilio_post("/twilio/notice", CallSid=SID, Digits="4"))
    assert root.find("Enqueue").text == "crisis_response"


@pytest.mark.parametrize("digits", ["", "7", "#"])
def test_no_or_invalid_input_repeats_the_menu_once(twilio_post, digits):
    root = parse(twilio_post("/twilio/menu/choice?attempt=1", CallSid=SID, Digits=digits))
    assert verbs(root) == ["Say", "Redirect"]
    assert root.find("Redirect").text.endswith("/twilio/menu?attempt=2")


@pytest.mark.parametrize("digits", ["", "9"])
def test_second_miss_goes_to_general_advice(twilio_post, app, digits):
    root = parse(twilio_post("/twilio/menu/choice?attempt=2", CallSid=SID, Digits=digits))
    assert root.find("Enqueue").text == "general_advice"
    assert one(Call).service_code == "general_advice"


def test_star_at_the_menu_opts_out_and_replays_the_same_attempt(twilio_post, app):
    root = parse(twilio_post("/twilio/menu/choice?attempt=2", CallSid=SID, Digits="*"))
    assert root.find("Redirect").text.endswith("/twilio/menu?attempt=2")
    assert one(Call).recording_opted_out


def test_wait_announces_position_then_holds(twilio_post):
    twilio_post("/twilio/menu/choice?attempt=1", CallSid=SID, Digits="1")
    root = parse(twilio_post("/twilio/queue/wait", CallSid=SID, QueuePosition="3", QueueTime="20"))
    assert verbs(root) == ["Say", "Pause"]
    assert "number 3 in the queue" in spoken(root)


def test_wait_announces_estimate_from_recent_callers(twilio_post, clock):
    from datetime import timedelta

    other = "CA" + "b" * 32
    twilio_post("/twilio/menu/choice?attempt=1", CallSid=other, Digits="1")
    clock["now"] += timedelta(minutes=5)
    twilio_post("/twilio/queue/result", CallSid=other, QueueResult="bridged")
    twilio_post("/twilio/menu/choice?attempt=1", CallSid=SID, Digits="1")
    root = parse(twilio_post("/twilio/queue/wait", CallSid=SID, QueuePosition="1", QueueTime="60"))
    assert "You are next" in spoken(root)
    assert "about 4 minutes" in spoken(root)


def test_maximum_wait_leaves_the_queue_then_signposts(twilio_post, app):
    twilio_post("/twilio/menu/choice?attempt=1", CallSid=SID, Digits="2")
    root = parse(
        twilio_post("/twilio/queue/wait", CallSid=SID, QueuePosition="2", QueueTime="1800")
    )
    assert verbs(root) == ["Say", "Leave"]
    root = parse(twilio_post("/twilio/queue/result", CallSid=SID, QueueResult="leave"))
    assert verbs(root) == ["Say", "Say", "Hangup"]
    assert "999" in spoken(root)
    assert one(Call).queue_result == "leave"


def test_caller_hanging_up_in_the_queue_is_abandoned(twilio_post, app):
    twilio_post("/twilio/voice", CallSid=SID, From="+447700900123")
    twilio_post("/twilio/menu/choice?attempt=1", CallSid=SID, Digits="1")
    twilio_post("/twilio/queue/result", CallSid=SID, QueueResult="hangup")
    twilio_post("/twilio/call-status", CallSid=SID, CallStatus="completed", CallDuration="95")
    call = one(Call)
    assert (call.outcome, call.duration_seconds, call.queue_result) == ("abandoned", 95, "hangup")


@pytest.mark.parametrize("status", ["busy", "failed", "no-answer"])
def test_failed_calls_close_as_failed(twilio_post, app, status):
    parse(twilio_post("/twilio/call-status", CallSid=SID, CallStatus=status))
    assert one(Call).outcome == "failed"


def test_status_callbacks_are_idempotent_and_order_safe(twilio_post, app):
    twilio_post("/twilio/call-status", CallSid=SID, CallStatus="completed", CallDuration="30")
    twilio_post("/twilio/call-status", CallSid=SID, CallStatus="completed", CallDuration="31")
    twilio_post("/twilio/voice", CallSid=SID, From="+447700900123")  # late and out of order
    assert count(Call) == 1
    assert one(Call).duration_seconds == 30


@pytest.mark.parametrize("stale", ["in-progress", "ringing", "queued", "busy"])
def test_a_stale_status_after_completed_changes_nothing(twilio_post, app, stale):
    twilio_post("/twilio/call-status", CallSid=SID, CallStatus="in-progress")
    twilio_post("/twilio/call-status", CallSid=SID, CallStatus="completed", CallDuration="30")
    twilio_post("/twilio/call-status", CallSid=SID, CallStatus=stale)
    call = one(Call)
    assert (call.twilio_status, call.duration_seconds, call.outcome) == (
        "completed",
        30,
        "abandoned",
    )


def test_statuses_move_forward(twilio_post, app):
    twilio_post("/twilio/call-status", CallSid=SID, CallStatus="in-progress")
    twilio_post("/twilio/call-status", CallSid=SID, CallStatus="ringing")
    assert one(Call).twilio_status == "in-progress" and one(Call).ended_at is None


def test_queue_error_apologises_and_requeues_general_advice(twilio_post):
    root = parse(twilio_post("/twilio/queue/result", CallSid=SID, QueueResult="system-error"))
    assert "technical problem" in spoken(root)
    assert root.find("Enqueue").text == "general_advice"
