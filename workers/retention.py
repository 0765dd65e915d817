"""The retention job (SPEC §7): delete what is due, sweep Twilio's copies, anonymise old calls.

`run_retention()` is the periodic job (registered in workers.schedule) and `retention run`
runs the same `retention_sweep()` in the foreground. Its steps:

1. `delete_due_recordings`: an indexed query of stored recordings whose `delete_after` has
   passed and that no active hold covers, a batch at a time. Per batch, in one transaction
   that holds the rows (`FOR UPDATE SKIP LOCKED` on PostgreSQL): delete the objects (S3
   DeleteObjects, at most 1,000 keys a request), then a guarded UPDATE (`status='stored'`)
   marks them deleted and destroys the wrapped keys, one deletion record per recording and
   one audit entry per batch. Deleting an object twice is harmless, so a run killed between
   the store and the commit is repaired by the next one; two runs at once take disjoint rows.
   Then any copy still at Twilio is deleted.
2. `sweep_twilio_recordings`: recordings Twilio still lists from more than a day ago are
   deleted there once we have them (stored), never wanted them (discarded, opted out) or
   deleted ours; one we know but never stored (pending, failed) is left while it may still be
   ingested and deleted once past its retention date (our row then marked deleted); one we
   have never heard of is ingested if still within retention, else deleted. A legal hold
   (`held_clause`) stops every deletion but that of a stored recording's copy (ours is what
   the hold keeps); an unknown recording whose call or caller's number is held is ingested.
3. `purge_call_metadata`: calls whose caller's last contact is more than six years ago lose
   the caller's number (anonymised: times, service and outcome stay for the figures).
"""

from __future__ import annotations

import itertools
import logging
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from typing import Any

from requests import RequestException
from sqlalchemy import (
    ColumnElement,
    Integer,
    Row,
    and_,
    any_,
    bindparam,
    exists,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException, TwilioRestException

from app.domain import audit
from app.domain.holds import (
    call_held_clause,
    held_call_sids,
    held_clause,
    released_after_due_clause,
)
from app.integrations.queue import enqueue
from app.integrations.twilio import delete_recording, list_recordings
from app.models import (
    Call,
    DeletedWhat,
    DeletionRecord,
    Recording,
    RecordingStatus,
)
from app.runtime import Runtime, current
from recordings.retention import (
    LONDON,
    DeletionRule,
    add_calendar_months,
    delete_after,
    metadata_expires_at,
    metadata_rule_name,
    retention_rule_name,
)

__all__ = [
    "BATCH_SIZE",
    "DELETE_WORKERS",
    "METADATA_YEARS",
    "TWILIO_GRACE",
    "RetentionIncomplete",
    "RetentionSummary",
    "delete_due_recordings",
    "purge_call_metadata",
    "retention_sweep",
    "run_retention",
    "sweep_twilio_recordings",
]

log = logging.getLogger(__name__)

BATCH_SIZE = 1000
DELETE_WORKERS = 2  # batches in flight at once on PostgreSQL
TWILIO_PAGE_SIZE = 200
TWILIO_GRACE = timedelta(days=1)
METADATA_YEARS = 6
INGEST_JOB = "workers.ingest.ingest_recording"


class RetentionIncomplete(Exception):
    """The sweep finished but some deletions failed; the next run retries them."""


@dataclass
class RetentionSummary:
    """What one sweep did."""

    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])
    deleted: list[str] = field(default_factory=list)
    deleted_after_hold: int = 0
    twilio_copies_deleted: list[str] = field(default_factory=list)
    twilio_unknown_deleted: list[str] = field(default_factory=list)
    never_stored_expired: list[str] = field(default_factory=list)
    ingest_enqueued: list[str] = field(default_factory=list)
    calls_anonymised: int = 0
    calls_skipped: int = 0
    failures: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        """The figures, without sids (what the RQ job returns)."""
        return {
            "run_id": self.run_id,
            "recordings_deleted": len(self.deleted),
            "deleted_after_hold": self.deleted_after_hold,
            "twilio_copies_deleted": len(self.twilio_copies_deleted),
            "twilio_unknown_deleted": len(self.twilio_unknown_deleted),
            "never_stored_expired": len(self.never_stored_expired),
            "ingest_enqueued": len(self.ingest_enqueued),
            "calls_anonymised": self.calls_anonymised,
            "calls_skipped": self.calls_skipped,
            "failures": len(self.failures),
        }


