"""/console/audit: the audit log filtered by actor, action and date, and the hash chain's
verification status, computed by a worker job for a long log (SPEC §9, §14)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import current_app, flash, redirect, render_template, request, url_for
from redis.exceptions import RedisError
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.console import bp
from app.console.auth import console_roles
from app.db.session import request_session
from app.domain.audit import VERIFICATION_KEY, VERIFY_JOB
from app.integrations.queue import enqueue, kept_result
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
        "console/records/audit.html",
        entries=entries,
        actor=actor,
        action=action,
        on=on,
        verification=_verification(),
    )


def _verification() -> dict[str, object] | None:
    try:
        return kept_result(current_app.config["SETTINGS"], VERIFICATION_KEY)
    except RedisError:
        return None


@bp.post("/audit/verify")
@console_roles(Role.RECORDS_OFFICER)
def verify_audit() -> Response:
    """Queue a verification of the whole chain; the page shows its result when done."""
    if enqueue(current_app.config["SETTINGS"], VERIFY_JOB, at_front=True) is None:
        flash("The job queue is unreachable: try again.", "error")
    else:
        flash("Verification queued: reload this page in a moment for the result.", "success")
    return redirect(url_for("console.audit"))
