"""Twilio's REST API: the one place the product calls it (a local fake in tests).

The client is pointed at TWILIO_API_BASE_URL. Moving a live call to `/twilio/connect`
(SPEC §5): a caller waiting in Twilio's queue is moved with the Queue Members API, a caller
already talking to an advisor (a transfer) with the Calls API. Webhooks never call Twilio, so
its latency stays out of them. No Flask here.

Each function makes one kind of request and lets Twilio's errors (`TwilioRestException`,
`TwilioException`) and the transport's (`requests.RequestException`) through, except where
its docstring says what an error means (a 404 for a recording already gone); callers decide
what a failure means for them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from config.settings import Settings

if TYPE_CHECKING:
    from twilio.rest.api.v2010.account.recording import RecordingInstance

    from app.domain.routing import Claim

__all__ = [
    "connect_url",
    "delete_recording",
    "list_recordings",
    "make_twilio_client",
    "media_url",
    "recording_media",
    "recording_status",
    "redirect_call",
    "redirect_live_call",
    "stop_live_recording",
]

REQUEST_TIMEOUT_SECONDS = 10
MEDIA_CHUNK = 1024 * 1024
MEDIA_TIMEOUT = (5, 60)  # connect, and between bytes
log = logging.getLogger(__name__)


def make_twilio_client(settings: Settings) -> Client:
    """A REST client for our account whose requests go to `twilio_api_base_url`."""
    client = Client(
        settings.twilio_account_sid,
        settings.twilio_auth_token,
        http_client=TwilioHttpClient(timeout=REQUEST_TIMEOUT_SECONDS),
    )
    client.api.base_url = settings.twilio_api_base_url.rstrip("/")
    return client


# --- live calls ------------------------------------------------------------------------------


def connect_url(settings: Settings, leg_id: int) -> str:
    """The URL that dials the advisor of this leg."""
    return f"{settings.public_base_url}/twilio/connect?leg={leg_id}"


def redirect_live_call(client: Client, call_sid: str, url: str) -> None:
    """Make a live call fetch its next TwiML from `url` (POST), wherever it is now."""
    client.calls(call_sid).update(url=url, method="POST")


def redirect_call(
    settings: Settings, claim: Claim, *, via_queue: bool, client: Client | None = None
) -> bool:
    """Send the caller to `/twilio/connect` for this claim's leg; False if Twilio refused."""
    url = connect_url(settings, claim.leg_id)
    client = client or make_twilio_client(settings)
    try:
        if via_queue:
            member = client.queues(claim.queue_sid).members(claim.call_sid)
            member.update(url=url, method="POST")
        else:
            redirect_live_call(client, claim.call_sid, url)
    except TwilioRestException as exc:
        if exc.status == 404:
            log.info("call %s is not in queue %s", claim.call_sid, claim.queue_sid)
        else:
            log.warning("Twilio refused to redirect %s: %s %s", claim.call_sid, exc.status, exc.msg)
        return False
    except (TwilioException, requests.RequestException) as exc:
        log.warning("could not reach Twilio to redirect %s: %s", claim.call_sid, exc)
        return False
    return True


def stop_live_recording(client: Client, call_sid: str) -> None:
    """Stop the recording running on a live call (Twilio answers 404 when none is)."""
    client.calls(call_sid).recordings("Twilio.CURRENT").update(status="stopped")


# --- recordings ------------------------------------------------------------------------------


def media_url(settings: Settings, recording_sid: str) -> str:
    """The WAV media of a recording at Twilio, built from our settings, never from a callback."""
    base = settings.twilio_api_base_url.rstrip("/")
    account = settings.twilio_account_sid
    return f"{base}/2010-04-01/Accounts/{account}/Recordings/{recording_sid}.wav"


def recording_media(settings: Settings, recording_sid: str) -> Iterator[bytes]:
    """Stream a recording's WAV media in chunks; OSError if it ends short of its length."""
    auth = (settings.twilio_account_sid, settings.twilio_auth_token)
    with requests.get(
        media_url(settings, recording_sid), auth=auth, stream=True, timeout=MEDIA_TIMEOUT
    ) as response:
        response.raise_for_status()
        expected = response.headers.get("Content-Length")
        received = 0
        for chunk in response.iter_content(MEDIA_CHUNK):
            received += len(chunk)
            yield chunk
    if expected is not None and expected.isdigit() and int(expected) != received:
        raise OSError(f"media of {recording_sid} ended after {received} of {expected} bytes")


def recording_status(client: Client, recording_sid: str) -> str | None:
    """Twilio's status of a recording (`completed`, `in-progress`, ...); 404 if it has none."""
    return client.recordings(recording_sid).fetch().status


def delete_recording(client: Client, recording_sid: str) -> None:
    """Delete Twilio's copy of a recording; one already gone (404) counts as deleted."""
    try:
        client.recordings(recording_sid).delete()
    except TwilioRestException as exc:
        if exc.status != 404:
            raise


def list_recordings(
    client: Client, *, created_before: datetime, page_size: int
) -> Iterator[RecordingInstance]:
    """Every recording Twilio holds that was created at or before `created_before`."""
    listed = client.recordings.stream(date_created_before=created_before, page_size=page_size)
    for recording in listed:
        # Twilio's DateCreated filter compares whole dates: check the instant ourselves.
        if recording.date_created is not None and recording.date_created <= created_before:
            yield recording
