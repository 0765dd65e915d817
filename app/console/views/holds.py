"""/console/holds and /console/retention: legal holds placed and released, and the retention
report with its chart of deletions per day (SPEC §7, §14). Holds are checked with the API's
own rules and placed and released by the same domain services."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.api import holds as api
from app.api.validation import text
from app.console import bp
from app.console.auth import console_roles, now
from app.db.session import request_session
from app.domain.holds import HoldAlreadyReleased, HoldNotFound, HoldTargetError, place_hold
from app.domain.holds import release_hold as release
from app.domain.reports import retention_report
from app.models import HoldKind, LegalHold, Role
from app.web.errors import ApiError

PAGE_SIZE = 100


@bp.get("/holds")
@console_roles(Role.RECORDS_OFFICER)
def holds() -> str:
    """Holds in force first, then released ones, newest first; and the form to place one."""
    newest = select(LegalHold).order_by(LegalHold.id.desc()).limit(PAGE_SIZE)
    shown = api.holds_json(newest.where(LegalHold.released_at.is_(None)))
    if len(shown) < PAGE_SIZE:
        released = newest.where(LegalHold.released_at.is_not(None))
        shown += api.holds_json(released.limit(PAGE_SIZE - len(shown)))
    return render_template("console/records/holds.html", holds=shown, kinds=list(HoldKind))


@bp.post("/holds")
@console_roles(Role.RECORDS_OFFICER)
def place() -> Response:
    """Place a hold on the one call, recording or number given."""
    form = {k: v.strip() for k, v in request.form.items() if k != "csrf_token" and v.strip()}
    target = form.pop("target", "")
    body = {k: v for k, v in form.items() if k in ("reason", "reference", "kind")}
    if target in api.TARGETS and form.get("value"):
        body[target] = form["value"]
    session = request_session()
    try:
        reason, reference = text(body, "reason", api.REASON), text(body, "reference", api.REFERENCE)
        kind = body.get("kind") if body.get("kind") in set(HoldKind) else api.DEFAULT_KIND
        hold = place_hold(
            session,
            kind=kind,
            reason=str(reason),
            reference=str(reference),
            actor=str(g.staff.email),
            now=now(),
            **api._target(body),  # noqa: SLF001  (the API's own resolution of the target)
        )
        session.commit()
        flash(f"Hold {hold.id} placed.", "success")
    except (ApiError, HoldTargetError) as exc:
        session.rollback()
        flash(exc.message if isinstance(exc, ApiError) else str(exc), "error")
    return redirect(url_for("console.holds"))


@bp.post("/holds/<int:hold_id>/release")
@console_roles(Role.RECORDS_OFFICER)
def release_hold(hold_id: int) -> Response:
    """Release a hold; what it kept past its time is deleted on the next retention run."""
    session = request_session()
    try:
        release(session, hold_id, str(g.staff.email), now=now())
        session.commit()
        flash(f"Hold {hold_id} released.", "success")
    except (HoldNotFound, HoldAlreadyReleased) as exc:
        session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("console.holds"))


@bp.get("/retention")
@console_roles(Role.RECORDS_OFFICER)
def retention() -> str:
    """Stored, held, due and overdue (target zero); deletions per day as a chart and a table."""
    report = retention_report(request_session(), now())
    return render_template("console/records/retention.html", report=report)
