"""GET /api/voice-token: a Twilio Voice SDK access token for an advisor's `client:` endpoint."""

from __future__ import annotations

from flask import current_app, jsonify
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from app.api import bp
from app.domain import routing
from app.models import Role
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError

TOKEN_TTL_SECONDS = 3600
NEEDED = ("TWILIO_API_KEY_SID", "TWILIO_API_KEY_SECRET", "TWILIO_TWIML_APP_SID")


@bp.get("/voice-token")
@require_roles(Role.ADVISOR)
def voice_token():  # noqa: ANN201
    """An access token whose identity is the advisor's client name, allowed to receive calls."""
    settings = current_app.config["SETTINGS"]
    key_sid, secret = settings.twilio_api_key_sid, settings.twilio_api_key_secret
    app_sid = settings.twilio_twiml_app_sid
    if not (key_sid and secret and app_sid):
        raise ApiError(
            503, "voice_sdk_not_configured", f"The Voice SDK needs {', '.join(NEEDED)} to be set."
        )
    staff = current_staff()
    try:
        endpoint = routing.parse_endpoint(staff.endpoint or "")
    except routing.InvalidEndpoint:
        endpoint = None
    if endpoint is None or endpoint.kind != "client":
        raise ApiError(409, "not_a_client_endpoint", "Your endpoint is not client:NAME.")
    token = AccessToken(
        settings.twilio_account_sid,
        key_sid,
        secret,
        identity=endpoint.address,
        ttl=TOKEN_TTL_SECONDS,
    )
    token.add_grant(VoiceGrant(incoming_allow=True, outgoing_application_sid=app_sid))
    return jsonify(
        {"token": token.to_jwt(), "identity": endpoint.address, "expires_in": TOKEN_TTL_SECONDS}
    )
