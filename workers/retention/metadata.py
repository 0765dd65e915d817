"""Step 3 of retention: anonymise call metadata six years after the caller's last contact.

Calls whose caller's last contact is more than six years ago lose the caller's number
(anonymised: times, service and outcome stay for the figures). SPEC §7.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import and_, exists, func, insert, select, update
from sqlalchemy.orm import Session

from app.domain import audit
from app.domain.holds import call_held_clause
from app.models import Call, DeletedWhat, DeletionRecord, Recording, RecordingStatus
from app.runtime import Runtime
from recordings.retention import (
    LONDON,
    add_calendar_months,
    metadata_expires_at,
    metadata_rule_name,
)
from workers.retention.summary import BATCH_SIZE, RetentionSummary

__all__ = ["METADATA_YEARS", "metadata_cutoff", "purge_call_metadata"]

METADATA_YEARS = 6


def metadata_cutoff(now: datetime, years: int = METADATA_YEARS) -> datetime:
    """An instant no later than which every expired caller's last contact lies (with margin).

    `metadata_expires_at` is calendar arithmetic in London time; this bound is two days looser
    so the database can narrow the candidates, and the exact rule is applied to each one.
    """
    local = now.astimezone(LONDON)
    earlier = add_calendar_months(local.date(), -12 * years)
    return datetime.combine(earlier, time(0), LONDON) + timedelta(days=2)


def purge_call_metadata(
    runtime: Runtime,
    now: datetime,
    summary: RetentionSummary,
    *,
    batch_size: int = BATCH_SIZE,
    years: int = METADATA_YEARS,
) -> None:
    """Anonymise the calls of callers last in contact more than `years` years ago."""
    cutoff, after = metadata_cutoff(now, years), ""
    while True:
        with runtime.db.transaction() as session:
            numbers = _old_numbers(session, cutoff, after, batch_size)
            if not numbers:
                return
            after = numbers[-1]
            expired = _expired_numbers(session, numbers, now, years)
            if expired:
                _anonymise_calls(session, expired, now, years, summary)


def _old_numbers(session: Session, cutoff: datetime, after: str, limit: int) -> list[str]:
    """Caller numbers with a call before `cutoff`, in order, after `after` (keyset paging)."""
    query = (
        select(Call.from_number)
        .where(Call.started_at <= cutoff, Call.from_number.is_not(None), Call.from_number > after)
        .group_by(Call.from_number)
        .order_by(Call.from_number)
        .limit(limit)
    )
    return [n for n in session.scalars(query) if n]


def _expired_numbers(session: Session, numbers: list[str], now: datetime, years: int) -> list[str]:
    """Those of `numbers` whose latest call is more than `years` years before `now`."""
    last_contact = session.execute(
        select(Call.from_number, func.max(Call.started_at))
        .where(Call.from_number.in_(numbers))
        .group_by(Call.from_number)
    ).all()
    return [n for n, last in last_contact if metadata_expires_at(last, years) <= now]


def _anonymise_calls(
    session: Session, numbers: list[str], now: datetime, years: int, summary: RetentionSummary
) -> None:
    """Clear the caller's number on their calls, except calls held or with a live recording."""
    live_recording = exists().where(
        Recording.call_sid == Call.call_sid,
        Recording.status.in_([RecordingStatus.PENDING, RecordingStatus.STORED]),
    )
    keep = and_(Call.from_number.in_(numbers), call_held_clause() | live_recording)
    summary.calls_skipped += session.scalar(select(func.count()).select_from(Call).where(keep)) or 0
    call_sids = list(
        session.scalars(
            update(Call)
            .where(Call.from_number.in_(numbers), ~call_held_clause(), ~live_recording)
            .values(from_number=None)
            .returning(Call.call_sid)
            .execution_options(synchronize_session=False)
        )
    )
    if not call_sids:
        return
    rule = metadata_rule_name(years)
    session.execute(
        insert(DeletionRecord),
        [
            {
                "call_sid": sid,
                "what": DeletedWhat.CALLER_NUMBER.value,
                "rule": rule,
                "deleted_at": now,
            }
            for sid in call_sids
        ],
    )
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="retention.anonymise_calls",
        subject_type="call_batch",
        subject_id=f"{summary.run_id}-{len(call_sids)}-{call_sids[0]}"[:64],
        details={"count": len(call_sids), "rule": rule, "call_sids": call_sids},
    )
    summary.calls_anonymised += len(call_sids)
