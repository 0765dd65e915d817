"""Twilio's REST API: the one place the product calls it (a local fake in tests).

The client is pointed at TWILIO_API_BASE_URL. Moving a live call to `/twilio/connect`
(SPEC §5): a caller waiting in Twilio's queue is moved with the Queue Members API, a caller
already talking to an advisor (a transfer) with the Calls API. Webhooks never call Twilio, so
its latency stays out of them. No Flask here.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from config.settings import Settings

if TYPE_CHECKING:
    from app.domain.routing import Claim

REQUEST_TIMEOUT_SECONDS = 10
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


def connect_url(settings: Settings, leg_id: int) -> str:
    """The URL that dials the advisor of this leg."""
    return f"{settings.public_base_url}/twilio/connect?leg={leg_id}"


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
            client.calls(claim.call_sid).update(url=url, method="POST")
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
