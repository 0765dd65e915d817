"""Recording ingest (SPEC §6): fetch from Twilio, encrypt, store, verify, then delete Twilio's copy.

Jobs take ids and are safe to run twice, concurrently, or again after a crash:

- a Redis lock (renewed while streaming) lets one run at a time work on a recording; a run
  that finds it taken raises `IngestBusy` and RQ retries it later;
- the object key is deterministic, so a rerun after a SIGKILL overwrites whatever the killed
  run left (S3 never shows an unfinished multipart upload as an object);
- the stored state is committed with a guarded UPDATE (`WHERE status = 'pending'`);
- Twilio's copy is deleted only after our copy verified and the row committed.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis.lock import Lock
from sqlalchemy import Select, select, update
from twilio.base.exceptions import TwilioRestException

from app.domain import audit
from app.domain.holds import held_clause
from app.integrations.queue import enqueue, redis_connection
from app.integrations.twilio import delete_recording, recording_media, recording_status
from app.models import Call, Recording, RecordingStatus
from app.runtime import Runtime, current
from recordings.retention import delete_after
from recordings.storage import StoredObject
from recordings.vault import EncryptedObject, put_encrypted

__all__ = [
    "IngestBusy",
    "ingest_recording",
    "object_key",
    "reconcile_recordings",
]

log = logging.getLogger(__name__)
INGEST_JOB = "workers.ingest.ingest_recording"
LOCK_TTL_SECONDS = 120  # a killed run's lock lapses after this; a live run renews it
STALE_MINUTES = 10  # reconcile re-enqueues pending recordings untouched for this long
IN_PROGRESS_STALE_HOURS = 6  # ... and asks Twilio about ones still "in progress" after this
MAX_ATTEMPTS = 25  # reconcile gives up re-enqueueing after this many failed attempts
RECONCILE_BATCH = 200


class IngestBusy(RuntimeError):
    """Another run holds this recording's lock; RQ retries this one later."""


@dataclass(frozen=True)
class _Plan:
    """What the job read from the row, so no transaction stays open while streaming."""

    id: int
    sid: str
    status: str
    twilio_status: str | None
    opted_out: bool
    started_at: datetime | None
    twilio_deleted: bool


def object_key(recording_sid: str, started_at: datetime) -> str:
    """Where a recording's ciphertext lives: deterministic, so reruns overwrite, never add."""
    return f"recordings/{started_at:%Y}/{started_at:%m}/{recording_sid}.enc"


def ingest_recording(recording_id: int) -> str:
    """Fetch, encrypt, store and verify one recording, then delete Twilio's copy."""
    runtime = current()
    plan = _load(runtime, recording_id)
    if plan is None:
        return "unknown recording"
    if plan.status == RecordingStatus.STORED:
        return "stored" if plan.twilio_deleted else _delete_twilio_copy(runtime, plan)
    if plan.status == RecordingStatus.DISCARDED and not plan.twilio_deleted:
        return _delete_discarded_copy(runtime, plan)
    if plan.status != RecordingStatus.PENDING:
        return f"nothing to do: {plan.status}"
    lock = _lock(runtime, plan.sid)
    if not lock.acquire(blocking=False):
        raise IngestBusy(f"recording {plan.sid} is being ingested by another run")
    try:
        return _ingest_pending(runtime, plan, lock)
    finally:
        _release(lock)


def _ingest_pending(runtime: Runtime, plan: _Plan, lock: Lock) -> str:
    if plan.opted_out and _discard(runtime, plan):
        return _delete_discarded_copy(runtime, plan)
    # Not opted out, or held: a hold outranks the opt-out (SPEC §7), so it is stored as usual.
    if plan.twilio_status != "completed" and not _completed_at_twilio(runtime, plan):
        return "not completed at Twilio yet"
    started_at = plan.started_at or runtime.now()
    try:
        encrypted = _fetch_encrypt_store(runtime, plan.sid, started_at, lock)
    except Exception as exc:
        _record_failure(runtime, plan.id, exc)
        raise
    if not _commit_stored(runtime, plan, encrypted.stored, encrypted.wrapped_key, started_at):
        return "already stored by another run"
    return _delete_twilio_copy(runtime, plan)


def _load(runtime: Runtime, recording_id: int) -> _Plan | None:
    with runtime.db.transaction() as session:
        row = session.execute(
            select(Recording, Call.recording_opted_out, Call.started_at)
            .outerjoin(Call, Call.id == Recording.call_id)
            .where(Recording.id == recording_id)
        ).one_or_none()
    if row is None:
        return None
    recording, opted_out, call_started = row
    return _Plan(
        id=recording.id,
        sid=recording.recording_sid,
        status=recording.status,
        twilio_status=recording.twilio_status,
        opted_out=bool(opted_out),
        started_at=recording.started_at or call_started,
        twilio_deleted=recording.twilio_deleted_at is not None,
    )