def run_retention(now: datetime | None = None) -> dict[str, Any]:
    """The periodic retention job; fails (for RQ to show) if any deletion could not be done."""
    runtime = current()
    summary = retention_sweep(runtime, now or runtime.now())
    if summary.failures:
        raise RetentionIncomplete(f"{len(summary.failures)} failures: {summary.failures[:5]}")
    return summary.counts()


def retention_sweep(
    runtime: Runtime, now: datetime, *, batch_size: int = BATCH_SIZE
) -> RetentionSummary:
    """Run all three steps in order and say what was done."""
    summary = RetentionSummary()
    delete_due_recordings(runtime, now, summary, batch_size=batch_size)
    sweep_twilio_recordings(runtime, now, summary)
    purge_call_metadata(runtime, now, summary, batch_size=batch_size)
    log.info("retention run %s: %s", summary.run_id, summary.counts())
    return summary


# --- 1. recordings that are due ----------------------------------------------------------


def due_recordings_query(now: datetime, limit: int) -> Any:
    """Stored, due and not held, oldest first: walks ix_recordings_status_delete_after."""
    return (
        select(
            Recording.id,
            Recording.recording_sid,
            Recording.call_sid,
            Recording.storage_key,
            Recording.twilio_deleted_at,
            released_after_due_clause().label("after_hold"),
        )
        .where(
            Recording.status == RecordingStatus.STORED,
            Recording.delete_after <= now,
            ~held_clause(),
        )
        .order_by(Recording.delete_after, Recording.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=Recording)
    )


def delete_due_recordings(
    runtime: Runtime,
    now: datetime,
    summary: RetentionSummary,
    *,
    batch_size: int = BATCH_SIZE,
    workers: int | None = None,
) -> None:
    """Delete every due, unheld recording: objects, wrapped keys, then Twilio's copies.

    On PostgreSQL `DELETE_WORKERS` batches are in flight at once (each one its own transaction,
    disjoint by SKIP LOCKED), so one batch's store deletion overlaps another's database work.
    SQLite has a single writer: one batch at a time.
    """
    sqlite = runtime.db.engine is not None and runtime.db.engine.dialect.name == "sqlite"
    workers = 1 if sqlite else (workers or DELETE_WORKERS)
    batch_numbers, lock = itertools.count(1), threading.Lock()
    # The first batch alone: it also creates the audit chain's head row on a new deployment,
    # which two first writers at once would both try to insert.
    more = _delete_batches(runtime, now, summary, batch_size, batch_numbers, lock, limit=1)
    if not more:
        return
    if workers == 1:
        _delete_batches(runtime, now, summary, batch_size, batch_numbers, lock)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="retention") as pool:
        running = [
            pool.submit(_delete_batches, runtime, now, summary, batch_size, batch_numbers, lock)
            for _ in range(workers)
        ]
    for future in running:
        future.result()  # the first failure, if any, fails the run


def _delete_batches(
    runtime: Runtime,
    now: datetime,
    summary: RetentionSummary,
    batch_size: int,
    batch_numbers: Iterator[int],
    lock: threading.Lock,
    limit: int | None = None,
) -> bool:
    """Take, delete and record batches until none is left (False) or `limit` were done (True)."""
    months = runtime.settings.recording_retention_months
    for _ in itertools.count() if limit is None else range(limit):
        with runtime.db.transaction() as session:
            _take_sqlite_write_lock(session)
            batch = session.execute(due_recordings_query(now, batch_size)).all()
            if not batch:
                return False
            runtime.storage.delete_many([r.storage_key for r in batch if r.storage_key])
            batch_id = f"{summary.run_id}-{next(batch_numbers)}"
            deleted = _mark_deleted(session, batch, now, months, batch_id)
        with lock:
            summary.deleted.extend(r.recording_sid for r in deleted)
            summary.deleted_after_hold += sum(1 for r in deleted if r.after_hold)
        at_twilio = [r.recording_sid for r in deleted if r.twilio_deleted_at is None]
        _delete_twilio_copies(runtime, at_twilio, now, summary)
        if len(batch) < batch_size:
            return False
    return True


