"""Step 1 of retention: delete the recordings that are due (SPEC §7).

An indexed query of stored recordings whose `delete_after` has passed and that no active hold
covers, a batch at a time. Per batch, in one transaction that holds the rows (`FOR UPDATE SKIP
LOCKED` on PostgreSQL): delete the objects (S3 DeleteObjects, at most 1,000 keys a request),
then a guarded UPDATE (`status='stored'`) marks them deleted and destroys the wrapped keys, one
deletion record per recording and one audit entry per batch. Deleting an object twice is
harmless, so a run killed between the store and the commit is repaired by the next one; two
runs at once take disjoint rows. Then any copy still at Twilio is deleted.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Integer, Row, any_, bindparam, select, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from app.domain import audit
from app.domain.holds import held_clause, released_after_due_clause
from app.models import DeletedWhat, DeletionRecord, Recording, RecordingStatus
from app.runtime import Runtime
from recordings.retention import retention_rule_name
from workers.retention.summary import BATCH_SIZE, RetentionSummary
from workers.retention.twilio_sweep import delete_twilio_copies

__all__ = ["DELETE_WORKERS", "delete_due_recordings", "due_recordings_query"]

DELETE_WORKERS = 2  # batches in flight at once on PostgreSQL


def due_recordings_query(now: datetime, limit: int) -> Any:
    """Stored, due and not held, oldest first: walks ix_recordings_status_delete_after."""
    return (
        select(
            Recording.id,
            Recording.recording_sid,
            Recording.call_sid,
            Recording.storage_key,
            Recording.twilio_deleted_at.is_(None).label("at_twilio"),  # (a flag: no datetime)
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
        at_twilio = [r.recording_sid for r in deleted if r.at_twilio]
        delete_twilio_copies(runtime, at_twilio, now, summary)
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