# --- the lock --------------------------------------------------------------------------------


def _lock(runtime: Runtime, recording_sid: str) -> Lock:
    connection = redis_connection(runtime.settings)
    return Lock(connection, f"contact-line:ingest-lock:{recording_sid}", timeout=LOCK_TTL_SECONDS)


def _renew(lock: Lock, last: float) -> float:
    """Push the lock's expiry out while a long recording streams; returns the renewal time."""
    now = time.monotonic()
    if now - last < LOCK_TTL_SECONDS / 3:
        return last
    lock.reacquire()
    return now


def _release(lock: Lock) -> None:
    from redis.exceptions import LockError, RedisError

    try:
        lock.release()
    except (LockError, RedisError) as exc:  # expired or Redis gone: it lapses by itself
        log.warning("could not release ingest lock %s: %s", lock.name, exc)


# --- fetching, encrypting, storing -----------------------------------------------------------


def _fetch_encrypt_store(
    runtime: Runtime, recording_sid: str, started_at: datetime, lock: Lock
) -> EncryptedObject:
    """Stream Twilio's media through encryption into the store, then verify what was stored."""
    media = _under_lock(lock, recording_sid, recording_media(runtime.settings, recording_sid))
    key = object_key(recording_sid, started_at)
    return put_encrypted(runtime.storage, runtime.master_key, key, recording_sid, media)


