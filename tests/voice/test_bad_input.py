"""Bad input to the webhooks: TwiML or 400, never 5xx, nothing half-written."""

from __future__ import annotations

import pytest

from app.models import Call
from tests.support.rows import count, one
from tests.support.twiml import parse

SID = "CA" + "d" * 32


@pytest.mark.parametrize("path", ["/twilio/voice", "/twilio/notice", "/twilio/call-status"])
@pytest.mark.parametrize("sid", [None, "", "not-a-sid", "CA" + "z" * 32, "CA" + "a" * 5000])
def test_missing_or_bad_call_sid_is_400_and_writes_nothing(twilio_post, app, path, sid):
    form = {} if sid is None else {"CallSid": sid}
    assert twilio_post(path, **form).status_code == 400
    assert count(Call) == 0


@pytest.mark.parametrize("digits", ["12345678901234567890" * 50, "\x00", "é", "-1", "**"])
def test_absurd_digits_repeat_the_menu(twilio_post, digits):
    root = parse(twilio_post("/twilio/menu/choice?attempt=1", CallSid=SID, Digits=digits))
    assert root.find("Redirect").text.endswith("/twilio/menu?attempt=2")


@pytest.mark.parametrize("attempt", ["x", "99999999999", "-1"])
def test_absurd_attempt_is_treated_as_the_first(twilio_post, attempt):
    root = parse(twilio_post(f"/twilio/menu/choice?attempt={attempt}", CallSid=SID, Digits=""))
    assert root.find("Redirect").text.endswith("/twilio/menu?attempt=2")


def test_a_10kb_from_is_answered_and_stored_as_unknown(twilio_post, app):
    root = parse(twilio_post("/twilio/voice", CallSid=SID, From="7" * 10_000))
    assert root.find("Gather") is not None
    assert one(Call).from_number is None


@pytest.mark.parametrize("field", ["QueuePosition", "QueueTime", "CallDuration"])
def test_absurd_numbers_are_ignored(twilio_post, field):
    twilio_post("/twilio/menu/choice?attempt=1", CallSid=SID, Digits="1")
    for path in ("/twilio/queue/wait", "/twilio/call-status"):
        parse(twilio_post(path, CallSid=SID, CallStatus="completed", **{field: "9" * 400}))


def test_internal_error_answers_apology_and_general_queue(twilio_post, app, monkeypatch):
    from app.domain import calls

    def broken(*args, **kwargs):
        raise RuntimeError("database fell over")

    monkeypatch.setattr(calls, "choose_service", broken)
    root = parse(twilio_post("/twilio/menu/choice?attempt=1", CallSid=SID, Digits="1"))
    assert "technical problem" in " ".join(s.text for s in root.iter("Say"))
    assert root.find("Enqueue").text == "general_advice"
    assert count(Call) == 0  # the half-done request was rolled back


def test_internal_error_with_fallback_number_dials_it(make_app, monkeypatch):
    from app.domain import calls
    from tests.conftest import PUBLIC_BASE_URL, sign

    app = make_app(fallback_number="+441744000000")
    monkeypatch.setattr(calls, "record_incoming", lambda *a, **k: 1 / 0)
    form = {"CallSid": SID}
    reply = app.test_client().post(
        "/twilio/voice",
        data=form,
        headers={"X-Twilio-Signature": sign(PUBLIC_BASE_URL + "/twilio/voice", form)},
    )
    assert parse(reply).find("Dial").text == "+441744000000"


def test_error_during_wait_keeps_the_caller_holding(twilio_post, monkeypatch):
    from app.domain import calls

    monkeypatch.setattr(calls, "estimated_wait", lambda *a, **k: 1 / 0)
    twilio_post("/twilio/menu/choice?attempt=1", CallSid=SID, Digits="1")
    root = parse(twilio_post("/twilio/queue/wait", CallSid=SID, QueuePosition="1"))
    assert [el.tag for el in root] == ["Pause"]
