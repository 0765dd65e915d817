"""GET/POST /console/login and POST /console/logout (SPEC §16).

The password step signs in at once only those who need no second factor; the others get a
half-way session and go on to the code (views/two_factor.py).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from app.console import bp
from app.console.auth import COOKIE_KEY, now, session_limits, signed_in_staff
from app.console.forms import ConfirmForm, SignInForm
from app.db.session import request_session
from app.domain import audit, sign_in
from app.domain.sessions import end_session, start_session
from app.models import Staff
from app.web.limits import sign_in_limits

REFUSED = (
    "The email address or password is not right. After 10 wrong attempts the account is "
    "locked for 15 minutes."
)
NEXT_KEY = "after_sign_in"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path of ours, never another site."""
    if target and target.startswith("/console/") and not target.startswith("//"):
        return target
    return url_for("console.home")


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limits()
def login() -> Response | str | tuple[str, int]:
    """Email and password; then the code, or the console."""
    if signed_in_staff() is not None:
        return redirect(url_for("console.home"))
    form = SignInForm()
    if form.validate_on_submit():
        db_session = request_session()
        try:
            email, password = form.email.data or "", form.password.data or ""
            staff = sign_in.check_credentials(db_session, email, password, now(), channel="console")
        except sign_in.SignInRefused:
            db_session.commit()  # the failure is counted and audited
            form.password.errors.append(REFUSED)
        else:
            required = current_app.config["SETTINGS"].mfa_required_roles
            if sign_in.needs_second_factor(staff, required):
                return start_second_step(staff, request.args.get("next"))
            return finish_sign_in(staff, request.args.get("next"), method="password")
    single_sign_on = current_app.config["SETTINGS"].oidc_enabled
    page = render_template("console/sign_in.html", form=form, single_sign_on=single_sign_on)
    return page, 200 if not form.errors else 400


def _new_cookie(token: str, next_path: str | None) -> None:
    session.clear()
    session[COOKIE_KEY] = token
    if next_path:
        session[NEXT_KEY] = next_path


def _start_session(staff: Staff, *, second_factor: bool) -> str:
    """A server-side session for `staff` from this browser; returns the cookie's token."""
    return start_session(
        request_session(),
        staff,
        now(),
        session_limits(),
        client_address=request.remote_addr,
        user_agent=request.user_agent.string,
        second_factor=second_factor,
    )


def start_second_step(staff: Staff, next_path: str | None) -> Response:
    """A half-way session: the code (or setting up the app) comes next."""
    db_session = request_session()
    token = _start_session(staff, second_factor=False)
    db_session.commit()
    _new_cookie(token, next_path)
    step = "console.two_factor" if sign_in.is_enrolled(staff) else "console.set_up_two_factor"
    return redirect(url_for(step))


def record_sign_in(staff: Staff, method: str) -> None:
    """The complete sign-in, audited; the count of failures starts again."""
    sign_in.succeeded(staff)
    audit.record(
        request_session(),
        actor=staff.email,
        action="console.sign_in",
        subject_type="staff",
        subject_id=str(staff.id),
        details={"method": method},
    )
    current_app.logger.info("staff %s signed in to the console (%s)", staff.id, method)


def finish_sign_in(staff: Staff, next_path: str | None, *, method: str) -> Response:
    """Start a complete server-side session and send the browser on."""
    db_session = request_session()
    token = _start_session(staff, second_factor=True)
    record_sign_in(staff, method)
    db_session.commit()
    _new_cookie(token, None)
    return redirect(safe_next(next_path))


@bp.post("/logout")
def logout() -> Response:
    """End the session on the server and forget the cookie."""
    ConfirmForm()  # CSRF is checked by CSRFProtect before this runs
    staff = signed_in_staff()
    token = session.pop(COOKIE_KEY, None)
    if token and end_session(request_session(), token, now()) and staff is not None:
        audit.record(
            request_session(),
            actor=staff.email,
            action="console.sign_out",
            subject_type="staff",
            subject_id=str(staff.id),
        )
    request_session().commit()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("console.login"))
