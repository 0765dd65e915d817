"""Atomic claims (SPEC §5): one waiting caller and one idle advisor taken in one transaction.

On PostgreSQL both rows are locked with `FOR UPDATE SKIP LOCKED` and every status change is
a guarded UPDATE, so many web processes can match at once without double-booking anyone.
Moving a claimed caller out of Twilio's queue is taken exactly once (`take_queued_caller`), by
the caller's own waitUrl poll or by the connect job (workers.routing), whichever comes first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from app.domain import audit
from app.domain.routing.legs import set_advisor_status
from app.domain.routing.order import (
    IdleAdvisor,
    WaitingCaller,
    advisor_languages,
    choose_pair,
    idle_since,
)
from app.models import AdvisorStatus, Call, CallLeg, LegKind, Role, RoutingState, Staff

CANDIDATE_CALLERS = 50
CLAIM_ATTEMPTS = 8


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


class AdvisorRow(Protocol):
    """The columns of an idle advisor's row that a claim reads: id, and status as stored."""

    id: int
    status: str
    status_changed_at: datetime


def idle_advisors(
    session: Session, now: datetime, wrap_up_seconds: int, only: int | None
) -> dict[int, tuple[IdleAdvisor, AdvisorRow]]:
    """Advisors free to take a call now (or only advisor `only`), by id, with their status.

    Only the columns matching needs, read afresh (every routing webhook matches, and whole
    Staff rows, refreshed in the session, cost the waiting callers' webhooks their p99)."""
    query = select(
        Staff.id, Staff.status, Staff.status_changed_at, Staff.skills, Staff.languages
    ).where(
        Staff.role == Role.ADVISOR,
        Staff.active.is_(True),
        Staff.endpoint.is_not(None),
        Staff.status.in_((AdvisorStatus.AVAILABLE, AdvisorStatus.WRAP_UP)),
    )
    if only is not None:
        query = query.where(Staff.id == only)
    found: dict[int, tuple[IdleAdvisor, AdvisorRow]] = {}
    for row in session.execute(query):
        since = idle_since(row.status, row.status_changed_at, now, wrap_up_seconds)
        if since is not None and row.skills:
            languages = advisor_languages(row.languages)
            idle = IdleAdvisor(row.id, frozenset(row.skills), since, languages)
            found[row.id] = (idle, row)
    return found


def speaker_free(
    session: Session, now: datetime, wrap_up_seconds: int, service_code: str, language: str
) -> bool:
    """Whether an advisor skilled for the service who speaks `language` is free now."""
    return any(
        service_code in idle.skills and language in idle.languages
        for idle, _ in idle_advisors(session, now, wrap_up_seconds, None).values()
    )


def _waiting_callers(
    session: Session,
    idle: list[IdleAdvisor],
    reachable_call_id: int | None,
    excluded: set[int],
) -> list[WaitingCaller]:
    skills = set().union(*(a.skills for a in idle))
    spoken = set().union(*(a.languages for a in idle))
    reachable = Call.queue_sid.is_not(None)
    if reachable_call_id is not None:
        reachable = or_(reachable, Call.id == reachable_call_id)
    # Only callers some idle advisor speaks for, so that callers waiting for a language nobody
    # free speaks do not crowd the others out of the candidates.
    language = or_(
        Call.language.is_(None), Call.any_language_since.is_not(None), Call.language.in_(spoken)
    )
    query = (
        select(
            Call.id,
            Call.service_code,
            Call.queue_priority,
            Call.queue_sort_at,
            Call.language,
            Call.any_language_since,
        )
        .where(
            Call.routing_state == RoutingState.WAITING,
            Call.ended_at.is_(None),
            Call.service_code.in_(skills),
            language,
            reachable,
        )
        .order_by(Call.queue_priority, Call.queue_sort_at, Call.id)
        .limit(CANDIDATE_CALLERS + len(excluded))
    )
    return [
        WaitingCaller(
            row.id,
            row.service_code,
            row.queue_priority or 0,
            row.queue_sort_at,
            row.language,
            row.any_language_since is not None,
        )
        for row in session.execute(query)
        if row.id not in excluded and row.queue_sort_at is not None
    ]


def lock_row(session: Session, query) -> bool:  # noqa: ANN001
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
        advisors = idle_advisors(session, now, wrap_up_seconds, advisor_id)
        idle = [a for a_id, (a, _) in advisors.items() if a_id not in skipped_advisors]
        if not any(a.skills for a in idle):
            return None
        callers = _waiting_callers(session, idle, reachable_call_id, skipped_callers)
        pair = choose_pair(callers, idle)
        if pair is None:
            return None
        caller, advisor = pair
        staff = advisors[advisor.advisor_id][1]
        if not lock_row(
            session,
            select(Staff.id).where(Staff.id == staff.id, Staff.status == staff.status),
        ):
            skipped_advisors.add(staff.id)
            continue
        if not lock_row(
            session,
            select(Call.id).where(
                Call.id == caller.call_id, Call.routing_state == RoutingState.WAITING
            ),
        ):
            skipped_callers.add(caller.call_id)
            continue
        return _take(session, caller, staff, now)
    return None


def _take(session: Session, caller: WaitingCaller, staff: AdvisorRow, now: datetime) -> Claim:
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