def _take_sqlite_write_lock(session: Session) -> None:
    """On SQLite, start as the writer, so no other writer commits between our read and write."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE recordings SET id = id WHERE 0 = 1"))


def _mark_deleted(
    session: Session, batch: Sequence[Row[Any]], now: datetime, months: int, batch_id: str
) -> list[Row[Any]]:
    """Mark the batch deleted (only rows still stored), destroy keys, record and audit."""
    table = Recording.__table__
    marked = set(
        session.scalars(
            table.update()
            .where(_id_in(session, table.c.id, [r.id for r in batch]))
            .where(table.c.status == RecordingStatus.STORED.value)
            .values(status=RecordingStatus.DELETED.value, deleted_at=now, wrapped_key=None)
            .returning(table.c.id)
        )
    )
    deleted = [r for r in batch if r.id in marked]
    if not deleted:
        return []
    records = [
        {
            "recording_sid": r.recording_sid,
            "call_sid": r.call_sid,
            "what": DeletedWhat.AUDIO_AND_KEY.value,
            "rule": retention_rule_name(months, after_hold=bool(r.after_hold)),
            "deleted_at": now,
        }
        for r in deleted
    ]
    _insert_deletion_records(session, records)
    audit.record(
        session,
        actor=audit.SYSTEM,
        action="retention.delete",
        subject_type="recording_batch",
        subject_id=batch_id,
        details={
            "count": len(deleted),
            "rules": dict(Counter(r["rule"] for r in records)),
            "what": DeletedWhat.AUDIO_AND_KEY.value,
            "recording_sids": [r.recording_sid for r in deleted],
        },
    )
    return deleted


def _id_in(session: Session, column: Any, ids: list[int]) -> ColumnElement[bool]:
    """`column IN ids`; on PostgreSQL one array parameter (`= ANY`), cheaper than 1,000 binds."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=postgresql.ARRAY(Integer)))
    return column.in_(ids)


_RECORD_COLUMNS = ("recording_sid", "call_sid", "what", "rule", "deleted_at")


def _insert_deletion_records(session: Session, records: list[dict[str, Any]]) -> None:
    """Insert in the session's transaction; COPY on PostgreSQL (a third of the time)."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(DeletionRecord.__table__.insert(), records)
        return
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    columns = ", ".join(_RECORD_COLUMNS)
    with cursor.copy(f"COPY deletion_records ({columns}) FROM STDIN") as copy:
        for record in records:
            copy.write_row(tuple(record[name] for name in _RECORD_COLUMNS))


def _delete_at_twilio(runtime: Runtime, sid: str) -> bool:
    """Delete Twilio's copy; True when it is gone (a 404 means it already was)."""
    try:
        delete_recording(runtime.twilio, sid)
    except TwilioRestException as exc:
        log.warning("Twilio refused to delete recording %s: %s %s", sid, exc.status, exc.code)
        return False
    except (TwilioException, RequestException) as exc:
        log.warning("could not reach Twilio to delete recording %s: %s", sid, exc)
        return False
    return True


def _delete_twilio_copies(
    runtime: Runtime, sids: Iterable[str], now: datetime, summary: RetentionSummary
) -> list[str]:
    """Delete copies at Twilio and note them on our rows; failures are left to the next run."""
    gone = []
    for sid in sids:
        if _delete_at_twilio(runtime, sid):
            gone.append(sid)
        else:
            summary.failures.append(f"twilio delete {sid}")
    if gone:
        with runtime.db.transaction() as session:
            session.execute(
                update(Recording)
                .where(Recording.recording_sid.in_(gone), Recording.twilio_deleted_at.is_(None))
                .values(twilio_deleted_at=now)
                .execution_options(synchronize_session=False)
            )
    return gone


# --- 2. what Twilio still holds -----------------------------------------------------------


def sweep_twilio_recordings(runtime: Runtime, now: datetime, summary: RetentionSummary) -> None:
    """Settle every recording Twilio lists as created more than a day before `now`."""
    cutoff = now - TWILIO_GRACE
    page: list[Any] = []
    listed = list_recordings(runtime.twilio, created_before=cutoff, page_size=TWILIO_PAGE_SIZE)
    for recording in listed:
        page.append(recording)
        if len(page) == TWILIO_PAGE_SIZE:
            _settle_twilio_page(runtime, page, now, summary)
            page = []
    if page:
        _settle_twilio_page(runtime, page, now, summary)


@dataclass(frozen=True)
class _Ours:
    """Our row of a recording Twilio lists, and whether a hold covers it (`held_clause`)."""

    id: int
    status: RecordingStatus
    started_at: datetime | None
    delete_after: datetime | None
    held: bool
    after_hold: bool


@dataclass(frozen=True)
class _TwilioDecision:
    sid: str
    call_sid: str | None
    action: str  # "delete", "ingest" or "leave"
    rule: str | None = None
    known: bool = False
    expire: tuple[int, datetime] | None = None  # our never-stored row to mark deleted, its due


