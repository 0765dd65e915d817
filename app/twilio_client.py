"""Twilio's REST client, pointed at TWILIO_API_BASE_URL (a local fake in tests)."""

from __future__ import annotations

from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from config.settings import Settings

REQUEST_TIMEOUT_SECONDS = 10


def make_twilio_client(settings: Settings) -> Client:
    """A REST client for our account whose requests go to `twilio_api_base_url`."""
    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=TwilioHttpClient(timeout=REQUEST_TIMEOUT_SECONDS),
    )
    client.api.base_url = settings.twilio_api_base_url.rstrip("/")
    return client
