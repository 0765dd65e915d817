"""The access-request clock (SPEC §8, §12): pause for clarification, resume, extend, refuse.

Pausing stops the clock while the officer waits for the requester to clarify; resuming moves
the due date by the whole Europe/London days it was paused (kept in `paused_days`), then to a
working day; the days paused also carry into an extension. Refusing (manifestly unfounded or
excessive) stores the ground and the reason (the notice sent is derived from them and kept in
the audit entry), then closes the request exactly as `close` does: its holds are released.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from app.domain import access_requests as sar
from app.domain import audit
from app.models import AccessRequest, RequestStatus
from recordings.refusal_notice import RefusalGround, refusal_notice
from recordings.retention import add_calendar_months
from recordings.subject_access import clock_start, london_today, next_working_day

__all__ = ["due_with_pauses", "extend", "pause", "refuse", "refusal_notice_of", "resume"]


def _audit(session: Session, request: AccessRequest, actor: str, action: str, **details: object):
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="access_request",
        subject_id=str(request.id),
        reason=details.pop("reason", None),  # type: ignore[arg-type]
        details={"reference": request.reference, **details},
    )


def _open(request: AccessRequest) -> None:
    if request.status != RequestStatus.OPEN:
        raise sar.AccessRequestConflict(f"request {request.reference} is closed")


def pause(
    session: Session, request: AccessRequest, reason: str, *, actor: str, now: datetime
) -> AccessRequest:
    """Stop the clock while awaiting the requester's clarification."""
    _open(request)
    if request.paused_at is not None:
        raise sar.AccessRequestConflict("the clock is already paused")
    if request.due_on is None:
        raise sar.AccessRequestConflict("the clock has not started: identity is still pending")
    if london_today(now) > request.due_on:
        raise sar.AccessRequestConflict(
            f"the due date {request.due_on.isoformat()} has passed: the clock cannot be paused"
        )
    if not reason.strip():
        raise sar.AccessRequestInvalid("a pause needs a reason")
    request.paused_at, request.pause_reason = now, reason.strip()
    _audit(session, request, actor, "access_request.pause", reason=request.pause_reason)
    return request


def resume(session: Session, request: AccessRequest, *, actor: str, now: datetime) -> AccessRequest:
    """Restart the clock; the due date moves by the whole London days paused."""
    _open(request)
    if request.paused_at is None or request.due_on is None:
        raise sar.AccessRequestConflict("the clock is not paused")
    days = max(0, (london_today(now) - london_today(request.paused_at)).days)
    previous = request.due_on
    request.paused_days = (request.paused_days or 0) + days
    request.due_on = due_with_pauses(request)
    request.paused_at = None
    _audit(
        session,
        request,
        actor,
        "access_request.resume",
        days_paused=days,
        previous_due_date=previous.isoformat(),
        due_date=request.due_on.isoformat(),
    )
    return request


def extend(
    session: Session, request: AccessRequest, months: int, reason: str, *, actor: str, now: datetime
) -> AccessRequest:
    """The one extension (see `access_requests.extend`), keeping the days paused so far."""
    if request.paused_at is not None:
        raise sar.AccessRequestConflict("the clock is paused: resume it before extending")
    sar.extend(session, request, months, reason, actor=actor, now=now)
    request.due_on = due_with_pauses(request)
    return request


def due_with_pauses(request: AccessRequest) -> date | None:
    """The ICO date (one month, plus any extension) plus the days paused, on a working day."""
    start = clock_start(request.received_on, request.identity_verified_on, request.identity_pending)
    if start is None:
        return None
    months = 1 + (request.extended_by_months or 0)
    days = timedelta(days=request.paused_days or 0)
    return next_working_day(add_calendar_months(start, months) + days)


def refuse(
    session: Session, request: AccessRequest, ground: str, reason: str, *, actor: str, now: datetime
) -> tuple[AccessRequest, list[str]]:
    """Refuse as manifestly unfounded or excessive, then close (holds released, packages shred).

    Returns the package keys to delete, as `close` does.
    """
    _open(request)
    if ground not in set(RefusalGround):
        raise sar.AccessRequestInvalid(f"a refusal ground is one of {', '.join(RefusalGround)}")
    if not reason.strip():
        raise sar.AccessRequestInvalid("a refusal needs a reason the requester is told")
    request.refused_at, request.refusal_ground = now, ground
    request.refusal_reason = reason.strip()
    _audit(
        session,
        request,
        actor,
        "access_request.refuse",
        reason=request.refusal_reason,
        ground=ground,
        notice=refusal_notice_of(request),
    )
    return sar.close(session, request, actor=actor, now=now)


def refusal_notice_of(request: AccessRequest) -> str | None:
    """The notice a refused request's requester is sent, in its language (None unless refused)."""
    if request.refusal_ground is None:
        return None
    return refusal_notice(
        request.reference, request.refusal_ground, request.refusal_reason or "", request.language
    )
