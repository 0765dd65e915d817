"""Twilio Voice SDK access tokens for advisors whose endpoint is `client:NAME` (SPEC §12, §14).

Shared by GET /api/voice-token and the console's softphone. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from app.domain import routing
from config.settings import Settings

TOKEN_TTL_SECONDS = 3600
NEEDED = ("TWILIO_API_KEY_SID", "TWILIO_API_KEY_SECRET", "TWILIO_TWIML_APP_SID")


class VoiceSdkNotConfigured(RuntimeError):
    """The Twilio API key and TwiML app the Voice SDK needs are not set."""


class NotAClientEndpoint(ValueError):
    """The advisor answers on a SIP or phone endpoint, not the Voice SDK."""


@dataclass(frozen=True)
class VoiceToken:
    """A signed access token, the client identity it is for, and its lifetime."""

    token: str
    identity: str
    expires_in: int


def client_identity(endpoint: str | None) -> str | None:
    """The Voice SDK identity of a `client:NAME` endpoint, or None for any other endpoint."""
    try:
        parsed = routing.parse_endpoint(endpoint or "")
    except routing.InvalidEndpoint:
        return None
    return parsed.address if parsed.kind == "client" else None


def access_token(settings: Settings, endpoint: str | None) -> VoiceToken:
    """A token whose identity is the advisor's client name, allowed to receive calls."""
    key_sid, secret = settings.twilio_api_key_sid, settings.twilio_api_key_secret
    app_sid = settings.twilio_twiml_app_sid
    if not (key_sid and secret and app_sid):
        raise VoiceSdkNotConfigured(f"The Voice SDK needs {', '.join(NEEDED)} to be set.")
    identity = client_identity(endpoint)
    if identity is None:
        raise NotAClientEndpoint("Your endpoint is not client:NAME.")
    token = AccessToken(
        settings.twilio_account_sid, key_sid, secret, identity=identity, ttl=TOKEN_TTL_SECONDS
    )
    token.add_grant(VoiceGrant(incoming_allow=True, outgoing_application_sid=app_sid))
    return VoiceToken(token.to_jwt(), identity, TOKEN_TTL_SECONDS)
