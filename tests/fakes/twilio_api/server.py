"""A local HTTP fake of Twilio's REST API v2010, checked against Twilio's OpenAPI description.

Every request is validated against ``../shared/twilio/twilio_api_v2010.json`` (path template,
method, path parameters, form fields, query parameters, HTTP basic auth). A mismatch is appended
to ``FakeTwilio.violations`` and answered with a Twilio-style 400 error, so a product test that
makes an invalid Twilio call fails (the ``fake_twilio`` fixture asserts no violations).
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from twilio.rest import Client
from werkzeug.datastructures import MultiDict
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from tests.fakes.twilio_api.openapi import SPEC_PATH, SpecCheck, check_fields, load_spec
from tests.fakes.twilio_api.queues import QueuesApi
from tests.fakes.twilio_api.recordings import RecordingsApi
from tests.fakes.twilio_api.responses import twilio_error
from tests.fakes.twilio_api.state import API, Fault, TwilioError, TwilioRequest
from tests.support.sids import new_sid

__all__ = ["MEDIA_OPERATION", "FakeTwilio", "make_client"]

MEDIA_OPERATION = "FetchRecordingMedia"
_MEDIA_RE = re.compile(
    r"^/2010-04-01/Accounts/(?P<AccountSid>[^/]+)/Recordings/(?P<Sid>[^/.]+)(?P<ext>\.wav|\.mp3)?$"
)


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        """Keep test output clean: the fake keeps its own request log."""


class FakeTwilio(RecordingsApi, QueuesApi):
    """Twilio's REST API v2010 on a local port, with in-memory state and spec checking."""

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
        spec_path: Path = SPEC_PATH,
    ) -> None:
        self.spec = load_spec(spec_path)
        self.account_sid = account_sid or new_sid("AC")
        self.auth_token = auth_token or secrets.token_hex(16)
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.RLock()
        self.reset()
        self._server: BaseWSGIServer = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    # ---- lifecycle

    def reset(self) -> None:
        """Forget all state, requests, violations, faults and delays."""
        with self._lock:
            self.recordings = {}
            self.deleted_recordings = {}
            self.calls = {}
            self.queues = {}
            self.requests: list[TwilioRequest] = []
            self.violations: list[str] = []
            self._faults: list[Fault] = []
            self._delays: list[tuple[re.Pattern[str], float]] = []

    def close(self) -> None:
        """Stop the server and wait for its thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeTwilio:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def take_violations(self) -> list[str]:
        """Return the violations so far and clear them."""
        with self._lock:
            taken, self.violations = self.violations, []
        return taken

    def find_requests(
        self, method: str | None = None, path_regex: str | None = None
    ) -> list[TwilioRequest]:
        """Logged requests matching a method and a path regex (``re.search``)."""
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method.upper())
                and (path_regex is None or re.search(path_regex, r.path))
            ]

    # ---- arranging failures (the resources' add_* methods arrange state)

    def fail_next(
        self,
        method: str,
        path_regex: str,
        status: int = 500,
        times: int = 1,
        *,
        code: int | None = None,
        message: str | None = None,
    ) -> None:
        """Answer the next ``times`` matching requests with a Twilio error."""
        fault = Fault(
            method.upper(),
            re.compile(path_regex),
            status,
            times,
            code if code is not None else 20000 + status,
            message or f"Injected failure ({status})",
        )
        with self._lock:
            self._faults.append(fault)

    def delay(self, path_regex: str, seconds: float) -> None:
        """Delay every matching request by ``seconds`` (until ``reset``)."""
        with self._lock:
            self._delays.append((re.compile(path_regex), seconds))

    # ---- request handling

    def _wsgi(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request = Request(environ)
        logged = self._log(request)
        try:
            response = self._respond(request, logged)
        except Exception:
            self._violation(
                f"the fake crashed on {request.method} {request.path}:\n{traceback.format_exc()}"
            )
            response = twilio_error(500, 20500, "Fake Twilio crashed")
        logged.status = response.status_code
        return response(environ, start_response)

    def _log(self, request: Request) -> TwilioRequest:
        form = request.form if request.mimetype == "application/x-www-form-urlencoded" else {}
        with self._lock:
            logged = TwilioRequest(
                seq=len(self.requests),
                at=datetime.now(UTC),
                method=request.method,
                path=request.path,
                query=request.args.to_dict(),
                form=dict(form),
            )
            self.requests.append(logged)
        return logged

    def _violation(self, message: str) -> None:
        with self._lock:
            self.violations.append(message)

    def _respond(self, request: Request, logged: TwilioRequest) -> Response:
        if not self._authorised(request):
            self._violation(f"{request.method} {request.path}: missing or wrong HTTP basic auth")
            return twilio_error(401, 20003, "Authenticate")
        media = _MEDIA_RE.match(request.path)
        if media:
            logged.operation = MEDIA_OPERATION
            check = self._check_media(request, media.groupdict())
        else:
            check = self._check_spec(request)
            logged.operation = check.operation.operation_id if check.operation else None
        if check.problems:
            for problem in check.problems:
                self._violation(problem)
            return twilio_error(400, 20001, "; ".join(check.problems))
        if check.path_params.get("AccountSid") != self.account_sid:
            self._violation(f"{request.method} {request.path}: AccountSid is not the caller's")
            return twilio_error(401, 20003, "Authenticate")
        self._apply_delay(request.path)
        fault = self._take_fault(request)
        if fault:
            return twilio_error(fault.status, fault.code, fault.message)
        try:
            return self._dispatch(request, logged.operation or "", check.path_params)
        except TwilioError as error:
            return twilio_error(error.status, error.code, error.message)

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        scheme, _, encoded = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        try:
            user, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return False
        return secrets.compare_digest(f"{user}:{password}", f"{self.account_sid}:{self.auth_token}")

    def _check_spec(self, request: Request) -> SpecCheck:
        form: MultiDict[str, str] = MultiDict()
        problems = []
        if request.mimetype == "application/x-www-form-urlencoded":
            form = request.form
        elif request.get_data():
            problems.append(
                f"{request.method} {request.path}: body must be "
                f"application/x-www-form-urlencoded, got {request.mimetype or 'no content type'}"
            )
        check = self.spec.check(request.method, request.path, request.args, form)
        check.problems.extend(problems)
        return check

    def _check_media(self, request: Request, params: dict[str, str]) -> SpecCheck:
        ext = params.pop("ext") or ""
        where = f"{request.method} {API}/Accounts/{{AccountSid}}/Recordings/{{Sid}}{ext} (media)"
        problems = []
        if request.method not in ("GET", "HEAD"):
            problems.append(f"{where}: method not allowed (media supports GET, HEAD)")
        fetch = self.spec.operations["FetchRecording"]
        problems += check_fields(where, "path parameter", fetch.path_params, MultiDict(params))
        unknown = [name for name in request.args if name != "RequestedChannels"]
        problems += [f"{where}: unknown query parameter {name!r}" for name in unknown]
        if request.args.getlist("RequestedChannels") not in ([], ["1"], ["2"]):
            problems.append(f"{where}: RequestedChannels must be 1 or 2")
        if request.get_data():
            problems.append(f"{where}: takes no body")
        return SpecCheck(None, None, params, problems)

    def _apply_delay(self, path: str) -> None:
        with self._lock:
            seconds = sum(s for regex, s in self._delays if regex.search(path))
        if seconds:
            time.sleep(seconds)

    def _take_fault(self, request: Request) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.method in (request.method, "*") and fault.path.search(request.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def _dispatch(self, request: Request, operation: str, params: dict[str, str]) -> Response:
        handler = getattr(self, f"_op_{operation}", None)
        if handler is None:
            self._violation(
                f"{request.method} {request.path}: {operation} is valid but the fake "
                "does not implement it; extend tests/fakes/twilio_api/"
            )
            return twilio_error(501, 20501, f"{operation} is not implemented by the fake")
        with self._lock:
            return handler(request, **params)


def make_client(fake: FakeTwilio) -> Client:
    """A real ``twilio.rest.Client`` whose REST calls go to the fake."""
    client = Client(fake.account_sid, fake.auth_token)
    client.api.base_url = fake.base_url
    return client
