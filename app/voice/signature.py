"""Twilio request signatures, checked against the URL Twilio actually used."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def public_url() -> str:
    """PUBLIC_BASE_URL + path + query: the URL Twilio signed, whatever proxies sit between."""
    base = current_app.config["SETTINGS"].public_base_url
    query = request.query_string.decode("latin-1")
    return f"{base}{request.path}" + (f"?{query}" if query else "")


class _FormValues(dict[str, list[str]]):
    """Every value of every form parameter, as `RequestValidator` reads them (`getall`)."""

    def getall(self, name: str) -> list[str]:
        return self[name]


def is_signed_by_twilio() -> bool:
    """True when X-Twilio-Signature matches this request's URL and form parameters."""
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    validator = RequestValidator(current_app.config["SETTINGS"].twilio_auth_token)
    url, params = public_url(), _FormValues(request.form.lists())
    # Twilio signs the URL it requested, which is the one we rebuild. validate() also tries
    # it with the port added and removed and computes both every time; that second HMAC is
    # needed only when the first does not match.
    expected = validator.compute_signature(url, params)
    if hmac.compare_digest(expected.encode(), signature.encode()):
        return True
    return bool(validator.validate(url, params, signature))


def twilio_signed(view: F) -> F:
    """Refuse with 403, before anything is read or written, unless Twilio signed the request."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_signed_by_twilio():
            log.warning("refused an unsigned or forged request to %s", request.path)
            abort(403, description="The request is not signed by Twilio.")
        return view(*args, **kwargs)

    return cast(F, wrapper)