def _decide(
    listed: Any, ours: _Ours | None, call: Call | None, call_held: bool, now: datetime, months: int
) -> _TwilioDecision:
    """What to do with one recording Twilio still lists (`call_held`: its call or number is)."""
    if ours is not None:
        return _decide_known(listed, ours, now, months)
    sid, call_sid = listed.sid, listed.call_sid
    opted_out = call is not None and call.recording_opted_out
    wanted = listed.status == "completed" and not opted_out  # ingest discards an opted-out one
    if call_held:  # whatever its age: ingested, it is kept under the hold like the call's others
        return _TwilioDecision(sid, call_sid, "ingest" if wanted else "leave")
    if opted_out:
        return _TwilioDecision(sid, call_sid, "delete", DeletionRule.OPTED_OUT.value)
    started = listed.start_time or listed.date_created
    if delete_after(started, months) <= now:
        return _TwilioDecision(sid, call_sid, "delete", DeletionRule.TWILIO_UNKNOWN_EXPIRED.value)
    return _TwilioDecision(sid, call_sid, "ingest" if wanted else "leave")


def _decide_known(listed: Any, ours: _Ours, now: datetime, months: int) -> _TwilioDecision:
    """Twilio's copy of a recording we know goes once we are done with it, never while held.

    A stored one's copy goes even under a hold: ours is the copy the hold keeps. A pending or
    failed one's copy is the only one: it is left until its retention date, then deleted (and
    our row marked deleted) like a stored one's audio.
    """
    sid, call_sid = listed.sid, listed.call_sid
    if ours.status == RecordingStatus.STORED:
        return _TwilioDecision(sid, call_sid, "delete", DeletionRule.TWILIO_COPY.value, True)
    if ours.held:
        return _TwilioDecision(sid, call_sid, "leave", known=True)
    if ours.status == RecordingStatus.DISCARDED:
        return _TwilioDecision(sid, call_sid, "delete", DeletionRule.OPTED_OUT.value, True)
    if ours.status == RecordingStatus.DELETED:
        return _TwilioDecision(sid, call_sid, "delete", retention_rule_name(months), True)
    started = ours.started_at or listed.start_time or listed.date_created
    due = ours.delete_after or delete_after(started, months)
    if due > now:
        return _TwilioDecision(sid, call_sid, "leave", known=True)
    rule = retention_rule_name(months, after_hold=ours.after_hold)
    return _TwilioDecision(sid, call_sid, "delete", rule, True, expire=(ours.id, due))


def _settle_twilio_page(
    runtime: Runtime, listed: list[Any], now: datetime, summary: RetentionSummary
) -> None:
    """Delete, ingest or leave each listed recording, then record what was deleted."""
    months = runtime.settings.recording_retention_months
    with runtime.db.transaction() as session:
        ours = _our_recordings(session, [r.sid for r in listed])
        call_sids = {r.call_sid for r in listed if r.call_sid}
        calls = {
            c.call_sid: c for c in session.scalars(select(Call).where(Call.call_sid.in_(call_sids)))
        }
        unknown = {r.call_sid for r in listed if r.sid not in ours and r.call_sid in calls}
        held_calls = set(session.scalars(held_call_sids(unknown))) if unknown else set()
        decisions = [
            _decide(
                r, ours.get(r.sid), calls.get(r.call_sid), r.call_sid in held_calls, now, months
            )
            for r in listed
        ]
    decisions = _expire_never_stored(runtime, decisions, now, summary)
    deleting = [d for d in decisions if d.action == "delete"]
    gone = _delete_twilio_copies(runtime, [d.sid for d in deleting], now, summary)
    deleted = [d for d in deleting if d.sid in set(gone)]
    summary.twilio_copies_deleted.extend(d.sid for d in deleted if d.known)
    summary.twilio_unknown_deleted.extend(d.sid for d in deleted if not d.known)
    _record_twilio_deletions(runtime, deleted, now, summary.run_id)
    for item, decision in zip(listed, decisions, strict=True):
        if decision.action == "ingest":
            _ingest_unknown(runtime, item, calls.get(item.call_sid), months, summary)


def _our_recordings(session: Session, sids: list[str]) -> dict[str, _Ours]:
    """Our rows of these recordings, by sid, with what the holds say of each."""
    query = select(
        Recording.id,
        Recording.recording_sid,
        Recording.status,
        Recording.started_at,
        Recording.delete_after,
        held_clause().label("held"),
        released_after_due_clause().label("after_hold"),
    ).where(Recording.recording_sid.in_(sids))
    return {
        r.recording_sid: _Ours(
            r.id,
            RecordingStatus(r.status),
            r.started_at,
            r.delete_after,
            bool(r.held),
            bool(r.after_hold),
        )
        for r in session.execute(query)
    }


