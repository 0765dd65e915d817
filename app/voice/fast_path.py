"""The incoming-call webhook's common case, answered below Flask (SPEC §11).

Every call starts with `POST /twilio/voice`, and SPEC §11 holds that webhook to half a bare
Flask endpoint's throughput. Measured in-process, Flask's own work around the view (request
and app contexts, URL matching, the CSRF and security hooks, the Response object) was about
as much CPU as the view's signature check and database write together. So this WSGI layer,
in front of Flask, answers the one request shape Twilio sends on every call: a signed
URL-encoded POST with a valid CallSid, for which the view's TwiML is already rendered.

It does what the view does, with the same parts: the same signature, the same
`calls.record_incoming` (the call row committed before the answer), the same TwiML text
(rendered by the view, kept in `app.extensions["fixed_twiml"]`) and the same headers
(`add_security_headers`' for this path). Anything else (another path, a query string, no or
a wrong signature, a bad CallSid, TwiML not rendered yet, a failed write: the upsert is
idempotent, so trying again is safe) goes to Flask with its body intact, where the view
refuses, answers or recovers exactly as it would have. tests/voice/test_fast_path.py compares
the two answers header for header.
"""

from __future__ import annotations

import hmac
import io
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from app.domain import calls, languages
from app.extensions import db
from app.web.request import URLENCODED, url_encoded_pairs
from app.web.security import STRICT_TRANSPORT_SECURITY

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

PATH = "/twilio/voice"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class _Params:
    """A parsed form as `RequestValidator.compute_signature` reads it."""

    __slots__ = ("_values",)

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._values: dict[str, list[str]] = {}
        for name, value in pairs:
            self._values.setdefault(name, []).append(value)

    def __iter__(self):  # noqa: ANN204
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def getall(self, name: str) -> list[str]:
        return self._values[name]

    def first(self, name: str) -> str | None:
        values = self._values.get(name)
        return values[0] if values else None


class IncomingCallFastPath:
    """WSGI middleware: the incoming-call webhook's common case here, the rest to Flask."""

    def __init__(self, app: Flask, flask_wsgi: WSGIApp) -> None:
        from app.voice.signature import _validator  # noqa: PLC0415  (one validator per token)

        settings = app.config["SETTINGS"]
        self._app = app
        self.flask = flask_wsgi  # the app it hands everything else to
        self._url = f"{settings.public_base_url}{PATH}"
        self._validator = _validator(settings.twilio_auth_token)
        self._language = languages.single_language(settings.languages)
        self._limit = app.config["MAX_CONTENT_LENGTH"]
        self._headers_after = [
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "same-origin"),
            *(
                [("Strict-Transport-Security", STRICT_TRANSPORT_SECURITY)]
                if settings.is_production
                else []
            ),
        ]

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]):  # noqa: ANN204
        if (
            environ.get("PATH_INFO") != PATH
            or environ.get("REQUEST_METHOD") != "POST"
            or environ.get("QUERY_STRING")
            or environ.get("CONTENT_TYPE", "").partition(";")[0].strip().lower() != URLENCODED
            or "HTTP_TRANSFER_ENCODING" in environ
            or "HTTP_X_TWILIO_WEBHOOKS_SIGNATURE_SETTINGS" in environ
        ):
            return self.flask(environ, start_response)
        length = environ.get("CONTENT_LENGTH", "")
        if not length.isdigit() or int(length) > self._limit:
            return self.flask(environ, start_response)
        body = environ["wsgi.input"].read(int(length))
        environ["wsgi.input"] = io.BytesIO(body)  # Flask reads it again if it is handed over
        environ["CONTENT_LENGTH"] = str(len(body))
        try:
            twiml = self._answer(environ, body)
        except Exception as exc:  # noqa: BLE001  (the view tries again and answers what it must)
            # The class only: a driver's message may quote the row (a caller's number).
            log.warning(
                "the incoming call's fast path failed (%s); the view answers", type(exc).__name__
            )
            twiml = None
        if twiml is None:
            return self.flask(environ, start_response)
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/xml; charset=utf-8"),
                ("Content-Length", str(len(twiml))),
                *self._headers_after,
            ],
        )
        return [twiml]

    def _answer(self, environ: dict[str, Any], body: bytes) -> bytes | None:
        """The TwiML once the call is written, or None for Flask to answer."""
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE")
        if not signature:
            return None
        try:
            params = _Params(url_encoded_pairs(body.decode()))
        except ValueError:
            return None
        expected = self._validator.compute_signature(self._url, params)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            return None
        sid = params.first("CallSid")
        if not sid or not calls.CALL_SID.match(sid):
            return None
        config = self._app.config
        now = config["CLOCK"]()
        is_open = config["OPENING_HOURS"].is_open(now)
        name = "greeting" if self._language is not None else "language"
        rendered = self._app.extensions.get("fixed_twiml", {}).get(name if is_open else "closed")
        if rendered is None:  # the view renders it once; until then it answers
            return None
        calls.record_incoming(  # idempotent: if it fails, the view writes again
            db,
            sid,
            params.first("From"),
            params.first("To"),
            now,
            out_of_hours=not is_open,
            language=self._language,
        )
        return rendered.encode()
