"""GET/POST /console/login and POST /console/logout (SPEC §16)."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from app.console import bp
from app.console.auth import COOKIE_KEY, now, session_limits, signed_in_staff
from app.console.forms import ConfirmForm, SignInForm
from app.db.session import request_session
from app.domain import audit
from app.domain.sessions import end_session, start_session
from app.domain.staff import check_password, staff_by_email
from app.models import Staff


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path of ours, never another site."""
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return url_for("console.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str:
    """Email and password; then the console."""
    if signed_in_staff() is not None:
        return redirect(url_for("console.home"))
    form = SignInForm()
    if form.validate_on_submit():
        db_session = request_session()
        staff = staff_by_email(db_session, form.email.data or "")
        if staff is not None and staff.active and check_password(staff, form.password.data or ""):
            return finish_sign_in(staff, request.args.get("next"))
        audit.record(
            db_session,
            actor=(form.email.data or "")[:254],
            action="console.sign_in_failed",
            subject_type="staff",
            subject_id=str(staff.id) if staff else "unknown",
        )
        db_session.commit()
        form.password.errors.append("The email address or password is not right")
    return render_template("console/sign_in.html", form=form), 200 if not form.errors else 400


def finish_sign_in(staff: Staff, next_path: str | None) -> Response:
    """Start the server-side session and send the browser on."""
    db_session = request_session()
    token = start_session(
        db_session,
        staff,
        now(),
        session_limits(),
        client_address=request.remote_addr,
        user_agent=request.user_agent.string,
        second_factor=True,
    )
    audit.record(
        db_session,
        actor=staff.email,
        action="console.sign_in",
        subject_type="staff",
        subject_id=str(staff.id),
    )
    db_session.commit()
    session.clear()
    session[COOKIE_KEY] = token
    current_app.logger.info("staff %s signed in to the console", staff.id)
    return redirect(safe_next(next_path))


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server and forget the cookie."""
    ConfirmForm()  # CSRF is checked by CSRFProtect before this runs
    token = session.pop(COOKIE_KEY, None)
    if token:
        end_session(request_session(), token, now())
        request_session().commit()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("console.login"))
