"""The audit chain's jobs (SPEC §9): its head signed into the store, outside the database, and
the whole chain verified in the background (a long log takes a while), its result kept for the
console's audit page."""

from __future__ import annotations

from typing import Any

from app.domain.audit import VERIFICATION_KEY, verify_chain
from app.domain.audit_anchor import write_anchor
from app.integrations.queue import keep_result
from app.runtime import current


def anchor_audit_chain() -> int:
    """Sign the audit chain's head into the store; returns the anchored sequence number."""
    runtime = current()
    with runtime.db.transaction() as session:
        signed = write_anchor(session, runtime.storage, runtime.now())
    return int(signed["seq"])  # type: ignore[call-overload]


def verify_audit_chain() -> dict[str, Any]:
    """Recompute every hash and link; keep and return what was found."""
    runtime = current()
    with runtime.db.transaction() as session:
        report = verify_chain(session)
    result = {
        "checked_at": runtime.now().isoformat(),
        "entries": report.entries,
        "ok": report.ok,
        "broken_at": report.broken_at,
        "problem": report.problem,
    }
    keep_result(runtime.settings, VERIFICATION_KEY, result)
    return result
