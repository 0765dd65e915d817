"""The records officer's list of access requests (SPEC §14): flags, sorting, filters, and the
figure "answered on time this year". Flask-free queries; the console renders them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, and_, case, func, select
from sqlalchemy.orm import Session

from app.models import AccessRequest, RequestStatus
from recordings.retention import LONDON
from recordings.subject_access import DUE_SOON_WITHIN

__all__ = ["FILTERS", "SORTS", "OnTime", "answered_on_time", "listing", "new_online"]

SORTS = ("due", "received", "state")
FILTERS = ("open", "closed", "all", "overdue", "due_soon", "identity_pending", "new_online")


def new_online(request: AccessRequest) -> bool:
    """Made through the online form and not yet looked at: identity not verified, still open."""
    return (
        request.channel == "online"
        and request.identity_verified_on is None
        and request.status == RequestStatus.OPEN
    )


def _is_new_online():  # noqa: ANN202
    return and_(
        AccessRequest.channel == "online",
        AccessRequest.identity_verified_on.is_(None),
        AccessRequest.status == RequestStatus.OPEN,
    )


def _filtered(query: Select, show: str, today: date) -> Select:
    is_open = AccessRequest.status == RequestStatus.OPEN
    conditions = {
        "open": is_open,
        "closed": AccessRequest.status == RequestStatus.CLOSED,
        "overdue": and_(is_open, AccessRequest.due_on < today),
        "due_soon": and_(is_open, AccessRequest.due_on.between(today, today + DUE_SOON_WITHIN)),
        "identity_pending": and_(
            is_open, AccessRequest.identity_pending, AccessRequest.identity_verified_on.is_(None)
        ),
        "new_online": _is_new_online(),
    }
    return query.where(conditions[show]) if show in conditions else query


def listing(
    session: Session,
    *,
    today: date,
    show: str,
    sort: str,
    descending: bool,
    limit: int,
    offset: int,
) -> tuple[list[AccessRequest], int]:
    """A page of requests, new online ones first, then by `sort`; and how many match."""
    query = _filtered(select(AccessRequest), show, today)
    total = int(session.scalar(query.with_only_columns(func.count())) or 0)
    key = {
        "due": func.coalesce(AccessRequest.due_on, date.max),
        "received": AccessRequest.received_on,
        "state": AccessRequest.status,
    }[sort if sort in SORTS else "due"]
    order = key.desc() if descending else key.asc()
    query = (
        query.order_by(case((_is_new_online(), 0), else_=1), order, AccessRequest.id)
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query)), total


@dataclass(frozen=True)
class OnTime:
    """Requests closed this calendar year (London), and those closed by their due date."""

    closed: int
    on_time: int

    @property
    def percent(self) -> int | None:
        """Whole percent on time; None when none were closed."""
        return round(100 * self.on_time / self.closed) if self.closed else None


def answered_on_time(session: Session, now: datetime) -> OnTime:
    """How many requests closed this year were closed on or before their due date."""
    year = now.astimezone(LONDON).year
    start = datetime.combine(date(year, 1, 1), time(0), tzinfo=LONDON)
    end = datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=LONDON)
    rows = session.execute(
        select(AccessRequest.closed_at, AccessRequest.due_on).where(
            AccessRequest.status == RequestStatus.CLOSED,
            AccessRequest.closed_at >= start,
            AccessRequest.closed_at < end,
        )
    ).all()
    on_time = sum(
        1 for closed_at, due in rows if due is None or closed_at.astimezone(LONDON).date() <= due
    )
    return OnTime(closed=len(rows), on_time=on_time)
