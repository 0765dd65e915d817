"""The audit chain's anchor: its head signed into the store, outside the database (SPEC §9)."""

from __future__ import annotations

from app.domain.audit_anchor import write_anchor
from app.runtime import current


def anchor_audit_chain() -> int:
    """Sign the audit chain's head into the store; returns the anchored sequence number."""
    runtime = current()
    with runtime.db.transaction() as session:
        signed = write_anchor(session, runtime.storage, runtime.now())
    return int(signed["seq"])  # type: ignore[call-overload]
