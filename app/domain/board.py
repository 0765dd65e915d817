"""The supervisor's board (SPEC §14): queues, advisors and today's figures, read cheaply.

Every query runs on an index: waiting callers on `ix_calls_routing_queue` (routing_state
first), today's offered calls on `ix_calls_offered_started_at` (offered calls only), advisors
on the small staff table. "Today" is the Europe/London day of the app's clock.

Definitions: a call is *offered* when the caller reached a service queue; *answered* when an
advisor picked up; *abandoned* when the caller hung up before that. The speed of answer is the
time the caller spent in the queue (none when an advisor was free at once); the service level
is the share of answered and abandoned calls answered within `service_level_seconds`. Today's
offered, answered and abandoned are also given per caller's language (SPEC §13).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.domain.desk import effective_status, language_name
from app.models import AdvisorStatus, Call, Outcome, Role, RoutingState, Staff
from config.services import Service

LONDON = ZoneInfo("Europe/London")
STATUS_ORDER = (
    AdvisorStatus.AVAILABLE,
    AdvisorStatus.BUSY,
    AdvisorStatus.WRAP_UP,
    AdvisorStatus.OFFLINE,
)


@dataclass(frozen=True)
class QueueLine:
    """One service's queue now."""

    code: str
    name: str
    waiting: int = 0
    by_language: dict[str, int] = field(default_factory=dict)
    longest_wait_seconds: int | None = None
    waiting_since: datetime | None = None  # when the longest-waiting caller joined


@dataclass(frozen=True)
class AdvisorLine:
    """One advisor's status as routing sees it, and for how long."""

    id: int
    name: str
    status: str
    seconds_in_status: int
    since: datetime


@dataclass(frozen=True)
class LanguageFigures:
    """Today's calls in one language, named as staff read it."""

    language: str
    offered: int = 0
    answered: int = 0
    abandoned: int = 0


@dataclass(frozen=True)
class DayFigures:
    """Today's calls on the line, and the same counts per caller's language."""

    offered: int
    answered: int
    abandoned: int
    average_speed_of_answer: int | None  # seconds
    service_level: float | None  # 0..1
    by_language: tuple[LanguageFigures, ...] = ()


def london_day(now: datetime) -> tuple[datetime, datetime]:
    """The start and end of the Europe/London day holding `now`, DST-correct."""
    day = now.astimezone(LONDON).date()
    start = datetime.combine(day, time(), LONDON)
    end = datetime.combine(day + timedelta(days=1), time(), LONDON)
    return start, end


def _seconds(later: datetime, earlier: datetime) -> int:
    return max(0, int((later - earlier).total_seconds()))


def queues(session: Session, services: Sequence[Service], now: datetime) -> list[QueueLine]:
    """Callers waiting per service (by language) and the longest wait, services by priority."""
    rows = session.execute(
        select(
            Call.service_code,
            Call.language,
            func.count(),
            func.min(func.coalesce(Call.enqueued_at, Call.queue_sort_at)),
        )
        .where(Call.routing_state == RoutingState.WAITING, Call.ended_at.is_(None))
        .group_by(Call.service_code, Call.language)
    ).all()
    waiting: dict[str, dict[str, int]] = {}
    since: dict[str, datetime] = {}
    for code, language, count, earliest in rows:
        by_language = waiting.setdefault(code, {})
        name = language_name(language)
        by_language[name] = by_language.get(name, 0) + count
        if earliest is not None and (code not in since or earliest < since[code]):
            since[code] = earliest
    lines = []
    for service in sorted(services, key=lambda s: (s.priority, s.key)):
        by_language = waiting.get(service.code, {})
        longest = _seconds(now, since[service.code]) if service.code in since else None
        lines.append(
            QueueLine(
                service.code,
                service.name,
                sum(by_language.values()),
                by_language,
                longest,
                since.get(service.code),
            )
        )
    return lines


def advisors(session: Session, now: datetime, wrap_up_seconds: int) -> list[AdvisorLine]:
    """Active advisors by status (available, busy, wrap-up, offline), longest in it first."""
    found = session.execute(  # the columns shown, not whole rows: the board asks every 2.5 s
        select(Staff.id, Staff.name, Staff.email, Staff.status, Staff.status_changed_at).where(
            Staff.role == Role.ADVISOR, Staff.active.is_(True)
        )
    ).all()
    lines = []
    for staff in found:
        status, since = effective_status(staff, now, wrap_up_seconds)
        name = staff.name or staff.email
        lines.append(AdvisorLine(staff.id, name, status, _seconds(now, since), since))
    return sorted(lines, key=lambda a: (STATUS_ORDER.index(a.status), -a.seconds_in_status))


def _todays_calls(
    session: Session, now: datetime, service_level_seconds: int
) -> list[tuple[str | None, list[int]]]:
    """Per language today: offered, answered, abandoned, seconds the answered waited, in level."""
    start, end = london_day(now)
    answered = Call.answered_at.is_not(None)
    abandoned = and_(Call.answered_at.is_(None), Call.outcome == Outcome.ABANDONED)
    wait = func.coalesce(Call.queue_wait_seconds, 0)
    rows = session.execute(
        select(
            Call.language,
            func.count(),
            func.sum(case((answered, 1), else_=0)),
            func.sum(case((abandoned, 1), else_=0)),
            func.sum(case((answered, wait), else_=0)),
            func.sum(case((and_(answered, wait <= service_level_seconds), 1), else_=0)),
        )
        .where(Call.started_at >= start, Call.started_at < end, Call.enqueued_at.is_not(None))
        .group_by(Call.language)
    ).all()
    return [(code, [int(n or 0) for n in figures]) for code, *figures in rows]


def _add(into: list[int], figures: list[int]) -> list[int]:
    return [a + b for a, b in zip(into, figures, strict=True)]


def today(
    session: Session, now: datetime, service_level_seconds: int, languages: Sequence[str] = ()
) -> DayFigures:
    """Today's offered, answered, abandoned, speed of answer and service level; by language too.

    Each of the line's `languages` is listed, in the line's order, even before its first call.
    """
    totals = [0] * 5
    by_language = {language_name(code): [0, 0, 0] for code in languages}
    for code, figures in _todays_calls(session, now, service_level_seconds):
        totals = _add(totals, figures)
        name = language_name(code)
        by_language[name] = _add(by_language.get(name, [0, 0, 0]), figures[:3])
    offered, answered, abandoned, waited, within = totals
    finished = answered + abandoned
    return DayFigures(
        offered=offered,
        answered=answered,
        abandoned=abandoned,
        average_speed_of_answer=round(waited / answered) if answered else None,
        service_level=within / finished if finished else None,
        by_language=tuple(LanguageFigures(name, *n) for name, n in by_language.items()),
    )
