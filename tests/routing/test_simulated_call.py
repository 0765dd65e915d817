"""Tried as a new user would: advisors from the command line, then simulate-call reaches one."""

from __future__ import annotations

import threading
from collections import deque

from sqlalchemy import select

from app.dev.simulator import CallSimulator
from app.extensions import db
from app.models import Call, CallLeg, Staff, utcnow
from tests.conftest import ACCOUNT_SID, AUTH_TOKEN
from tests.routing.support import add_staff
from tests.support.rows import count, one


def create_advisor(runner, email: str, skills: str, endpoint: str) -> None:  # noqa: ANN001
    args = [
        "staff",
        "create",
        email,
        "--role",
        "advisor",
        "--skills",
        skills,
        "--endpoint",
        endpoint,
    ]
    assert runner.invoke(args=args).exit_code == 0
    assert runner.invoke(args=["staff", "status", email, "available"]).exit_code == 0


def test_simulated_caller_reaches_the_advisor_skilled_for_their_service(live_app, runner):
    create_advisor(runner, "amy@x.gov.uk", "adult_social_care", "client:amy")
    create_advisor(runner, "bob@x.gov.uk", "crisis_response", "client:bob")
    result = runner.invoke(args=["simulate-call", "--url", live_app, "--digits", "4"])
    assert result.exit_code == 0, result.output
    assert "📞 dialling client:bob (recorded)" in result.output
    call = one(Call)
    assert (call.outcome, call.routing_state) == ("answered", "done")
    assert one(CallLeg).answered_at is not None


class PatientCaller(CallSimulator):
    """A simulated caller for whom an advisor comes free while they wait in the queue."""

    def post(self, url: str, **params: str):  # noqa: ANN202
        if "/twilio/queue/wait" in url and count(Staff) == 0:
            add_staff("amy@x.gov.uk", endpoint="client:amy")
        return super().post(url, **params)


def test_simulated_caller_who_waits_leaves_the_queue_for_the_advisor(live_app, app):
    sim = PatientCaller(
        base_url=live_app,
        auth_token=AUTH_TOKEN,
        account_sid=ACCOUNT_SID,
        from_number="+447700900123",
        keys=deque("1"),
        echo=False,
    )
    sim.run()
    heard = "\n".join(sim.heard)
    assert "⏳ caller waits in queue adult_social_care" in heard
    assert "(caller leaves the queue)" in heard
    assert "📞 dialling client:amy (recorded)" in heard
    call = one(Call)
    assert (call.outcome, call.routing_state) == ("answered", "done")


def test_opted_out_simulated_caller_is_not_recorded(live_app, runner):
    create_advisor(runner, "amy@x.gov.uk", "adult_social_care", "client:amy")
    result = runner.invoke(args=["simulate-call", "--url", live_app, "--digits", "*1"])
    assert "📞 dialling client:amy (not recorded)" in result.output


def test_staff_create_refuses_a_bad_endpoint(runner):
    args = ["staff", "create", "x@x.gov.uk", "--role", "advisor", "--endpoint", "amy"]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "endpoint" in result.output


def set_available(email: str) -> None:
    """What `staff status EMAIL available` does, from another thread (no second CLI runner)."""
    with db.transaction() as session:
        staff = session.scalar(select(Staff).where(Staff.email == email))
        staff.status, staff.status_changed_at = "available", utcnow()


def test_a_holding_caller_is_connected_once_an_advisor_is_set_available(live_app, runner):
    create_advisor(runner, "amy@x.gov.uk", "adult_social_care", "client:amy")
    assert runner.invoke(args=["staff", "status", "amy@x.gov.uk", "offline"]).exit_code == 0
    freed = threading.Timer(1.0, set_available, args=("amy@x.gov.uk",))
    freed.start()
    args = ["simulate-call", "--url", live_app, "--digits", "1", "--hold", "1.5"]
    result = runner.invoke(args=args)
    freed.join()
    assert result.exit_code == 0, result.output
    assert "⏳ caller waits in queue adult_social_care" in result.output
    assert "📞 dialling client:amy (recorded)" in result.output
