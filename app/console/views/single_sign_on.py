"""Single sign-on with the council's OpenID Connect provider (SPEC §16), when configured.

GET /console/sso sends the browser to the provider; GET /console/sso/callback matches the ID
token's verified email to an existing, active account (whatever its case). Roles stay in the
product. The provider does its own multi-factor sign-in, so this counts as the second factor.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth, OAuthError
from flask import Flask, abort, current_app, render_template, request, session
from werkzeug.wrappers import Response

from app.console import bp
from app.console.views.sign_in import finish_sign_in
from app.db.session import request_session
from app.domain import audit
from app.domain.staff import staff_by_email

CLIENT = "council"
NEXT_KEY = "sso_next"


def register_single_sign_on(app: Flask) -> None:
    """An Authlib client for the provider, when OIDC_ISSUER, _CLIENT_ID and _SECRET are set."""
    settings = app.config["SETTINGS"]
    if not settings.oidc_enabled:
        return
    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        client_id=settings.oidc_client_id,
        client_secret=settings.oidc_client_secret,
        server_metadata_url=f"{settings.oidc_issuer.rstrip('/')}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile"},
    )


def _client():  # noqa: ANN202
    if not current_app.config["SETTINGS"].oidc_enabled:
        abort(404)
    return current_app.extensions["authlib.integrations.flask_client"].create_client(CLIENT)


def callback_url() -> str:
    """The redirect URI the provider must know: PUBLIC_BASE_URL + /console/sso/callback."""
    return f"{current_app.config['SETTINGS'].public_base_url}/console/sso/callback"


@bp.get("/sso")
def single_sign_on() -> Response:
    """Off to the council's sign-in page."""
    client = _client()
    session[NEXT_KEY] = request.args.get("next") or ""
    return client.authorize_redirect(callback_url())


def _refused(email: str, why: str) -> tuple[str, int]:
    db_session = request_session()
    audit.record(
        db_session,
        actor=(email or "unknown")[:254],
        action="sign_in.failed",
        subject_type="staff",
        subject_id="unknown",
        details={"channel": "sso", "reason": why},
    )
    db_session.commit()
    return render_template("console/sso_refused.html", email=email, why=why), 403


@bp.get("/sso/callback")
def single_sign_on_callback() -> Response | tuple[str, int]:
    """Back from the provider: the verified email names an active member of staff, or not."""
    client = _client()
    try:
        token = client.authorize_access_token()
    except OAuthError as exc:
        current_app.logger.warning("single sign-on refused by the provider: %s", exc.error)
        return _refused("", "provider_error")
    claims = token.get("userinfo") or {}
    email = str(claims.get("email") or "")
    if not email or claims.get("email_verified") is not True:
        return _refused(email, "email_not_verified")
    staff = staff_by_email(request_session(), email)
    if staff is None or not staff.active:
        return _refused(email, "no_active_account")
    return finish_sign_in(staff, session.pop(NEXT_KEY, None), method="sso")
