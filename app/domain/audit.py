"""Writing and verifying the hash-chained audit log (SPEC §9).

Version 1 entries (written before migration 0009) hash with plain SHA-256; anyone able to
write to the database could recompute those. Version 2 entries are HMAC-SHA256 under a key
derived (HKDF) from the master key material, which the database never holds; once the chain
is keyed it never goes back. `anchor` signs the chain's head into the store, outside the
database, so removing the newest entries (or rewriting the whole chain) is detected too.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.db import insert_ignoring_duplicates
from app.models import AuditEntry, AuditHead, utcnow

GENESIS_HASH = "0" * 64
SYSTEM = "system"
UNKEYED, KEYED = 1, 2
CHAIN_PURPOSE = b"contact-line audit chain v2"
ANCHOR_PURPOSE = b"contact-line audit anchor v1"

# Verifying a long chain takes a while: the console queues this job, which keeps its result
# under this key (app.integrations.queue.keep_result) for the audit page to show.
VERIFY_JOB = "workers.audit.verify_audit_chain"
VERIFICATION_KEY = "audit:chain:verification"

KeySource = Callable[[bytes], bytes]
_key_source: KeySource | None = None


def use_key_source(source: KeySource | None) -> None:
    """Where keys come from: `purpose -> 32 bytes` (the master key's `derived_key`)."""
    global _key_source
    _key_source = source


def derived_key(purpose: bytes) -> bytes:
    """The key for `purpose`; without a source set, from the runtime's master key (workers)."""
    if _key_source is not None:
        return _key_source(purpose)
    from app.runtime import current  # noqa: PLC0415  (workers: the process's runtime)

    return current().master_key.derived_key(purpose)


def _canonical(body: dict[str, object]) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def _entry_hash(
    prev_hash: str,
    seq: int,
    at: datetime,
    fields: dict[str, object],
    version: int = UNKEYED,
    key: bytes | None = None,
) -> str:
    body = _canonical({"prev": prev_hash, "seq": seq, "at": at.isoformat(), **fields})
    if version == UNKEYED:
        return hashlib.sha256(body).hexdigest()
    assert key is not None
    return hmac.new(key, body, hashlib.sha256).hexdigest()


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
        chain_version=KEYED,
    )
    key = derived_key(CHAIN_PURPOSE)
    entry.entry_hash = _entry_hash(entry.prev_hash, entry.seq, entry.at, _fields(entry), KEYED, key)
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
    """Recompute every hash (keyed from version 2) and link; report the first that does not fit."""
    prev_hash, expected_seq, count, version = GENESIS_HASH, 1, 0, UNKEYED
    key = derived_key(CHAIN_PURPOSE)
    for entry in _entries(session):
        count += 1
        if entry.seq != expected_seq:
            return ChainReport(count, entry.seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev_hash:
            return ChainReport(count, entry.seq, "link to the previous entry is broken")
        if entry.chain_version not in (UNKEYED, KEYED) or entry.chain_version < version:
            return ChainReport(count, entry.seq, "entry is unkeyed after the chain was keyed")
        version = entry.chain_version
        expected = _entry_hash(prev_hash, entry.seq, entry.at, _fields(entry), version, key)
        if not hmac.compare_digest(entry.entry_hash, expected):
            return ChainReport(count, entry.seq, "entry was altered after it was written")
        prev_hash, expected_seq = entry.entry_hash, expected_seq + 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq, head.last_hash) != (expected_seq - 1, prev_hash):
        return ChainReport(count, expected_seq, "entries were removed from the end")
    return ChainReport(count, None, None)
