"""Moving a live call to `/twilio/connect` with Twilio's REST API (SPEC §5): no Flask here.

A caller waiting in Twilio's queue is moved with the Queue Members API; a caller already
talking to an advisor (a transfer) with the Calls API. The connect job (workers.routing) and
the transfer endpoint share this; webhooks never call it, so Twilio's latency stays out of them.
"""

from __future__ import annotations

import logging

import requests
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.rest import Client

from app.routing import Claim
from app.twilio_client import make_twilio_client
from config.settings import Settings

log = logging.getLogger(__name__)


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
