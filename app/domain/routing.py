"""Matching waiting callers to advisors (SPEC §5): pure ordering rules, then atomic claims.

The order lives in the database, not in Twilio's queue: highest-priority service first
(lowest number), then the longest-waiting caller (`queue_sort_at`; a caller put back at the
front gets a key earlier than everyone waiting), to the longest-idle available advisor
skilled for that service. A claim takes one caller and one advisor in one transaction;
on PostgreSQL both rows are locked with `FOR UPDATE SKIP LOCKED` and every status change is
a guarded UPDATE, so many web processes can match at once without double-booking anyone.
Moving a claimed caller out of Twilio's queue is taken exactly once (`take_queued_caller`), by
the caller's own waitUrl poll or by the connect job (workers.routing), whichever comes first.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from app.domain import audit
from app.domain.phone import mask
from app.models import AdvisorStatus, Call, CallLeg, LegKind, Outcome, Role, RoutingState, Staff
from config.services import Service

log = logging.getLogger(__name__)
CANDIDATE_CALLERS = 50
CLAIM_ATTEMPTS = 8
FRONT_STEP = timedelta(milliseconds=1)
CLIENT_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,121}$")


# --------------------------------------------------------------------------- endpoints


class InvalidEndpoint(ValueError):
    """An advisor endpoint that cannot be dialled."""


@dataclass(frozen=True)
class Endpoint:
    """Where an advisor answers: a Voice SDK client, a SIP URI or a phone number."""

    kind: str  # "client", "sip" or "number"
    address: str


def parse_endpoint(value: str) -> Endpoint:
    """`client:NAME`, `sip:user@host` or an E.164 number, or InvalidEndpoint."""
    value = value.strip()
    if value.startswith("client:"):
        name = value.removeprefix("client:")
        if not CLIENT_NAME.match(name):
            raise InvalidEndpoint("client:NAME takes letters, digits, '_', '.' or '-'")
        return Endpoint("client", name)
    if value.startswith(("sip:", "sips:")):
        if "@" not in value or " " in value or len(value) > 200:
            raise InvalidEndpoint("a SIP endpoint looks like sip:user@host")
        return Endpoint("sip", value)
    if value.startswith("+"):
        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException as exc:
            raise InvalidEndpoint(f"not a phone number: {exc}") from exc
        if phonenumbers.is_valid_number(number):
            return Endpoint(
                "number", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            )
    raise InvalidEndpoint("the endpoint must be client:NAME, sip:user@host or an E.164 number")


def endpoint_for_logs(value: str | None) -> str:
    """An endpoint as it may appear in logs (phone numbers masked)."""
    if value and value.startswith("+"):
        return mask(value)
    return value or "none"


# --------------------------------------------------------------------------- pure ordering


@dataclass(frozen=True)
class WaitingCaller:
    """A caller the app could connect now."""

    call_id: int
    service_code: str
    priority: int
    sort_at: datetime


@dataclass(frozen=True)
class IdleAdvisor:
    """An advisor free to take a call, idle since `idle_since`."""

    advisor_id: int
    skills: frozenset[str]
    idle_since: datetime


def caller_order(caller: WaitingCaller) -> tuple[int, datetime, int]:
    """Highest-priority service first (lowest number), then longest waiting."""
    return (caller.priority, caller.sort_at, caller.call_id)


def advisor_order(advisor: IdleAdvisor) -> tuple[datetime, int]:
    """Longest idle first."""
    return (advisor.idle_since, advisor.advisor_id)


def idle_since(
    status: str, changed_at: datetime, now: datetime, wrap_up_seconds: int
) -> datetime | None:
    """When the advisor became free, or None while they cannot take a call.

    An advisor in wrap-up whose wrap-up time has passed counts as available from the moment
    it ended, so no timer is needed to flip them back.
    """
    if status == AdvisorStatus.AVAILABLE:
        return changed_at
    if status == AdvisorStatus.WRAP_UP:
        ends = changed_at + timedelta(seconds=wrap_up_seconds)
        return ends if ends <= now else None
    return None


def choose_pair(
    callers: Iterable[WaitingCaller], advisors: Sequence[IdleAdvisor]
) -> tuple[WaitingCaller, IdleAdvisor] | None:
    """The first caller in queue order that some advisor can take, and the longest-idle such."""
    for caller in sorted(callers, key=caller_order):
        skilled = [a for a in advisors if caller.service_code in a.skills]
        if skilled:
            return caller, min(skilled, key=advisor_order)
    return None


def front_of(sort_keys: Iterable[datetime], own: datetime) -> datetime:
    """A sort key that puts a caller ahead of everyone now waiting in their queue."""
    earliest = min(sort_keys, default=None)
    return own if earliest is None else min(own, earliest - FRONT_STEP)


# --------------------------------------------------------------------------- claims


@dataclass(frozen=True)
class Claim:
    """One caller and one advisor taken together; undone by `release` if connecting fails."""

    call_id: int
    call_sid: str
    queue_sid: str | None
    advisor_id: int
    leg_id: int
    previous_status: str
    previous_changed_at: datetime


def take_write_lock(session: Session) -> None:
    """SQLite: take the database write lock first, so claims run one at a time."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Staff).where(Staff.id == -1).values(status=Staff.status))


