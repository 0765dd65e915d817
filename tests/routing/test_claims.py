"""Claims in the database: the right pair, guarded, and undone when connecting fails."""

from __future__ import annotations

import threading
from datetime import timedelta

from app.domain import routing
from app.extensions import db
from app.models import Call, CallLeg, Staff
from tests.conftest import IN_HOURS
from tests.routing.support import QUEUE_SID, add_staff, add_waiting_call
from tests.support.rows import count, one
from tests.support.sids import numbered_sid as sid

WRAP_UP = 60


def claim(**kwargs):  # noqa: ANN003, ANN201
    with db.transaction() as session:
        return routing.claim_next(session, IN_HOURS, WRAP_UP, **kwargs)


def test_claim_follows_the_matching_order(app):
    add_waiting_call(1, "general_advice", 4, waited=timedelta(minutes=20))
    crisis = add_waiting_call(2, "crisis_response", 1, waited=timedelta(minutes=1))
    add_staff("amy@x.gov.uk", skills=("general_advice", "crisis_response"))
    longest_idle = add_staff(
        "bob@x.gov.uk", skills=("crisis_response",), since=IN_HOURS - timedelta(hours=1)
    )
    taken = claim()
    assert (taken.call_id, taken.advisor_id) == (crisis, longest_idle)
    assert one(Call, Call.id == crisis).routing_state == "connecting"
    assert one(Staff, Staff.id == longest_idle).status == "busy"
    assert one(CallLeg).kind == "first"


def test_nobody_is_claimed_twice(app):
    add_waiting_call(1)
    add_waiting_call(2)
    add_staff("amy@x.gov.uk")
    assert claim() is not None
    assert claim() is None


def test_callers_not_yet_in_twilios_queue_wait_unless_reachable(app):
    joining = add_waiting_call(1, queue_sid=None)
    add_staff("amy@x.gov.uk")
    assert claim() is None
    assert claim(reachable_call_id=joining).call_id == joining


def test_finished_wrap_up_counts_as_available(app):
    add_waiting_call(1)
    add_staff("amy@x.gov.uk", status="wrap_up", since=IN_HOURS - timedelta(seconds=10))
    assert claim() is None
    late = add_staff("bob@x.gov.uk", status="wrap_up", since=IN_HOURS - timedelta(seconds=61))
    assert claim().advisor_id == late


def test_claim_for_one_advisor(app):
    add_waiting_call(1)
    add_staff("amy@x.gov.uk", since=IN_HOURS - timedelta(hours=2))
    bob = add_staff("bob@x.gov.uk")
    assert claim(advisor_id=bob).advisor_id == bob


def test_offline_busy_or_unskilled_advisors_are_never_chosen(app):
    add_waiting_call(1)
    add_staff("a@x.gov.uk", status="offline")
    add_staff("b@x.gov.uk", status="busy")
    add_staff("c@x.gov.uk", skills=("careline",))
    add_staff("d@x.gov.uk", endpoint=None)
    assert claim() is None


def test_release_puts_everything_back(app):
    call_id = add_waiting_call(1)
    amy = add_staff("amy@x.gov.uk", since=IN_HOURS - timedelta(minutes=7))
    taken = claim()
    with db.transaction() as session:
        routing.release(session, taken)
    staff = one(Staff, Staff.id == amy)
    assert (staff.status, staff.status_changed_at) == ("available", IN_HOURS - timedelta(minutes=7))
    assert one(Call, Call.id == call_id).routing_state == "waiting"
    assert count(CallLeg) == 0


def test_a_claimed_caller_is_taken_out_of_the_queue_once(app):
    add_waiting_call(1)
    add_staff("amy@x.gov.uk")
    taken = claim()
    with db.transaction() as session:
        first = routing.take_queued_caller(session, taken.leg_id)
    with db.transaction() as session:
        assert routing.take_queued_caller(session, taken.leg_id) is None
    assert (first.call_sid, first.queue_sid, first.advisor_id) == (
        sid(1),
        QUEUE_SID,
        taken.advisor_id,
    )
    assert (one(Call).routing_state, one(Call).queue_sid) == ("connecting", None)


def test_a_poll_does_not_make_a_claimed_caller_movable_again(app):
    add_waiting_call(1)
    add_staff("amy@x.gov.uk")
    taken = claim()
    with db.transaction() as session:
        routing.take_queued_caller(session, taken.leg_id)
        routing.caller_in_queue(session.get(Call, taken.call_id), QUEUE_SID)
    assert one(Call).queue_sid is None


def test_release_leaves_a_claim_that_ended_meanwhile_alone(app):
    add_waiting_call(1)
    add_staff("amy@x.gov.uk", since=IN_HOURS - timedelta(minutes=7))
    taken = claim()
    with db.transaction() as session:
        call = session.get(Call, taken.call_id)
        call.ended_at = IN_HOURS + timedelta(seconds=5)
        routing.call_ended(session, call, IN_HOURS + timedelta(seconds=5))
    with db.transaction() as session:
        assert routing.release(session, taken) is False
    assert (one(CallLeg).result, one(Call).routing_state) == ("caller-hangup", "done")
    staff = one(Staff)
    assert (staff.status, staff.status_changed_at) == ("available", IN_HOURS + timedelta(seconds=5))


def test_two_takers_at_once_move_the_caller_once(app):
    add_waiting_call(1)
    add_staff("amy@x.gov.uk")
    taken = claim()
    results = []

    def take_in_another_session() -> None:
        with db.transaction() as session:
            results.append(routing.take_queued_caller(session, taken.leg_id))

    with db.transaction() as session:
        results.append(routing.take_queued_caller(session, taken.leg_id))
        other = threading.Thread(target=take_in_another_session)
        other.start()
        other.join(timeout=0.5)
        assert other.is_alive()  # it waits for this taker's row (PostgreSQL) or write lock
    other.join(timeout=10)
    assert results[0] is not None and results[1] is None
