"""Transfers during a call (SPEC §4.7): to another advisor, or back into a service's queue.

A transfer to an advisor claims them like a match does and opens a transfer leg; if Twilio
then refuses the redirect, `undo_transfer` puts everything back as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.routing.claims import Claim, idle_advisors, lock_row, release, take_write_lock
from app.domain.routing.legs import open_leg, set_advisor_status
from app.models import AdvisorStatus, Call, CallLeg, LegKind, RoutingState, Staff
from config.services import Service


class TransferRefused(Exception):
    """A transfer that cannot happen now (the message says why)."""


@dataclass(frozen=True)
class Transfer:
    """A transfer to an advisor in progress, with what `undo_transfer` needs to restore."""

    claim: Claim
    previous_leg_id: int | None
    previous_state: str | None
    previous_advisor_id: int | None


def transfer_to_advisor(
    session: Session, call: Call, target_id: int, now: datetime, wrap_up_seconds: int
) -> Transfer:
    """Take the target advisor for this call and open a transfer leg; not committed."""
    take_write_lock(session)
    advisors = idle_advisors(session, now, wrap_up_seconds, target_id)
    if target_id not in advisors:
        raise TransferRefused("that advisor is not available")
    staff = advisors[target_id][1]
    previous = (staff.status, staff.status_changed_at)
    if not lock_row(
        session, select(Staff.id).where(Staff.id == target_id, Staff.status == previous[0])
    ):
        raise TransferRefused("that advisor is being connected to another caller")
    if not set_advisor_status(session, target_id, AdvisorStatus.BUSY, now, only_from={previous[0]}):
        raise TransferRefused("that advisor is no longer available")
    before = (call.routing_state, call.assigned_advisor_id)
    old_leg = _end_current_leg(session, call, now)
    call.routing_state, call.assigned_advisor_id = RoutingState.CONNECTING, target_id
    leg = CallLeg(call_id=call.id, advisor_id=target_id, kind=LegKind.TRANSFER, started_at=now)
    session.add(leg)
    session.flush()
    claim = Claim(call.id, call.call_sid, call.queue_sid, target_id, leg.id, *previous)
    return Transfer(claim, old_leg.id if old_leg else None, *before)


def undo_transfer(session: Session, call: Call, transfer: Transfer) -> None:
    """Twilio refused the redirect: the caller stays with the advisor they were talking to."""
    release(session, transfer.claim)
    session.refresh(call)
    call.routing_state = transfer.previous_state
    call.assigned_advisor_id = transfer.previous_advisor_id
    leg = session.get(CallLeg, transfer.previous_leg_id) if transfer.previous_leg_id else None
    if leg is not None:
        leg.ended_at = leg.result = None
    if transfer.previous_advisor_id is not None:
        wrap = {AdvisorStatus.WRAP_UP}
        since = leg.started_at if leg is not None else call.started_at
        set_advisor_status(
            session, transfer.previous_advisor_id, AdvisorStatus.BUSY, since, only_from=wrap
        )


def transfer_to_service(session: Session, call: Call, service: Service, now: datetime) -> None:
    """Put the caller back in routing for another service, keeping their waiting time."""
    _end_current_leg(session, call, now)
    call.service_code, call.queue_priority = service.code, service.priority
    call.routing_state, call.assigned_advisor_id, call.queue_sid = RoutingState.WAITING, None, None
    call.queue_sort_at = call.queue_sort_at or call.enqueued_at or now


def _end_current_leg(session: Session, call: Call, now: datetime) -> CallLeg | None:
    leg = open_leg(session, call)
    if leg is None:
        return None
    leg.ended_at, leg.result = now, "transferred"
    if leg.advisor_id is not None:
        busy = {AdvisorStatus.BUSY}
        set_advisor_status(session, leg.advisor_id, AdvisorStatus.WRAP_UP, now, only_from=busy)
    return leg