def _idle_advisors(
    session: Session, now: datetime, wrap_up_seconds: int, only: int | None
) -> dict[int, tuple[IdleAdvisor, Staff]]:
    query = select(Staff).where(
        Staff.role == Role.ADVISOR,
        Staff.active.is_(True),
        Staff.endpoint.is_not(None),
        Staff.status.in_((AdvisorStatus.AVAILABLE, AdvisorStatus.WRAP_UP)),
    )
    if only is not None:
        query = query.where(Staff.id == only)
    found = {}
    for staff in session.scalars(query.execution_options(populate_existing=True)):
        since = idle_since(staff.status, staff.status_changed_at, now, wrap_up_seconds)
        if since is not None and staff.skills:
            found[staff.id] = (IdleAdvisor(staff.id, frozenset(staff.skills), since), staff)
    return found


def _waiting_callers(
    session: Session, skills: set[str], reachable_call_id: int | None, excluded: set[int]
) -> list[WaitingCaller]:
    reachable = Call.queue_sid.is_not(None)
    if reachable_call_id is not None:
        reachable = or_(reachable, Call.id == reachable_call_id)
    query = (
        select(Call.id, Call.service_code, Call.queue_priority, Call.queue_sort_at)
        .where(
            Call.routing_state == RoutingState.WAITING,
            Call.ended_at.is_(None),
            Call.service_code.in_(skills),
            reachable,
        )
        .order_by(Call.queue_priority, Call.queue_sort_at, Call.id)
        .limit(CANDIDATE_CALLERS + len(excluded))
    )
    return [
        WaitingCaller(row.id, row.service_code, row.queue_priority or 0, row.queue_sort_at)
        for row in session.execute(query)
        if row.id not in excluded and row.queue_sort_at is not None
    ]


def _lock(session: Session, query) -> bool:  # noqa: ANN001
    """Lock the row `query` selects, skipping it if another transaction holds it."""
    return session.scalar(query.with_for_update(skip_locked=True)) is not None


def claim_next(
    session: Session,
    now: datetime,
    wrap_up_seconds: int,
    *,
    advisor_id: int | None = None,
    reachable_call_id: int | None = None,
) -> Claim | None:
    """Take the best caller/advisor pair (optionally for one advisor), or None; not committed.

    Only callers Twilio has put in its queue (their QueueSid is known) can be redirected;
    `reachable_call_id` names a caller this request can connect by answering TwiML instead.
    """
    take_write_lock(session)
    skipped_advisors: set[int] = set()
    skipped_callers: set[int] = set()
    for _ in range(CLAIM_ATTEMPTS):
        advisors = _idle_advisors(session, now, wrap_up_seconds, advisor_id)
        idle = [a for a_id, (a, _) in advisors.items() if a_id not in skipped_advisors]
        skills = set().union(*(a.skills for a in idle)) if idle else set()
        if not skills:
            return None
        callers = _waiting_callers(session, skills, reachable_call_id, skipped_callers)
        pair = choose_pair(callers, idle)
        if pair is None:
            return None
        caller, advisor = pair
        staff = advisors[advisor.advisor_id][1]
        if not _lock(
            session,
            select(Staff.id).where(Staff.id == staff.id, Staff.status == staff.status),
        ):
            skipped_advisors.add(staff.id)
            continue
        if not _lock(
            session,
            select(Call.id).where(
                Call.id == caller.call_id, Call.routing_state == RoutingState.WAITING
            ),
        ):
            skipped_callers.add(caller.call_id)
            continue
        return _take(session, caller, staff, now)
    return None


def _take(session: Session, caller: WaitingCaller, staff: Staff, now: datetime) -> Claim:
    """Mark the locked pair as connecting/busy (guarded) and open the advisor's leg."""
    previous = (staff.status, staff.status_changed_at)
    taken = session.execute(
        update(Call)
        .where(Call.id == caller.call_id, Call.routing_state == RoutingState.WAITING)
        .values(routing_state=RoutingState.CONNECTING, assigned_advisor_id=staff.id)
    )
    busy = session.execute(
        update(Staff)
        .where(Staff.id == staff.id, Staff.status == previous[0])
        .values(status=AdvisorStatus.BUSY, status_changed_at=now)
    )
    if taken.rowcount != 1 or busy.rowcount != 1:  # type: ignore[attr-defined]
        raise RuntimeError("a locked caller or advisor changed under the claim")
    leg = CallLeg(call_id=caller.call_id, advisor_id=staff.id, kind=LegKind.FIRST, started_at=now)
    session.add(leg)
    session.flush()
    call_sid, queue_sid = session.execute(
        select(Call.call_sid, Call.queue_sid).where(Call.id == caller.call_id)
    ).one()
    return Claim(caller.call_id, call_sid, queue_sid, staff.id, leg.id, *previous)


