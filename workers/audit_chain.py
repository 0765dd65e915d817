"""Verify the audit log's hash chain in the background (SPEC §9): a long log takes a while, so
the console enqueues this job and shows the last result, kept in Redis, once it is done."""

from __future__ import annotations

import json
from typing import Any

from app.domain.audit import verify_chain
from app.integrations.queue import redis_connection
from app.runtime import current
from config.settings import Settings

__all__ = ["RESULT_KEY", "last_verification", "verify_audit_chain"]

RESULT_KEY = "audit:chain:verification"
JOB = "workers.audit_chain.verify_audit_chain"


def verify_audit_chain() -> dict[str, Any]:
    """Recompute every hash and link; store and return what was found."""
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
    redis_connection(runtime.settings).set(RESULT_KEY, json.dumps(result))
    return result


def last_verification(settings: Settings) -> dict[str, Any] | None:
    """The result the last verification stored, if any."""
    raw = redis_connection(settings).get(RESULT_KEY)
    return json.loads(raw) if raw else None
