"""Staff accounts: argon2 passwords and expiring, revocable bearer tokens (no Flask)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import ApiToken, Staff, utcnow

_hasher = PasswordHasher()


def staff_by_email(session: Session, email: str) -> Staff | None:
    """The member of staff with this email, whatever its case.

    Both sides are lowered by the database: Python's `lower()` folds letters (such as `Ć`)
    that SQL's `lower()` may leave alone, and then a duplicate or a login would be missed.
    """
    return session.scalar(select(Staff).where(func.lower(Staff.email) == func.lower(email)))


def hash_password(password: str) -> str:
    """An argon2 hash of `password`."""
    return _hasher.hash(password)


def check_password(staff: Staff, password: str) -> bool:
    """True when `password` is the staff member's password."""
    if not staff.password_hash:
        return False
    try:
        return _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(
    session: Session, staff: Staff, ttl: timedelta, now: datetime | None = None
) -> tuple[str, ApiToken]:
    """A new bearer token for `staff`, valid for `ttl` from `now`; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    expires_at = (now or utcnow()) + ttl
    row = ApiToken(staff_id=staff.id, token_hash=_digest(token), expires_at=expires_at)
    session.add(row)
    session.flush()
    return token, row


def staff_for_token(session: Session, token: str, now: datetime | None = None) -> Staff | None:
    """The active staff member a token belongs to, if it is live at `now`."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= (now or utcnow()):
        return None
    return row.staff if row.staff.active else None


def revoke_token(session: Session, token: str, now: datetime | None = None) -> bool:
    """Revoke a token; True when it existed."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None:
        return False
    row.revoked_at = row.revoked_at or now or utcnow()
    return True
