"""/console/alerts: privacy alerts, each closed as legitimate or a breach with a note; a breach
shows its 72-hour ICO deadline and the caller to tell until each is recorded (SPEC §6, §14).
The steps are the API's (PATCH /api/alerts/{id}): the same domain services, checks and audit."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.api.alerts import NOTE, OPTIONAL_NOTE
from app.api.validation import choice, stripped_text
from app.console import bp
from app.console.auth import console_roles, now
from app.db.session import request_session
from app.domain import alerts as privacy
from app.models import PrivacyAlert, Recording, Role
from app.web.errors import ApiError

PAGE_SIZE = 100


@bp.get("/alerts")
@console_roles(Role.RECORDS_OFFICER)
def alerts() -> str:
    """Open alerts first, then the latest closed ones."""
    session = request_session()
    alerts = session.scalars(
        select(PrivacyAlert)
        .order_by(PrivacyAlert.outcome.is_not(None), PrivacyAlert.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    # Their recordings apart: joined in one statement, every alert met every recording first.
    sids = dict(
        session.execute(
            select(Recording.id, Recording.recording_sid).where(
                Recording.id.in_({a.recording_id for a in alerts})
            )
        ).all()
    )
    rows = [(alert, sids[alert.recording_id]) for alert in alerts]
    return render_template(
        "console/records/alerts.html", rows=rows, deadline=privacy.ico_deadline, now=now()
    )


def _form() -> dict[str, object]:
    return {k: v for k, v in request.form.items() if k != "csrf_token" and v.strip()}


@bp.post("/alerts/<int:alert_id>")
@console_roles(Role.RECORDS_OFFICER)
def update_alert(alert_id: int) -> Response:
    """Close the alert, or record a breach's ICO report or caller told (done or not required)."""
    session, body, step = request_session(), _form(), request.form.get("step")
    actor = str(g.staff.email)
    alert = session.get(PrivacyAlert, alert_id, with_for_update=True)
    if alert is None:
        abort(404)
    try:
        if step == "close":
            outcome = choice(body, "outcome", privacy.Outcome)
            note = stripped_text(body, "note", NOTE)
            privacy.close_alert(session, alert, str(outcome), note, actor=actor, now=now())
        elif step in ("ico_report", "subject_told"):
            done = body.get("done") == "yes"
            note = stripped_text(body, "note", OPTIONAL_NOTE, required=False)
            record = (
                privacy.record_ico_report if step == "ico_report" else privacy.record_subject_told
            )
            record(session, alert, done, note, actor=actor, now=now())
        else:
            abort(400)
        session.commit()
        flash(f"Alert {alert_id} updated.", "success")
    except (ApiError, privacy.AlertError) as exc:
        session.rollback()
        flash(exc.message if isinstance(exc, ApiError) else str(exc), "error")
    return redirect(url_for("console.alerts") + f"#alert-{alert_id}")
