"""Routing jobs: moving a claimed caller to their advisor, and claims left half-done.

Matching claims a caller and an advisor inside the web request (app.domain.routing); moving the
caller out of Twilio's queue is a REST call, so it happens here, outside any request:
`connect_claimed_caller` redirects the caller with the Queue Members API, or releases the
claim when Twilio refuses. It is safe twice, late or never: only a claim still waiting for its
move is acted on, the caller's own waitUrl poll may move them first, and the minutely
`release_stale_claims` sweep frees a claim whose job was lost.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from app.domain import routing
from app.integrations.twilio import redirect_call
from app.runtime import current

__all__ = ["connect_claimed_caller", "release_stale_claims"]

log = logging.getLogger(__name__)
GRACE = timedelta(minutes=2)


def connect_claimed_caller(leg_id: int, previous_status: str, previous_changed_at: str) -> str:
    """Redirect this leg's claimed caller to `/twilio/connect`; release the claim if refused.

    `previous_status` and `previous_changed_at` (ISO 8601) are the advisor's before the claim:
    a release gives them back, so the advisor keeps their place in the longest-idle order.
    """
    runtime = current()
    with runtime.db.transaction() as session:
        queued = routing.take_queued_caller(session, leg_id)
    if queued is None:
        log.info("leg %s: nothing to connect (answered, ended, released or moved)", leg_id)
        return "nothing to do"
    claim = routing.Claim(
        queued.call_id,
        queued.call_sid,
        queued.queue_sid,
        queued.advisor_id,
        leg_id,
        previous_status,
        datetime.fromisoformat(previous_changed_at),
    )
    if redirect_call(runtime.settings, claim, via_queue=True, client=runtime.twilio):
        log.info("redirected call %s to advisor %s", claim.call_sid, claim.advisor_id)
        return "redirected"
    with runtime.db.transaction() as session:
        released = routing.release(session, claim)
    return "released" if released else "ended meanwhile"


def release_stale_claims() -> int:
    """Put callers whose advisor was claimed but never rung back in their queue."""
    runtime = current()
    older_than = timedelta(seconds=runtime.settings.ring_timeout_seconds) + GRACE
    with runtime.db.transaction() as session:
        released = routing.release_stale_claims(session, runtime.now(), older_than)
    if released:
        log.warning("released %d stale routing claims", len(released))
    return len(released)
