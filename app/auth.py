"""Staff authentication: argon2 passwords, expiring revocable bearer tokens, role checks."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import g, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db import request_session
from app.errors import ApiError
from app.models import ApiToken, Role, Staff, utcnow

_hasher = PasswordHasher()
F = TypeVar("F", bound=Callable[..., Any])


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


def issue_token(session: Session, staff: Staff, ttl: timedelta) -> tuple[str, ApiToken]:
    """A new bearer token for `staff`; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    row = ApiToken(staff_id=staff.id, token_hash=_digest(token), expires_at=utcnow() + ttl)
    session.add(row)
    session.flush()
    return token, row


def staff_for_token(session: Session, token: str) -> Staff | None:
    """The active staff member a live token belongs to, if any."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.staff if row.staff.active else None


def revoke_token(session: Session, token: str) -> bool:
    """Revoke a token; True when it existed."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None:
        return False
    row.revoked_at = row.revoked_at or utcnow()
    return True


def _bearer() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthenticated", "Send Authorization: Bearer <token>.")
    return token.strip()


def require_roles(*roles: Role) -> Callable[[F], F]:
    """Let the view run only for a signed-in member of staff holding one of `roles`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            staff = staff_for_token(request_session(), _bearer())
            if staff is None:
                raise ApiError(401, "unauthenticated", "The token is unknown, expired or revoked.")
            if roles and staff.role not in roles:
                raise ApiError(403, "forbidden", "Your role does not allow this.")
            g.staff = staff
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def current_staff() -> Staff:
    """The member of staff making this request."""
    return cast(Staff, g.staff)
