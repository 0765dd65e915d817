"""Console sessions (SPEC §16): server-side, so sign-out and deactivation end them at once.

The browser's cookie carries only a random token; its SHA-256 is stored. A session ends when
signed out, after `idle` without a request, at its absolute limit, or when its member of
staff is deactivated.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from app.models import ApiToken, ConsoleSession, Staff

# How stale the recorded last request may be. A desk asks for its live part every 2 s; writing
# `last_seen_at` each time would be a row update and a commit per poll per advisor. Recorded
# to the minute, an idle session may end up to a minute early, never late.
LAST_SEEN_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionLimits:
    """How long a console session may sit idle, and how long it may last at most."""

    idle: timedelta
    absolute: timedelta


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    session: Session,
    staff: Staff,
    now: datetime,
    limits: SessionLimits,
    *,
    second_factor: bool,
    client_address: str | None = None,
    user_agent: str | None = None,
) -> str:
    """A new console session for `staff`; returns the token for the cookie.

    Without `second_factor` the session is only half-way: it signs in nobody until
    `second_factor_passed` (the TOTP step) completes it.
    """
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            staff_id=staff.id,
            token_hash=_digest(token),
            created_at=now,
            last_seen_at=now,
            expires_at=now + limits.absolute,
            second_factor_at=now if second_factor else None,
            client_address=client_address,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    session.flush()
    return token


def live_session(
    session: Session, token: str, now: datetime, limits: SessionLimits
) -> ConsoleSession | None:
    """The live session of this token (its last request recorded to the minute), or None."""
    row = session.scalar(  # with its member of staff: one round trip for every page and poll
        select(ConsoleSession)
        .options(joinedload(ConsoleSession.staff))
        .where(ConsoleSession.token_hash == _digest(token))
    )
    if row is None or row.revoked_at is not None or not row.staff.active:
        return None
    if now >= row.expires_at or now - row.last_seen_at >= limits.idle:
        row.revoked_at = now
        return None
    if now - row.last_seen_at >= LAST_SEEN_STEP or now < row.last_seen_at:
        row.last_seen_at = now
    return row


def second_factor_passed(row: ConsoleSession, now: datetime) -> None:
    """The TOTP step succeeded: the session now signs its member of staff in."""
    row.second_factor_at = now


def end_session(session: Session, token: str, now: datetime) -> bool:
    """Sign out: the session stops working on the server, whatever the browser keeps."""
    row = session.scalar(select(ConsoleSession).where(ConsoleSession.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True


def end_everything_of(
    session: Session, staff: Staff, now: datetime, *, keep: ConsoleSession | None = None
) -> None:
    """End every console session and revoke every API token of `staff` (deactivation, a reset);
    `keep` spares the session the member of staff is using (they changed their own password)."""
    others = [ConsoleSession.id != keep.id] if keep is not None else []
    session.execute(
        update(ConsoleSession)
        .where(ConsoleSession.staff_id == staff.id, ConsoleSession.revoked_at.is_(None), *others)
        .values(revoked_at=now)
    )
    session.execute(
        update(ApiToken)
        .where(ApiToken.staff_id == staff.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
