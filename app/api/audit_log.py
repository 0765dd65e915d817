"""GET /api/audit: the audit log, newest first, filtered by action or subject (SPEC §9)."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from sqlalchemy import select

from app.api import bp
from app.api.alerts import int_arg
from app.api.formats import free_text
from app.api.validation import text_arg
from app.db.session import request_session
from app.models import AuditEntry, Role
from app.web.auth import require_roles

DEFAULT_LIMIT, MAX_LIMIT = 100, 500
ACTION, SUBJECT_ID = free_text(60, blank=True), free_text(64, blank=True)  # the columns' widths


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    """One audit entry with its chain hashes."""
    return {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "reason": entry.reason,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


@bp.get("/audit")
@require_roles(Role.RECORDS_OFFICER)
def list_audit():  # noqa: ANN201
    """Audit entries, newest first; ?action=&subject_id=&limit=&before_seq=."""
    limit = int_arg("limit", DEFAULT_LIMIT, high=MAX_LIMIT)
    before = int_arg("before_seq", None)
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if action := text_arg("action", ACTION):
        query = query.where(AuditEntry.action == action)
    if subject := text_arg("subject_id", SUBJECT_ID):
        query = query.where(AuditEntry.subject_id == subject)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    entries = [entry_json(e) for e in request_session().scalars(query)]
    next_before = entries[-1]["seq"] if len(entries) == limit else None
    return jsonify({"entries": entries, "next_before_seq": next_before})
