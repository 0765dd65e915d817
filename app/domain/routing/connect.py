"""Matching and connecting (SPEC §4.5-4.7, §5): who is matched now and how they reach the advisor.

Matching claims a caller and an advisor in the database inside the request that saw the chance
(a caller joining or polling, an advisor becoming available); the caller is then moved to
`/twilio/connect?leg=N`, which dials the advisor:

- a caller joining the queue who is matched at once is dialled straight away;
- a caller whose own waitUrl poll finds them claimed leaves the queue (no REST call);
- any other claimed caller is moved by the connect job (workers.routing), which redirects them
  with Twilio's Queue Members API outside the request, so Twilio's latency never holds a
  webhook; if the job cannot be enqueued the claim is released at once.

No Flask here: the webhooks in app.voice.connect answer each decision with its TwiML.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from app.domain.languages import offer_any_language
from app.domain.phone import mask
from app.domain.routing.claims import (
    Claim,
    QueuedCaller,
    claim_next,
    release,
    speaker_free,
    take_queued_caller,
)
from app.domain.routing.endpoints import (
    Endpoint,
    InvalidEndpoint,
    endpoint_for_logs,
    parse_endpoint,
)
from app.domain.routing.legs import leg_not_answered, open_leg, should_record
from app.integrations import queue as queueing
from app.models import Call, CallLeg, RoutingState, Staff
from config.settings import Settings

log = logging.getLogger(__name__)
CONNECT_JOB = "workers.routing.connect_claimed_caller"


def enqueue_connect(settings: Settings, claim: Claim) -> str | None:
    """Queue the job that moves this claim's caller out of Twilio's queue; its id, or None."""
    return queueing.enqueue(
        settings,
        CONNECT_JOB,
        claim.leg_id,
        claim.previous_status,
        claim.previous_changed_at.isoformat(),
        job_id=f"connect-leg-{claim.leg_id}",
        at_front=True,  # a caller is waiting on it; recordings can wait a moment
    )


def match_and_connect(
    session: Session,
    settings: Settings,
    now: datetime,
    *,
    advisor_id: int | None = None,
    reachable_call_id: int | None = None,
) -> Claim | None:
    """Commit, match one pair and start moving that caller; never calls Twilio itself.

    A claim for `reachable_call_id` is returned for the current request to answer with TwiML.
    Any other caller is handed to the connect job; if it cannot be enqueued (Redis down), the
    claim is released here and None returned, so nobody is left claimed with no one to move them.
    """
    session.commit()
    claim = claim_next(
        session,
        now,
        settings.wrap_up_seconds,
        advisor_id=advisor_id,
        reachable_call_id=reachable_call_id,
    )
    session.commit()
    if claim is None or claim.call_id == reachable_call_id:
        return claim
    if enqueue_connect(settings, claim) is not None:
        log.info("matched call %s with advisor %s", claim.call_sid, claim.advisor_id)
        return claim
    if take_queued_caller(session, claim.leg_id) is not None:  # nobody moved them yet
        release(session, claim)
    session.commit()
    log.warning("released the claim of call %s: the connect job was not queued", claim.call_sid)
    return None


def match_on_joining(
    session: Session, settings: Settings, now: datetime, call: Call
) -> CallLeg | None:
    """A caller joining a queue: their leg when they are matched at once, to dial now."""
    claim = match_and_connect(session, settings, now, reachable_call_id=call.id)
    if claim is None or claim.call_id != call.id:
        return None
    leg = session.get(CallLeg, claim.leg_id)
    session.refresh(call)
    return leg


def any_language_offer_due(
    session: Session, settings: Settings, now: datetime, call: Call, waited_seconds: int
) -> bool:
    """Whether this waiting caller should hear the offer of the next advisor in any language."""
    due = offer_any_language(
        call.language,
        settings.default_language,
        accepted=call.any_language_since is not None,
        waited_seconds=waited_seconds,
        offer_after_seconds=settings.language_wait_offer_seconds,
        speaker_free=False,
    )
    if not due or call.service_code is None or call.language is None:
        return False
    free = speaker_free(session, now, settings.wrap_up_seconds, call.service_code, call.language)
    return not free


def is_current_leg(call: Call, leg: CallLeg) -> bool:
    """Whether `leg` is the call's leg still waiting to dial its advisor."""
    return leg.ended_at is None and call.assigned_advisor_id == leg.advisor_id


def endpoint_to_dial(session: Session, call: Call, leg: CallLeg, now: datetime) -> Endpoint | None:
    """Where to dial this leg's advisor, deciding recording now; None sends the caller back.

    Recording is decided at the last moment: the caller may have opted out while waiting. An
    advisor with no usable endpoint counts as not answering (caller to the front, advisor
    offline). Not committed.
    """
    advisor = session.get(Staff, leg.advisor_id) if leg.advisor_id else None
    try:
        endpoint = parse_endpoint(advisor.endpoint or "") if advisor else None
    except InvalidEndpoint:
        endpoint = None
    if advisor is None or endpoint is None:
        log.warning("advisor %s has no usable endpoint; caller back to queue", leg.advisor_id)
        leg_not_answered(session, call, leg, "failed", now)
        return None
    leg.recorded = should_record(call, advisor)
    log.info(
        "connecting call %s from %s to advisor %s at %s (%s)",
        call.call_sid,
        mask(call.from_number),
        leg.advisor_id,
        endpoint_for_logs(advisor.endpoint),
        "recorded" if leg.recorded else "not recorded",
    )
    return endpoint


def take_move_on_poll(session: Session, call: Call) -> QueuedCaller | None:
    """A waitUrl poll: take this caller's move out of the queue if their claim awaits it.

    Covers the caller matched by this very poll and one matched elsewhere whose connect job has
    not moved them yet (or was lost); whichever of the poll and the job takes the move first
    does it, the other does nothing. Not committed.
    """
    leg = open_leg(session, call)
    return take_queued_caller(session, leg.id) if leg is not None else None


def leg_after_leaving(session: Session, call: Call) -> CallLeg | None:
    """After `<Leave>`: the leg to connect if the caller left the queue for an advisor.

    None when the caller left for another reason (the maximum wait). A caller matched after
    the poll that sent them away is taken here too, so that no connect job also moves them.
    Not committed.
    """
    if call.routing_state != RoutingState.CONNECTING:
        return None
    leg = open_leg(session, call)
    if leg is None or leg.answered_at is not None:
        return None
    take_queued_caller(session, leg.id)  # None when the waitUrl poll already took it
    return leg
