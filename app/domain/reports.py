"""The retention report (SPEC §7): what is stored, held, due and overdue, and what was deleted.

Over the same window as the deletions it also counts the calls by the caller's language (§13).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from app.domain.holds import held_among_many_clause, held_clause
from app.models import Call, DeletedWhat, DeletionRecord, Recording, RecordingStatus
from recordings.retention import OVERDUE_AFTER

REPORT_DAYS = 30


@dataclass(frozen=True)
class RetentionReport:
    """Figures at one instant; `overdue` should always be zero."""

    at: datetime
    stored: int
    held: int
    held_past_due: int
    due: int
    overdue: int
    oldest_due: datetime | None
    deletions_per_day: list[dict[str, Any]]
    calls_by_language: list[dict[str, Any]] | None = None  # asked for by the API and command

    def as_json(self) -> dict[str, Any]:
        """The report as the API and the command show it."""
        return {
            "at": self.at.isoformat(),
            "stored": self.stored,
            "held": self.held,
            "held_past_due": self.held_past_due,
            "due": self.due,
            "overdue": self.overdue,
            "oldest_due": self.oldest_due.isoformat() if self.oldest_due else None,
            "deletions_per_day": self.deletions_per_day,
            **(
                {"calls_by_language": self.calls_by_language}
                if self.calls_by_language is not None
                else {}
            ),
        }


def retention_report(
    session: Session, now: datetime, days: int = REPORT_DAYS, *, languages: bool = False
) -> RetentionReport:
    """Compute the report at `now`; deletions are counted per UTC day over the last `days`;
    with `languages`, calls by language over those days too (it reads every call of the
    window, so the console page and the metrics scrape, which do not show it, leave it out).

    Two statements over recordings, each cheap however many are stored: the stored ones, in
    one pass over the index of stored recordings by due date, counted, counted past due and
    counted held, tested against the holds' sets read once (`held_among_many_clause`); and
    those past due (few: the sweep deletes them within the hour unless they are held), each
    tested for a hold by index probes (`held_clause`).
    """
    stored = Recording.status == RecordingStatus.STORED
    long_past_due = Recording.delete_after < now - OVERDUE_AFTER
    counted = session.execute(
        select(
            func.count(),
            func.count().filter(long_past_due),
            func.count().filter(held_among_many_clause()),
        ).where(stored)
    ).one()
    held = held_clause()
    past = session.execute(
        select(
            func.count(),
            func.count().filter(held),
            func.count().filter(and_(held, long_past_due)),
            func.min(Recording.delete_after).filter(~held),
        ).where(stored, Recording.delete_after <= now)
    ).one()
    return RetentionReport(
        at=now,
        stored=int(counted[0]),
        held=int(counted[2]),
        held_past_due=int(past[1]),
        due=int(past[0]) - int(past[1]),
        overdue=int(counted[1]) - int(past[2]),
        oldest_due=past[3],
        deletions_per_day=deletions_per_day(session, now, days),
        calls_by_language=calls_by_language(session, now, days) if languages else None,
    )


def _window_start(now: datetime, days: int) -> datetime:
    """The start of the report's window: UTC midnight `days - 1` days before `now`'s day."""
    first = now.astimezone(UTC).date() - timedelta(days=days - 1)
    return datetime.combine(first, datetime.min.time(), UTC)


def calls_by_language(session: Session, now: datetime, days: int) -> list[dict[str, Any]]:
    """Calls started in the last `days` UTC days by the caller's language; None: not chosen."""
    rows = session.execute(
        select(Call.language, func.count())
        .where(Call.started_at >= _window_start(now, days), Call.started_at <= now)
        .group_by(Call.language)
    ).all()
    ordered = sorted(rows, key=lambda row: (row[0] is None, row[0] or ""))
    return [{"language": language, "calls": count} for language, count in ordered]


def deletions_per_day(session: Session, now: datetime, days: int) -> list[dict[str, Any]]:
    """Deletion records per UTC day and kind, every day listed (zeros included), newest first."""
    today, since = now.astimezone(UTC).date(), _window_start(now, days)
    day = (
        func.date(DeletionRecord.deleted_at)
        if session.get_bind().dialect.name == "sqlite"
        else func.date(func.timezone("UTC", DeletionRecord.deleted_at))
    )
    rows = session.execute(
        select(day, DeletionRecord.what, func.count())
        .where(DeletionRecord.deleted_at >= since, DeletionRecord.deleted_at <= now)
        .group_by(day, DeletionRecord.what)
    ).all()
    counts: dict[tuple[str, str], int] = {(str(d), w): n for d, w, n in rows}
    kinds = {
        DeletedWhat.AUDIO_AND_KEY: "recordings",
        DeletedWhat.TWILIO_COPY: "twilio_copies",
        DeletedWhat.CALLER_NUMBER: "calls_anonymised",
    }
    result = []
    for offset in range(days):
        d: date = today - timedelta(days=offset)
        entry: dict[str, Any] = {"date": d.isoformat()}
        entry.update({name: counts.get((d.isoformat(), what), 0) for what, name in kinds.items()})
        result.append(entry)
    return result
