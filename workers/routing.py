"""Routing housekeeping: claims left half-done by a process that died mid-connect."""

from __future__ import annotations

import logging
from datetime import timedelta

from app import routing
from app.models import utcnow
from workers.runtime import current

log = logging.getLogger(__name__)
GRACE = timedelta(minutes=2)


def release_stale_claims() -> int:
    """Put callers whose advisor was claimed but never rung back in their queue."""
    runtime = current()
    older_than = timedelta(seconds=runtime.settings.ring_timeout_seconds) + GRACE
    with runtime.db.transaction() as session:
        released = routing.release_stale_claims(session, utcnow(), older_than)
    if released:
        log.warning("released %d stale routing claims", len(released))
    return len(released)
