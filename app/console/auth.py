"""Who is signed in to the console, and the role check of every page (SPEC §16)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, g, redirect, request, session, url_for

from app.db.session import request_session
from app.domain.sessions import SessionLimits, live_session
from app.models import ConsoleSession, Role, Staff

F = TypeVar("F", bound=Callable[..., Any])
COOKIE_KEY = "console_session"  # inside Flask's signed session cookie
SECOND_STEP_TIME = timedelta(minutes=10)  # to give the code after the password
PASSWORD_PAGE = "console.change_password"  # noqa: S105  (an endpoint: where a temporary password goes first)


def session_limits() -> SessionLimits:
    """SESSION_IDLE_MINUTES and SESSION_MAX_HOURS."""
    settings = current_app.config["SETTINGS"]
    return SessionLimits(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_max_hours),
    )


def now():  # noqa: ANN201
    """The app's injected clock."""
    return current_app.config["CLOCK"]()


def current_console_session() -> ConsoleSession | None:
    """The live server-side session of this browser, once per request."""
    if "console_session" not in g:
        token = session.get(COOKIE_KEY)
        row = live_session(request_session(), token, now(), session_limits()) if token else None
        if row is not None and row.second_factor_at is None:
            row = None  # half-way through sign-in: not signed in yet
        request_session().commit()
        g.console_session = row
    return cast(ConsoleSession | None, g.console_session)


def pending_console_session() -> ConsoleSession | None:
    """The session half-way through sign-in (password given, code not yet), if recent."""
    if "pending_session" not in g:
        token = session.get(COOKIE_KEY)
        row = live_session(request_session(), token, now(), session_limits()) if token else None
        if row is not None and (
            row.second_factor_at is not None or now() - row.created_at > SECOND_STEP_TIME
        ):
            row = None
        request_session().commit()
        g.pending_session = row
    return cast(ConsoleSession | None, g.pending_session)


def signed_in_staff() -> Staff | None:
    """The member of staff signed in to this browser, if any."""
    row = current_console_session()
    return row.staff if row is not None else None


def console_roles(*roles: Role) -> Callable[[F], F]:
    """Let the page run only for a signed-in member of staff holding one of `roles`."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            staff = signed_in_staff()
            if staff is None:
                return redirect(url_for("console.login", next=request.full_path.rstrip("?")))
            if staff.password_must_change and request.endpoint != PASSWORD_PAGE:
                return redirect(url_for(PASSWORD_PAGE, next=request.full_path.rstrip("?")))
            if roles and staff.role not in roles:
                abort(403)
            g.staff = staff
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator
