"""POST /api/auth/token (email and password for a bearer token) and DELETE /api/auth/token
(sign out: the token stops working at once). Sign-in rules: app/domain/sign_in.py."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, jsonify

from app.api import bp
from app.api.formats import EMAIL
from app.api.validation import field, json_body, text
from app.db.session import request_session
from app.domain import audit, sign_in
from app.domain import staff as auth
from app.web.auth import bearer_token, current_staff, require_roles
from app.web.errors import ApiError
from app.web.limits import sign_in_limits

REFUSED = (
    "Unknown email, wrong password or code, or an account locked for 15 minutes after "
    "10 failed attempts."
)
CONSOLE_FIRST = {  # what to do in the console first, by the refusal's code
    "password_change_required": (
        "You have a temporary password from an admin: sign in to the console once to choose "
        "your own, then ask for a token with it."
    ),
    "second_factor_not_set_up": (
        "Your role signs in with a code from an authenticator app, and none is set up yet: sign "
        "in to the console once to set one up, then ask for a token with its code."
    ),
}


@bp.post("/auth/token")
@sign_in_limits()
def issue_token():  # noqa: ANN201
    """Exchange credentials (and a code, once an authenticator is set up) for a bearer token."""
    body = json_body()
    email, password = text(body, "email", EMAIL), field(body, "password", str)
    code = field(body, "code", str, required=False)
    session, now = request_session(), current_app.config["CLOCK"]()
    try:
        staff = sign_in.check_credentials(session, email, password, now, channel="api")
        if sign_in.is_enrolled(staff):
            secret = staff.totp_secret or ""
            sign_in.check_code(session, staff, secret, code or "", now, channel="api")
    except sign_in.SignInRefused:
        session.commit()  # the failure is counted and audited
        raise ApiError(401, "invalid_credentials", REFUSED) from None
    step = sign_in.console_step_first(staff, current_app.config["SETTINGS"].mfa_required_roles)
    if step is not None:  # SPEC §16: never an admin's temporary password, nor a password alone
        sign_in.refuse_until_console_step(session, staff, channel="api", step=step)
        session.commit()
        raise ApiError(403, step, CONSOLE_FIRST[step])
    sign_in.succeeded(staff)
    ttl = timedelta(hours=current_app.config["SETTINGS"].token_ttl_hours)
    token, row = auth.issue_token(session, staff, ttl, now)
    session.commit()
    return jsonify({"token": token, "expires_at": row.expires_at.isoformat()}), 201


@bp.delete("/auth/token")
@require_roles()
def revoke_token():  # noqa: ANN201
    """Sign out: the token used for this request stops working."""
    session = request_session()
    auth.revoke_token(session, bearer_token(), current_app.config["CLOCK"]())
    audit.record(
        session,
        actor=current_staff().email,
        action="api.sign_out",
        subject_type="staff",
        subject_id=str(current_staff().id),
    )
    session.commit()
    return "", 204
