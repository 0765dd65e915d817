"""/console/audit: the audit log filtered by actor, action and date (SPEC §9, §14)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import render_template, request
from sqlalchemy import select

from app.console import bp
from app.console.auth import console_roles
from app.db.session import request_session
from app.models import AuditEntry, Role
from recordings.retention import LONDON

PAGE_SIZE = 100


def _day(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.get("/audit")
@console_roles(Role.RECORDS_OFFICER)
def audit() -> str:
    """The newest entries matching the filters (the log is append-only, hash-chained)."""
    actor = request.args.get("actor", "").strip()[:254]
    action = request.args.get("action", "").strip()[:60]
    on = _day("on")
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(PAGE_SIZE)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if action:
        query = query.where(AuditEntry.action.startswith(action, autoescape=True))
    if on:
        start = datetime.combine(on, time(0), tzinfo=LONDON)
        query = query.where(AuditEntry.at >= start, AuditEntry.at < start + timedelta(days=1))
    entries = request_session().scalars(query).all()
    return render_template(
        "console/records/audit.html", entries=entries, actor=actor, action=action, on=on
    )
