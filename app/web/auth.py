"""Who is asking: the bearer token of an API request, and the role check of every view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import current_app, g, request

from app.db.session import request_session
from app.domain.staff import staff_for_token
from app.models import Role, Staff
from app.web.errors import ApiError

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str:
    """The bearer token of this request; 401 without one."""
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
            now = current_app.config["CLOCK"]()
            staff = staff_for_token(request_session(), bearer_token(), now)
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
