"""Rate limits on sign-in (SPEC §16): per client address and per account, in Redis.

Both the console's sign-in steps and POST /api/auth/token use `sign_in_limits`; a 429 carries
Retry-After. The account key is the email being tried, so spreading guesses over many addresses
does not help either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, current_app, request

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


def spare_twilio_webhooks(app: Flask, *, unlimited: tuple[str, ...] = ("voice",)) -> None:
    """Run Flask-Limiter's per-request hooks for every blueprint but Twilio's webhooks.

    The limiter hooks every request of the app (resolving default, application and blueprint
    limits, then headers and a context reset): 0.25 ms of CPU on each incoming call, measured
    in-process, the largest cost the webhook had beyond its own work. Twilio's requests are
    signed and never limited, so the hooks move to the other blueprints, where any default or
    blueprint limit added later still applies. Decorated limits check in their decorator.
    Call after the blueprints are registered.
    """
    ours = id(limiter)

    def is_limiters(hook: object) -> bool:
        owner = getattr(hook, "__self__", None) or next(iter(getattr(hook, "args", ())), None)
        return id(owner) == ours

    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        moved = [hook for hook in hooks.get(None, []) if is_limiters(hook)]
        if not moved:
            continue
        hooks[None] = [hook for hook in hooks[None] if not is_limiters(hook)]
        for name in app.blueprints:
            if name not in unlimited:
                hooks.setdefault(name, []).extend(moved)
