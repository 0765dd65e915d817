"""Access requests made on the citizens' form (SPEC §15): registered as an officer would.

Channel `online`, identity pending, matching calls found and held at once. The same answers
submitted again within `DUPLICATE_WINDOW` give back the first request instead of a second one:
the request stores a digest of its answers (`submission_digest`), not a copy of them. Identical
submissions take turns from the duplicate check to the commit (`take_turn`), so two sent at the
same moment, by any processes, still make one request.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, replace
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.access_requests import NewAccessRequest, register
from app.models import AccessRequest

__all__ = [
    "CONFIRMATION_JOB",
    "DUPLICATE_WINDOW",
    "ONLINE_ACTOR",
    "submission_digest",
    "submit_online",
]

DUPLICATE_WINDOW = timedelta(minutes=10)
ONLINE_ACTOR = "public form (citizen)"
CHANNEL = "online"
CONFIRMATION_JOB = "workers.mail.send_request_confirmation"  # emails the reference
# PostgreSQL advisory locks are keyed by two integers: this one says "a form submission".
SUBMISSION_LOCKS = 0x53415231  # "SAR1"


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def submission_digest(new: NewAccessRequest) -> str:
    """SHA-256 of the answers (not the day received): equal answers, equal digest."""
    answers = {k: _plain(v) for k, v in asdict(new).items() if k != "received_on"}
    answers.pop("submission_digest", None)
    canonical = json.dumps(answers, sort_keys=True, default=list, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def take_turn(session: Session, digest: str) -> None:
    """Wait until no other transaction holding these answers is between its check and commit.

    PostgreSQL: a transaction-scoped advisory lock on the digest (released by the commit or
    rollback; different answers rarely share a key, and then only wait). SQLite: nothing to do,
    the engine begins every write transaction IMMEDIATE (app.db.engine), so writers run one at a
    time from their first statement, the duplicate check included.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = int.from_bytes(bytes.fromhex(digest)[:4], "big", signed=True)
        session.execute(select(func.pg_advisory_xact_lock(SUBMISSION_LOCKS, key)))


def recent_duplicate(session: Session, digest: str, now: datetime) -> AccessRequest | None:
    """The request these same answers made within the duplicate window, if any."""
    query = (
        select(AccessRequest)
        .where(
            AccessRequest.submission_digest == digest,
            AccessRequest.created_at >= now - DUPLICATE_WINDOW,
        )
        .order_by(AccessRequest.id.desc())
        .limit(1)
    )
    return session.scalar(query)


def submit_online(
    session: Session, new: NewAccessRequest, *, now: datetime
) -> tuple[AccessRequest, bool]:
    """Register the form's request (or find its twin); True when it is new. Caller commits."""
    online = replace(new, channel=CHANNEL, identity_pending=True, submission_digest=None)
    digest = submission_digest(online)
    take_turn(session, digest)
    existing = recent_duplicate(session, digest, now)
    if existing is not None:
        return existing, False
    created = register(
        session, replace(online, submission_digest=digest), actor=ONLINE_ACTOR, now=now
    )
    return created, True
