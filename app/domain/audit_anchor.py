"""The audit chain's head, signed into the store: the database alone cannot rewrite history.

Someone who can write to the database but not to the store (or hold the master key) may delete
the newest entries and move the head row back, or rebuild the whole chain. The anchor (the
head's sequence number and hash, HMAC-signed under a key derived from the master key) is
written by a scheduled job; `flask audit verify` checks the chain still contains it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.audit import ANCHOR_PURPOSE, GENESIS_HASH, derived_key
from app.models import AuditEntry, AuditHead
from recordings.storage import ObjectNotFound, Storage

ANCHOR_OBJECT = "audit-anchor/head.json"


@dataclass(frozen=True)
class AnchorReport:
    """The anchor check: `problem` None when the chain holds the anchored head (or none yet)."""

    seq: int | None
    problem: str | None


def _signature(body: dict[str, object]) -> str:
    data = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(derived_key(ANCHOR_PURPOSE), data, hashlib.sha256).hexdigest()


def write_anchor(session: Session, storage: Storage, now: datetime) -> dict[str, object]:
    """Sign the chain's current head into the store; returns what was written."""
    head = session.get(AuditHead, 1)
    body: dict[str, object] = {
        "seq": head.last_seq if head else 0,
        "hash": head.last_hash if head else GENESIS_HASH,
        "at": now.isoformat(),
    }
    signed = {**body, "signature": _signature(body)}
    with storage.writer(ANCHOR_OBJECT) as out:
        out.write(json.dumps(signed, sort_keys=True).encode())
    return signed


def check_anchor(session: Session, storage: Storage) -> AnchorReport:
    """Whether the chain in the database still holds the head the store's anchor signed."""
    try:
        with storage.open(ANCHOR_OBJECT) as stream:
            signed = json.loads(stream.read())
    except ObjectNotFound:
        return AnchorReport(None, None)
    except ValueError:
        return AnchorReport(None, "the anchor in the store is not readable")
    body = {k: signed.get(k) for k in ("seq", "hash", "at")}
    if not hmac.compare_digest(str(signed.get("signature")), _signature(body)):
        return AnchorReport(None, "the anchor's signature is wrong")
    seq = int(body["seq"])  # type: ignore[call-overload]
    if seq == 0:
        return AnchorReport(0, None)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.seq == seq))
    if entry is None:
        return AnchorReport(seq, f"anchored entry {seq} is missing: entries were removed")
    if entry.entry_hash != body["hash"]:
        return AnchorReport(seq, f"anchored entry {seq} differs: the chain was rewritten")
    return AnchorReport(seq, None)
