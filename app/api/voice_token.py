"""GET /api/voice-token: a Twilio Voice SDK access token for an advisor's `client:` endpoint."""

from __future__ import annotations

from flask import current_app, jsonify

from app.api import bp
from app.integrations import voice_sdk
from app.models import Role
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError


@bp.get("/voice-token")
@require_roles(Role.ADVISOR)
def voice_token():  # noqa: ANN201
    """An access token whose identity is the advisor's client name, allowed to receive calls."""
    try:
        token = voice_sdk.access_token(current_app.config["SETTINGS"], current_staff().endpoint)
    except voice_sdk.VoiceSdkNotConfigured as exc:
        raise ApiError(503, "voice_sdk_not_configured", str(exc)) from exc
    except voice_sdk.NotAClientEndpoint as exc:
        raise ApiError(409, "not_a_client_endpoint", str(exc)) from exc
    return jsonify(
        {"token": token.token, "identity": token.identity, "expires_in": token.expires_in}
    )