def _expire_never_stored(
    runtime: Runtime, decisions: list[_TwilioDecision], now: datetime, summary: RetentionSummary
) -> list[_TwilioDecision]:
    """Mark never-stored recordings past their time deleted, before Twilio's copy goes.

    Marked first, so a run killed before the Twilio delete leaves a deleted row whose copy the
    next run deletes, never a pending one the reconcile job keeps retrying. The guarded UPDATE
    skips a row stored or put under a hold since we read it: its copy is left this time.
    """
    expiring = [(d.sid, *d.expire) for d in decisions if d.expire is not None]
    if not expiring:
        return decisions
    marked: set[str] = set()
    with runtime.db.transaction() as session:
        for sid, recording_id, due in expiring:
            changed = session.execute(
                update(Recording)
                .where(
                    Recording.id == recording_id,
                    Recording.status.in_([RecordingStatus.PENDING, RecordingStatus.FAILED]),
                    ~held_clause(),
                )
                .values(
                    status=RecordingStatus.DELETED,
                    deleted_at=now,
                    delete_after=due,  # the row's own, or computed as for storing
                    wrapped_key=None,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if changed:
                marked.add(sid)
        if marked:
            audit.record(
                session,
                actor=audit.SYSTEM,
                action="retention.expire_never_stored",
                subject_type="recording_batch",
                subject_id=f"{summary.run_id}-never-stored-{len(summary.never_stored_expired)}",
                details={"count": len(marked), "recording_sids": sorted(marked)},
                reason="past its retention date and never stored: Twilio's copy is deleted",
            )
    if marked:
        log.warning("%d recordings never stored reached their retention date", len(marked))
        summary.never_stored_expired.extend(sorted(marked))
    return [
        d if d.expire is None or d.sid in marked else replace(d, action="leave", expire=None)
        for d in decisions
    ]


def _record_twilio_deletions(
    runtime: Runtime, deleted: list[_TwilioDecision], now: datetime, run_id: str
) -> None:
    """One deletion record per Twilio copy deleted (never twice), one audit entry per page."""
    if not deleted:
        return
    with runtime.db.transaction() as session:
        already = set(
            session.scalars(
                select(DeletionRecord.recording_sid).where(
                    DeletionRecord.recording_sid.in_([d.sid for d in deleted]),
                    DeletionRecord.what == DeletedWhat.TWILIO_COPY,
                )
            )
        )
        fresh = [d for d in deleted if d.sid not in already]
        if fresh:
            session.execute(
                insert(DeletionRecord),
                [
                    {
                        "recording_sid": d.sid,
                        "call_sid": d.call_sid,
                        "what": DeletedWhat.TWILIO_COPY.value,
                        "rule": d.rule,
                        "deleted_at": now,
                    }
                    for d in fresh
                ],
            )
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="retention.twilio_delete",
            subject_type="twilio_recordings",
            subject_id=run_id,
            details={
                "count": len(deleted),
                "rules": dict(Counter(str(d.rule) for d in deleted)),
                "recording_sids": [d.sid for d in deleted],
            },
        )


def _ingest_unknown(
    runtime: Runtime, listed: Any, call: Call | None, months: int, summary: RetentionSummary
) -> None:
    """A recording whose callback we never got: add it as pending and enqueue its ingest."""
    started = listed.start_time or listed.date_created
    duration = int(listed.duration) if str(listed.duration or "").isdigit() else None
    try:
        with runtime.db.transaction() as session:
            recording = Recording(
                recording_sid=listed.sid,
                call_sid=listed.call_sid,
                call_id=call.id if call else None,
                status=RecordingStatus.PENDING,
                twilio_status=listed.status,
                source=listed.source,
                channels=listed.channels,
                started_at=started,
                duration_seconds=duration,
                delete_after=delete_after(started, months),
            )
            session.add(recording)
            session.flush()
            audit.record(
                session,
                actor=audit.SYSTEM,
                action="retention.ingest_unknown",
                subject_type="recording",
                subject_id=listed.sid,
                details={"reason": "listed at Twilio, never announced to us"},
            )
            recording_id = recording.id
    except IntegrityError:  # its callback arrived meanwhile: the ingest is already under way
        return
    enqueue(runtime.settings, INGEST_JOB, recording_id, job_id=f"ingest-{listed.sid}")
    summary.ingest_enqueued.append(listed.sid)


# --- 3. call metadata ---------------------------------------------------------------------


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