def _under_lock(lock: Lock, recording_sid: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, renewing the lock as they stream; IngestBusy (nothing stored) if it lapsed."""
    renewed = time.monotonic()
    for chunk in chunks:
        yield chunk
        renewed = _renew(lock, renewed)
    if not lock.owned():  # lapsed while streaming: another run may be writing this key
        raise IngestBusy(f"lost the ingest lock of {recording_sid}; not committing")


def _commit_stored(
    runtime: Runtime, plan: _Plan, stored: StoredObject, wrapped: bytes, started_at: datetime
) -> bool:
    """Mark the recording stored, if it is still pending; False when another run won."""
    now = runtime.now()
    months = runtime.settings.recording_retention_months
    with runtime.db.transaction() as session:
        changed = session.execute(
            update(Recording)
            .where(Recording.id == plan.id, Recording.status == RecordingStatus.PENDING)
            .values(
                status=RecordingStatus.STORED,
                storage_key=stored.key,
                size_bytes=stored.size,
                sha256=stored.digest,
                wrapped_key=wrapped,
                master_key_id=runtime.master_key.key_id,
                started_at=started_at,
                stored_at=now,
                delete_after=delete_after(started_at, months),
                last_error=None,
                updated_at=now,
            )
        ).rowcount
        if changed:
            audit.record(
                session,
                actor=audit.SYSTEM,
                action="recording.store",
                subject_type="recording",
                subject_id=plan.sid,
                details={"size": stored.size, "master_key_id": runtime.master_key.key_id},
            )
    return bool(changed)


def _record_failure(runtime: Runtime, recording_id: int, exc: BaseException) -> None:
    """Count a failed attempt and keep a short description (no audio, keys or numbers)."""
    message = f"{type(exc).__name__}: {exc}"[:300]
    log.warning("ingest of recording %s failed: %s", recording_id, message)
    with runtime.db.transaction() as session:
        session.execute(
            update(Recording)
            .where(Recording.id == recording_id, Recording.status == RecordingStatus.PENDING)
            .values(
                ingest_attempts=Recording.ingest_attempts + 1,
                last_error=message,
                updated_at=runtime.now(),
            )
        )


# --- Twilio's copy ---------------------------------------------------------------------------


def _completed_at_twilio(runtime: Runtime, plan: _Plan) -> bool:
    """For a recording whose `completed` callback never came: ask Twilio where it stands."""
    try:
        status = recording_status(runtime.twilio, plan.sid)
    except TwilioRestException as exc:
        if exc.status != 404:
            raise
        status = "absent"
    with runtime.db.transaction() as session:
        values: dict[str, object] = {"twilio_status": status, "updated_at": runtime.now()}
        if status in {"absent", "failed", "deleted"}:
            values["status"] = RecordingStatus.FAILED
        session.execute(
            update(Recording)
            .where(Recording.id == plan.id, Recording.status == RecordingStatus.PENDING)
            .values(**values)
        )
    return status == "completed"


def _delete_twilio_copy(runtime: Runtime, plan: _Plan, outcome: str = "stored") -> str:
    """After our copy (or the discard) is committed: delete Twilio's; reconcile retries."""
    try:
        delete_recording(runtime.twilio, plan.sid)
    except TwilioRestException as exc:
        log.warning("Twilio did not delete recording %s (%s): will retry", plan.sid, exc.status)
        return f"{outcome}; Twilio copy kept for now"
    with runtime.db.transaction() as session:
        session.execute(
            update(Recording)
            .where(Recording.id == plan.id, Recording.twilio_deleted_at.is_(None))
            .values(twilio_deleted_at=runtime.now())
        )
    return outcome


def _discard(runtime: Runtime, plan: _Plan) -> bool:
    """The caller opted out: mark the recording discarded, unless a hold covers it.

    The hold test and the change are one guarded UPDATE, so a hold committed first always wins.
    Twilio's copy is deleted afterwards (`_delete_discarded_copy`).
    """
    now = runtime.now()
    with runtime.db.transaction() as session:
        changed = session.execute(
            update(Recording)
            .where(
                Recording.id == plan.id,
                Recording.status == RecordingStatus.PENDING,
                ~held_clause(),
            )
            .values(status=RecordingStatus.DISCARDED, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if changed:
            audit.record(
                session,
                actor=audit.SYSTEM,
                action="recording.discard",
                subject_type="recording",
                subject_id=plan.sid,
                reason="the caller opted out of recording",
            )
        else:
            log.info("recording %s of an opted-out call is held: storing it", plan.sid)
    return bool(changed)


def _delete_discarded_copy(runtime: Runtime, plan: _Plan) -> str:
    """Delete Twilio's copy of a discarded recording, unless a hold came meanwhile.

    A hold placed after the discard brings the recording back to `pending`, so the reconcile
    job ingests and stores it: held audio is never deleted.
    """
    with runtime.db.transaction() as session:
        if session.scalar(
            select(held_clause()).select_from(Recording).where(Recording.id == plan.id)
        ):
            session.execute(
                update(Recording)
                .where(Recording.id == plan.id, Recording.status == RecordingStatus.DISCARDED)
                .values(status=RecordingStatus.PENDING, updated_at=runtime.now())
            )
            return "held after the discard: kept for ingest"
    return _delete_twilio_copy(runtime, plan, "discarded")


# --- reconcile -------------------------------------------------------------------------------


def reconcile_recordings(
    stale_minutes: int = STALE_MINUTES, batch: int = RECONCILE_BATCH
) -> dict[str, int]:
    """Re-enqueue recordings stuck on the way: pending too long, or Twilio's copy not deleted."""
    runtime = current()
    now = runtime.now()
    stale = now - timedelta(minutes=stale_minutes)
    long_stale = now - timedelta(hours=IN_PROGRESS_STALE_HOURS)
    with runtime.db.transaction() as session:
        pending = session.execute(stuck_pending_query(stale, long_stale, batch)).all()
        undeleted = session.execute(undeleted_at_twilio_query(stale, batch)).all()
        ids = [row.id for row in (*pending, *undeleted)]
        if ids:  # so the next sweep does not enqueue them again while they wait in the queue
            session.execute(update(Recording).where(Recording.id.in_(ids)).values(updated_at=now))
    for row in (*pending, *undeleted):
        enqueue(runtime.settings, INGEST_JOB, row.id, job_id=f"ingest-{row.recording_sid}")
    if ids:
        log.info(
            "reconcile: re-enqueued %d pending, %d to delete at Twilio",
            len(pending),
            len(undeleted),
        )
    return {"pending": len(pending), "twilio_copies": len(undeleted)}


def stuck_pending_query(stale: datetime, long_stale: datetime, batch: int) -> Select:
    """Pending recordings untouched since `stale` (`long_stale` if Twilio still records them)."""
    return (
        select(Recording.id, Recording.recording_sid)
        .where(
            Recording.status == RecordingStatus.PENDING,
            Recording.ingest_attempts < MAX_ATTEMPTS,
            Recording.updated_at < stale,
            (Recording.twilio_status == "completed") | (Recording.updated_at < long_stale),
        )
        .order_by(Recording.updated_at)
        .limit(batch)
    )


def undeleted_at_twilio_query(stale: datetime, batch: int) -> Select:
    """Recordings stored or discarded whose copy at Twilio is still there since `stale`."""
    return (
        select(Recording.id, Recording.recording_sid)
        .where(
            Recording.status.in_((RecordingStatus.STORED, RecordingStatus.DISCARDED)),
            Recording.twilio_deleted_at.is_(None),
            Recording.updated_at < stale,
        )
        .order_by(Recording.updated_at)
        .limit(batch)
    )