def release(session: Session, claim: Claim) -> bool:
    """Undo a claim whose connection failed: the caller waits again, the advisor is free.

    The advisor gets back the status and idle time they had before the claim, so they keep
    their turn. Only while the claim stands (its leg neither answered nor ended): False when
    the caller hung up, the advisor answered, or the claim was released already.
    """
    leg = session.execute(
        delete(CallLeg).where(
            CallLeg.id == claim.leg_id, CallLeg.answered_at.is_(None), CallLeg.ended_at.is_(None)
        )
    )
    if leg.rowcount != 1:  # type: ignore[attr-defined]
        return False
    session.execute(
        update(Call)
        .where(
            Call.id == claim.call_id,
            Call.routing_state == RoutingState.CONNECTING,
            Call.assigned_advisor_id == claim.advisor_id,
        )
        .values(routing_state=RoutingState.WAITING, assigned_advisor_id=None)
    )
    session.execute(
        update(Staff)
        .where(Staff.id == claim.advisor_id, Staff.status == AdvisorStatus.BUSY)
        .values(status=claim.previous_status, status_changed_at=claim.previous_changed_at)
    )
    return True


@dataclass(frozen=True)
class QueuedCaller:
    """A claimed caller still in Twilio's queue, taken by whoever will move them out of it."""

    call_id: int
    call_sid: str
    queue_sid: str
    advisor_id: int
    leg_id: int


def take_queued_caller(session: Session, leg_id: int) -> QueuedCaller | None:
    """Take, once, the move of this leg's claimed caller out of Twilio's queue; not committed.

    Taking clears the caller's QueueSid (they are on their way out of the queue), so the connect
    job and the caller's own waitUrl poll never both move them, and a job run twice or late
    finds nothing. None when nothing is left to move: the leg was answered, ended or released,
    the caller hung up, or someone else took the move.
    """
    take_write_lock(session)
    found = session.execute(
        select(Call.id, Call.call_sid, Call.queue_sid, CallLeg.advisor_id)
        .join(CallLeg, CallLeg.call_id == Call.id)
        .where(
            CallLeg.id == leg_id,
            CallLeg.answered_at.is_(None),
            CallLeg.ended_at.is_(None),
            Call.routing_state == RoutingState.CONNECTING,
            Call.assigned_advisor_id == CallLeg.advisor_id,
            Call.ended_at.is_(None),
            Call.queue_sid.is_not(None),
        )
    ).one_or_none()
    if found is None:
        return None
    taken = session.execute(
        update(Call)
        .where(
            Call.id == found.id,
            Call.routing_state == RoutingState.CONNECTING,
            Call.assigned_advisor_id == found.advisor_id,
            Call.queue_sid == found.queue_sid,
        )
        .values(queue_sid=None)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return QueuedCaller(found.id, found.call_sid, found.queue_sid, found.advisor_id, leg_id)


def release_stale_claims(session: Session, now: datetime, older_than: timedelta) -> list[str]:
    """Claims whose advisor leg never rang out or answered (a process died mid-connect).

    The caller waits again at their old place (the next waitUrl poll matches them) and the
    advisor, who was never rung, is available again. Returns the CallSids released.
    """
    stale = session.execute(
        select(Call, CallLeg)
        .join(CallLeg, CallLeg.call_id == Call.id)
        .where(
            Call.routing_state == RoutingState.CONNECTING,
            Call.ended_at.is_(None),
            CallLeg.advisor_id == Call.assigned_advisor_id,
            CallLeg.answered_at.is_(None),
            CallLeg.ended_at.is_(None),
            CallLeg.started_at < now - older_than,
        )
    ).all()
    for call, leg in stale:
        leg.ended_at, leg.result = now, "stale"
        call.routing_state, call.assigned_advisor_id, call.queue_sid = (
            RoutingState.WAITING,
            None,
            None,
        )
        if leg.advisor_id is not None:
            set_advisor_status(
                session,
                leg.advisor_id,
                AdvisorStatus.AVAILABLE,
                now,
                only_from={AdvisorStatus.BUSY},
            )
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="routing.claim_released",
            subject_type="call",
            subject_id=call.call_sid,
            details={"advisor_id": leg.advisor_id, "reason": "connect never completed"},
        )
    return [call.call_sid for call, _ in stale]


# --------------------------------------------------------------------------- call lifecycle


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


# --------------------------------------------------------------------------- transfers


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
    advisors = _idle_advisors(session, now, wrap_up_seconds, target_id)
    if target_id not in advisors:
        raise TransferRefused("that advisor is not available")
    staff = advisors[target_id][1]
    previous = (staff.status, staff.status_changed_at)
    if not _lock(
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


def should_record(call: Call, advisor: Staff | None) -> bool:
    """SPEC §4.5/4.7: record a leg only if the caller has not opted out and the advisor records."""
    return bool(advisor and advisor.records_calls and not call.recording_opted_out)
