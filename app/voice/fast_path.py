"""The incoming-call webhook's common case, answered below Flask (SPEC §11).

Every call starts with `POST /twilio/voice`, and SPEC §11 holds that webhook to half a bare
Flask endpoint's throughput. Measured in-process, Flask's own work around the view (request
and app contexts, URL matching, the CSRF and security hooks, the Response object) was about
as much CPU as the view's signature check and database write together. So this WSGI layer,
in front of Flask, answers the one request shape Twilio sends on every call: a signed
URL-encoded POST with a valid CallSid, for which the view's TwiML is already rendered.

It does what the view does, with the same parts: the same signature check
(`signature_matches`), the same `calls.record_incoming` (the call row committed before the
answer), the same choice of TwiML (`incoming_twiml`) and its text as the view rendered it, and
the headers Flask's own response processing gives such an answer on this path (taken once,
from `app.process_response`). Anything else (another path, a query string, no or
a wrong signature, a bad CallSid, TwiML not rendered yet, a failed write: the upsert is
idempotent, so trying again is safe) goes to Flask with its body intact, where the view
refuses, answers or recovers exactly as it would have. tests/voice/test_fast_path.py compares
the two answers header for header.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from flask import Response
from werkzeug.datastructures import MultiDict

from app.domain import calls, languages
from app.extensions import db
from app.voice.routes import FIXED_TWIML, incoming_twiml
from app.voice.signature import signature_matches
from app.web.request import URLENCODED, url_encoded_pairs

if TYPE_CHECKING:
    from flask import Flask

log = logging.getLogger(__name__)

PATH = "/twilio/voice"
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class IncomingCallFastPath:
    """WSGI middleware: the incoming-call webhook's common case here, the rest to Flask."""

    def __init__(self, app: Flask, flask_wsgi: WSGIApp) -> None:
        settings = app.config["SETTINGS"]
        self._app = app
        self.flask = flask_wsgi  # the app it hands everything else to
        self._token = settings.twilio_auth_token
        self._url = f"{settings.public_base_url}{PATH}"
        self._language = languages.single_language(settings.languages)
        self._limit = app.config["MAX_CONTENT_LENGTH"]
        with app.test_request_context(PATH, method="POST"):  # what Flask adds to such an answer
            sample = app.process_response(Response(mimetype="application/xml"))
        self._headers = [(k, v) for k, v in sample.headers.items() if k != "Content-Length"]

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
        start_response("200 OK", [*self._headers, ("Content-Length", str(len(twiml)))])
        return [twiml]

    def _answer(self, environ: dict[str, Any], body: bytes) -> bytes | None:
        """The TwiML once the call is written, or None for Flask to answer."""
        signature = environ.get("HTTP_X_TWILIO_SIGNATURE")
        if not signature:
            return None
        try:
            form = MultiDict(url_encoded_pairs(body.decode()))
        except ValueError:
            return None
        if not signature_matches(self._token, self._url, form, signature):
            return None
        sid = form.get("CallSid")
        if not sid or not calls.CALL_SID.match(sid):
            return None
        config = self._app.config
        now = config["CLOCK"]()
        is_open = config["OPENING_HOURS"].is_open(now)
        rendered = self._app.extensions.get(FIXED_TWIML, {}).get(
            incoming_twiml(is_open, self._language)
        )
        if rendered is None:  # the view renders it once; until then it answers
            return None
        calls.record_incoming(  # idempotent: if it fails, the view writes again
            db,
            sid,
            form.get("From"),
            form.get("To"),
            now,
            out_of_hours=not is_open,
            language=self._language,
        )
        return rendered.encode()
