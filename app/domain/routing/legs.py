"""A call's legs and its advisor's status (SPEC §4.5-4.7, §5): joining, ringing, answering, ending.

A leg is one attempt to connect the caller to one advisor. Each webhook that reports on a leg
moves the call's routing state and the advisor's status together; status changes are guarded
(`only_from`), so a repeated or late webhook never overrides a newer one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain import audit
from app.domain.routing.order import front_of
from app.models import AdvisorStatus, Call, CallLeg, Outcome, RoutingState, Staff
from config.services import Service


def caller_joined(call: Call, service: Service) -> None:
    """The caller joins a service queue; a repeated webhook changes nothing once routed."""
    if call.routing_state not in (None, RoutingState.WAITING):
        return
    call.routing_state = RoutingState.WAITING
    call.queue_priority = service.priority
    call.queue_sort_at = call.queue_sort_at or call.enqueued_at
    call.queue_sid = None


def caller_in_queue(call: Call, queue_sid: str | None) -> None:
    """Twilio's waitUrl poll says which queue holds a waiting caller; from now on it can redirect.

    Not once they are claimed: a claimed caller's QueueSid is cleared when their move out of the
    queue is taken (`take_queued_caller`), and a late poll must not make them movable again.
    """
    if queue_sid and call.routing_state == RoutingState.WAITING and call.queue_sid != queue_sid:
        call.queue_sid = queue_sid[:34]


def set_advisor_status(
    session: Session, advisor_id: int, status: AdvisorStatus, now: datetime, *, only_from: set[str]
) -> bool:
    """Change an advisor's status only from one of `only_from`; True when it changed."""
    result = session.execute(
        update(Staff)
        .where(Staff.id == advisor_id, Staff.status.in_(only_from))
        .values(status=status, status_changed_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def leg_answered(call: Call, leg: CallLeg, dial_call_sid: str | None, now: datetime) -> None:
    """The advisor picked up (their whisper URL ran): the call is answered."""
    leg.answered_at = leg.answered_at or now
    leg.dial_call_sid = leg.dial_call_sid or (dial_call_sid or None)
    call.answered_at = call.answered_at or now
    if leg.ended_at is None:
        call.routing_state = RoutingState.CONNECTED


def leg_completed(
    session: Session, call: Call, leg: CallLeg, duration: int | None, now: datetime
) -> None:
    """The bridged call ended: leg closed, call answered, advisor to wrap-up."""
    answered = leg.answered_at or now - timedelta(seconds=duration or 0)
    leg.answered_at, leg.ended_at, leg.result = answered, now, "completed"
    call.answered_at = call.answered_at or answered
    if call.outcome == Outcome.ABANDONED:  # the status callback overtook the dial action
        call.outcome = Outcome.ANSWERED
    if call.assigned_advisor_id == leg.advisor_id:
        call.routing_state = RoutingState.DONE
    if leg.advisor_id is not None:
        busy = {AdvisorStatus.BUSY}
        set_advisor_status(session, leg.advisor_id, AdvisorStatus.WRAP_UP, now, only_from=busy)


def leg_not_answered(
    session: Session, call: Call, leg: CallLeg, result: str, now: datetime
) -> None:
    """Ring timeout, busy or failed: caller back to the front of their queue, advisor offline."""
    leg.ended_at, leg.result = now, result[:16]
    if call.assigned_advisor_id == leg.advisor_id:
        waiting = session.scalars(
            select(Call.queue_sort_at).where(
                Call.routing_state == RoutingState.WAITING,
                Call.service_code == call.service_code,
                Call.ended_at.is_(None),
                Call.id != call.id,
            )
        ).all()
        own = call.queue_sort_at or call.enqueued_at or now
        call.queue_sort_at = front_of([w for w in waiting if w is not None], own)
        call.routing_state, call.assigned_advisor_id, call.queue_sid = (
            RoutingState.WAITING,
            None,
            None,
        )
    if leg.advisor_id is not None:
        busy = {AdvisorStatus.BUSY}
        if set_advisor_status(session, leg.advisor_id, AdvisorStatus.OFFLINE, now, only_from=busy):
            audit.record(
                session,
                actor=audit.SYSTEM,
                action="advisor.status",
                subject_type="staff",
                subject_id=str(leg.advisor_id),
                details={"status": "offline", "reason": f"missed call ({result[:16]})"},
            )


def leg_abandoned(session: Session, call: Call, leg: CallLeg, result: str, now: datetime) -> None:
    """The caller went away while the advisor's phone rang: the advisor is free again."""
    leg.ended_at, leg.result = now, result[:16]
    if call.assigned_advisor_id == leg.advisor_id:
        call.routing_state = RoutingState.DONE
    if leg.advisor_id is not None:
        busy = {AdvisorStatus.BUSY}
        set_advisor_status(session, leg.advisor_id, AdvisorStatus.AVAILABLE, now, only_from=busy)


def open_leg(session: Session, call: Call) -> CallLeg | None:
    """The call's leg still in progress, if any."""
    return session.scalar(
        select(CallLeg)
        .where(CallLeg.call_id == call.id, CallLeg.ended_at.is_(None))
        .order_by(CallLeg.id.desc())
        .limit(1)
    )


def call_ended(session: Session, call: Call, now: datetime) -> None:
    """The caller's call is over: close any open leg and free its advisor."""
    if call.routing_state is None or call.ended_at is None:
        return
    leg = open_leg(session, call)
    if leg is not None:
        if leg.answered_at is not None:
            leg_completed(session, call, leg, None, now)
        else:
            leg_abandoned(session, call, leg, "caller-hangup", now)
    call.routing_state = RoutingState.DONE


def should_record(call: Call, advisor: Staff | None) -> bool:
    """SPEC §4.5/4.7: record a leg only if the caller has not opted out and the advisor records."""
    return bool(advisor and advisor.records_calls and not call.recording_opted_out)
