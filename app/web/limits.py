"""Rate limits on sign-in (SPEC §16): per client address and per account, in Redis.

Both the console's sign-in steps and POST /api/auth/token use `sign_in_limits`; a 429 carries
Retry-After. The account key is the email being tried, so spreading guesses over many addresses
does not help either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request

from app.extensions import client_address, limiter

F = TypeVar("F", bound=Callable[..., Any])


def _address_limit() -> str:
    return current_app.config["SETTINGS"].sign_in_address_limit


def _account_limit() -> str:
    return current_app.config["SETTINGS"].sign_in_account_limit


def email_tried() -> str:
    """The email of this sign-in attempt (form or JSON body), lowered; '' if none."""
    if request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email") if isinstance(body, dict) else None
    else:
        email = request.form.get("email")
    return email.strip().lower()[:254] if isinstance(email, str) else ""


def sign_in_limits(account: Callable[[], str] = email_tried) -> Callable[[F], F]:
    """Limit POSTs of the view per client address and per account (`account()` names it)."""

    def account_key() -> str:
        return f"account:{account() or client_address()}"

    def decorator(view: F) -> F:
        per_account = limiter.shared_limit(
            _account_limit, "sign-in-account", key_func=account_key, methods=["POST"]
        )
        per_address = limiter.shared_limit(
            _address_limit, "sign-in-address", key_func=client_address, methods=["POST"]
        )
        return per_address(per_account(view))

    return decorator
