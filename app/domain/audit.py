"""Writing and verifying the hash-chained audit log (SPEC §9)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import insert_ignoring_duplicates
from app.models import AuditEntry, AuditHead, utcnow

GENESIS_HASH = "0" * 64
SYSTEM = "system"


def _entry_hash(prev_hash: str, seq: int, at: datetime, fields: dict[str, object]) -> str:
    body = json.dumps(
        {"prev": prev_hash, "seq": seq, "at": at.isoformat(), **fields},
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(body.encode()).hexdigest()


def _fields(entry: AuditEntry) -> dict[str, object]:
    return {
        "actor": entry.actor,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "reason": entry.reason,
        "details": entry.details,
    }


def _lock_head(session: Session) -> AuditHead:
    """Take the chain's write lock (an UPDATE of the head row) and return the head.

    The very first writer creates the head; a concurrent first writer waits on the unique key,
    inserts nothing, and then queues for the row lock like everyone else.
    """
    lock = update(AuditHead).where(AuditHead.id == 1).values(id=1)
    if session.execute(lock).rowcount == 0:  # type: ignore[attr-defined]
        head = {"id": 1, "last_seq": 0, "last_hash": GENESIS_HASH}
        insert_ignoring_duplicates(session.connection(), AuditHead.__table__, head)  # type: ignore[arg-type]
        session.execute(lock)
    return session.get(AuditHead, 1, populate_existing=True)  # type: ignore[return-value]


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject_type: str,
    subject_id: str,
    reason: str | None = None,
    details: dict[str, object] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction; it commits with the action it records."""
    head = _lock_head(session)
    entry = AuditEntry(
        seq=head.last_seq + 1,
        at=utcnow(),
        actor=actor,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        reason=reason,
        details=details or {},
        prev_hash=head.last_hash,
    )
    entry.entry_hash = _entry_hash(entry.prev_hash, entry.seq, entry.at, _fields(entry))
    head.last_seq, head.last_hash = entry.seq, entry.entry_hash
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ChainReport:
    """The result of checking the whole chain."""

    entries: int
    broken_at: int | None
    problem: str | None

    @property
    def ok(self) -> bool:
        """True when every link and every hash checks out."""
        return self.broken_at is None


def _entries(session: Session, page: int = 1000) -> Iterator[AuditEntry]:
    """Every entry in order, a page at a time (memory stays flat however long the log)."""
    last = 0
    while True:
        batch = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last).order_by(AuditEntry.seq).limit(page)
        ).all()
        yield from batch
        if len(batch) < page:
            return
        last = batch[-1].seq
        session.expunge_all()


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash and link; report the first entry that does not fit."""
    prev_hash, expected_seq, count = GENESIS_HASH, 1, 0
    for entry in _entries(session):
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(count, entry.seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return ChainReport(count, entry.seq, "link to the previous entry is broken")
        if entry.entry_hash != _entry_hash(prev_hash, entry.seq, entry.at, _fields(entry)):
            return ChainReport(count, entry.seq, "entry was altered after it was written")
        prev_hash, expected_seq = entry.entry_hash, expected_seq + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq, head.last_hash) != (expected_seq - 1, prev_hash):
        return ChainReport(count, expected_seq, "entries were removed from the end")
    return ChainReport(count, None, None)
