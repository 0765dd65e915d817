"""The records officer's list of access requests (SPEC §14): flags, sorting, filters, and the
figure "answered on time this year". Flask-free queries; the console renders them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import Select, and_, case, func, or_, select
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
    # The page's ids first (a sort of narrow rows), then those rows: sorting whole rows to
    # skip thousands of them cost more than the rest of the page (the console pages bench).
    ids = list(
        session.scalars(
            query.with_only_columns(AccessRequest.id)
            .order_by(case((_is_new_online(), 0), else_=1), order, AccessRequest.id)
            .limit(limit)
            .offset(offset)
        )
    )
    found = {
        r.id: r for r in session.scalars(select(AccessRequest).where(AccessRequest.id.in_(ids)))
    }
    return [found[i] for i in ids], total


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
    """How many requests closed this year were closed on or before their due date (London)."""
    year = now.astimezone(LONDON).year
    start = datetime.combine(date(year, 1, 1), time(0), tzinfo=LONDON)
    end = datetime.combine(date(year + 1, 1, 1), time(0), tzinfo=LONDON)
    closed = [
        AccessRequest.status == RequestStatus.CLOSED,
        AccessRequest.closed_at >= start,
        AccessRequest.closed_at < end,
    ]
    if session.get_bind().dialect.name == "sqlite":  # no time zones: the dates in Python
        rows = session.execute(
            select(AccessRequest.closed_at, AccessRequest.due_on).where(*closed)
        ).all()
        on_time = sum(1 for closed_at, due in rows if due is None or _london_day(closed_at) <= due)
        return OnTime(closed=len(rows), on_time=on_time)
    # Counted in the database: a year's closed requests are thousands of rows.
    closed_day = func.date(func.timezone(LONDON.key, AccessRequest.closed_at))
    on_time_clause = or_(AccessRequest.due_on.is_(None), closed_day <= AccessRequest.due_on)
    total, on_time = session.execute(
        select(func.count(), func.count().filter(on_time_clause)).where(*closed)
    ).one()
    return OnTime(closed=int(total), on_time=int(on_time))


def _london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()
