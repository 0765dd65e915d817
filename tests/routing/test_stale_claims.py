"""A claim left half-done by a dead process is released: nobody is stranded."""

from __future__ import annotations

from datetime import timedelta

from app.domain import routing
from app.extensions import db
from app.models import AdvisorStatus, Call, CallLeg, RoutingState, Staff
from tests.conftest import IN_HOURS
from tests.routing.support import add_staff, add_waiting_call
from tests.support.rows import one

GRACE = timedelta(minutes=3)


def claim(at) -> None:  # noqa: ANN001
    with db.transaction() as session:
        assert routing.claim_next(session, at, 60) is not None


def release(now) -> list[str]:  # noqa: ANN001
    with db.transaction() as session:
        return routing.release_stale_claims(session, now, GRACE)


def test_an_old_unanswered_claim_is_released(app):
    advisor = add_staff("amy@sthelens.gov.uk")
    add_waiting_call(1)
    claim(IN_HOURS)
    assert release(IN_HOURS + GRACE + timedelta(seconds=1)) == [one(Call).call_sid]
    call, leg = one(Call), one(CallLeg)
    assert (call.routing_state, call.assigned_advisor_id, leg.result) == (
        RoutingState.WAITING,
        None,
        "stale",
    )
    assert one(Staff, Staff.id == advisor).status == AdvisorStatus.AVAILABLE


def test_a_fresh_or_answered_claim_is_left_alone(app):
    add_staff("amy@sthelens.gov.uk")
    add_waiting_call(1)
    claim(IN_HOURS)
    assert release(IN_HOURS + GRACE - timedelta(seconds=1)) == []
    with db.transaction() as session:
        session.get(CallLeg, one(CallLeg).id).answered_at = IN_HOURS + timedelta(seconds=5)
    assert release(IN_HOURS + timedelta(hours=1)) == []
    assert one(Call).routing_state == RoutingState.CONNECTING
