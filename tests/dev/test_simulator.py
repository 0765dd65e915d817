"""The call simulator phones a live app over HTTP exactly as Twilio would."""

from __future__ import annotations

from collections import deque

from app.dev.simulator import CallSimulator
from app.models import Call
from tests.conftest import AUTH_TOKEN
from tests.support.rows import one


def simulate(base: str, keys: str) -> CallSimulator:
    sim = CallSimulator(
        account_sid="AC" + "1" * 32,
        base_url=base,
        auth_token=AUTH_TOKEN,
        from_number="+447700900123",
        keys=deque(keys),
        echo=False,
    )
    sim.run()
    return sim


def test_opt_out_then_choose_a_service(live_app, app):
    sim = simulate(live_app, "*4")
    heard = "\n".join(sim.heard)
    assert "press star" in heard and "will not be recorded" in heard
    assert "Connecting you to urgent crisis response" in heard
    assert "You are next in the queue" in heard
    call = one(Call)
    assert (call.recording_opted_out, call.service_code, call.outcome) == (
        True,
        "crisis_response",
        "abandoned",
    )


def test_no_input_reaches_general_advice_after_one_repeat(live_app, app):
    heard = "\n".join(simulate(live_app, "").heard)
    assert heard.count("Please choose from the following options") == 2
    assert "general advice" in heard
    assert one(Call).service_code == "general_advice"


def test_simulate_call_command_prints_what_the_caller_hears(live_app, runner):
    result = runner.invoke(args=["simulate-call", "--url", live_app, "--digits", "1"])
    assert result.exit_code == 0, result.output
    assert "caller presses 1" in result.output


def test_simulate_call_reports_an_unreachable_app(runner):
    result = runner.invoke(args=["simulate-call", "--url", "http://127.0.0.1:9"])
    assert result.exit_code != 0 and "cannot reach the app" in result.output


def test_recorded_advisor_call_reports_its_recording(live_app, runner):
    from app.models import Recording

    for args in (
        [
            "staff",
            "create",
            "amy@sthelens.gov.uk",
            "--role",
            "advisor",
            "--skills",
            "adult_social_care",
            "--endpoint",
            "client:amy",
        ],
        ["staff", "status", "amy@sthelens.gov.uk", "available"],
    ):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (result.output, result.exception)
    heard = "\n".join(simulate(live_app, "1").heard)
    assert "dialling client:amy (recorded)" in heard
    recording = one(Recording)
    assert (recording.call_sid, recording.twilio_status) == (one(Call).call_sid, "completed")
