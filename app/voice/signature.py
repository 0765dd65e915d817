"""Twilio request signatures, checked against the URL Twilio actually used."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Iterator
from functools import lru_cache, wraps
from typing import Any, TypeVar, cast

from flask import Request, abort, current_app, request
from twilio.request_validator import RequestValidator
from werkzeug.datastructures import MultiDict

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def public_url(req: Request, base: str) -> str:
    """PUBLIC_BASE_URL + path + query: the URL Twilio signed, whatever proxies sit between."""
    query = req.query_string.decode("latin-1")
    return f"{base}{req.path}" + (f"?{query}" if query else "")


class _FormValues:
    """The request's form as `RequestValidator` reads it: every value of a parameter."""

    __slots__ = ("_form",)

    def __init__(self, form: MultiDict[str, str]) -> None:
        self._form = form

    def __len__(self) -> int:
        return len(self._form)

    def __iter__(self) -> Iterator[str]:
        return iter(self._form)

    def getall(self, name: str) -> list[str]:
        return self._form.getlist(name)


@lru_cache(maxsize=4)
def _validator(auth_token: str) -> RequestValidator:
    return RequestValidator(auth_token)


def signature_matches(auth_token: str, url: str, form: MultiDict[str, str], signature: str) -> bool:
    """Whether `signature` is Twilio's for exactly this URL and form: one HMAC, the common case
    (`is_signed_by_twilio` also tries the URL with its port added or removed)."""
    expected = _validator(auth_token).compute_signature(url, _FormValues(form))
    return hmac.compare_digest(expected.encode(), signature.encode())


def is_signed_by_twilio() -> bool:
    """True when X-Twilio-Signature matches this request's URL and form parameters."""
    req: Request = request._get_current_object()  # type: ignore[attr-defined]  (one lookup)
    signature = req.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    settings = current_app.config["SETTINGS"]
    url = public_url(req, settings.public_base_url)
    # Twilio signs the URL it requested, which is the one we rebuild. validate() also tries
    # it with the port added and removed and computes both every time; that second HMAC is
    # needed only when the first does not match.
    if signature_matches(settings.twilio_auth_token, url, req.form, signature):
        return True
    validator = _validator(settings.twilio_auth_token)
    return bool(validator.validate(url, _FormValues(req.form), signature))


def twilio_signed(view: F) -> F:
    """Refuse with 403, before anything is read or written, unless Twilio signed the request."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not is_signed_by_twilio():
            log.warning("refused an unsigned or forged request to %s", request.path)
            abort(403, description="The request is not signed by Twilio.")
        return view(*args, **kwargs)

    return cast(F, wrapper)
