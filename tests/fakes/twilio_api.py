"""A local HTTP fake of Twilio's REST API v2010, checked against Twilio's OpenAPI description.

Every request is validated against ``../shared/twilio/twilio_api_v2010.json`` (path template,
method, path parameters, form fields, query parameters, HTTP basic auth). A mismatch is appended
to ``FakeTwilio.violations`` and answered with a Twilio-style 400 error, so a product test that
makes an invalid Twilio call fails (the ``fake_twilio`` fixture asserts no violations).
"""

from __future__ import annotations

import base64
import binascii
import functools
import io
import json
import re
import secrets
import threading
import time
import traceback
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlencode, urlsplit

from jsonschema import Draft7Validator, FormatChecker
from twilio.rest import Client
from werkzeug.datastructures import MultiDict
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import wrap_file

from tests.support.sids import new_sid

__all__ = [
    "SPEC_PATH",
    "Call",
    "FakeTwilio",
    "Queue",
    "QueueMember",
    "Recording",
    "Redirect",
    "TwilioRequest",
    "TwilioSpec",
    "load_spec",
    "make_client",
    "silent_wav",
]

SPEC_PATH = Path(__file__).resolve().parents[3] / "shared" / "twilio" / "twilio_api_v2010.json"
API = "/2010-04-01"
MEDIA_OPERATION = "FetchRecordingMedia"
_CHUNK = 64 * 1024
_MEDIA_RE = re.compile(
    r"^/2010-04-01/Accounts/(?P<AccountSid>[^/]+)/Recordings/(?P<Sid>[^/.]+)(?P<ext>\.wav|\.mp3)?$"
)
_ENDED_CALL = {"completed", "canceled", "failed", "busy", "no-answer"}


# --------------------------------------------------------------------------- spec checking


def _is_http_url(value: object) -> bool:
    """Whether a value is an absolute http(s) URL."""
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _is_date_or_datetime(value: object) -> bool:
    """Whether a value is an ISO 8601 date or date-time (Twilio accepts both in filters)."""
    if not isinstance(value, str):
        return True
    try:
        _parse_filter_value(value)
    except ValueError:
        return False
    return True


def _is_date(value: object) -> bool:
    """Whether a value is an ISO 8601 date."""
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


_FORMATS = FormatChecker(formats=())
_FORMATS.checks("uri")(_is_http_url)
_FORMATS.checks("date-time")(_is_date_or_datetime)
_FORMATS.checks("date")(_is_date)


@dataclass(frozen=True)
class _Field:
    """One parameter or form field of an operation, with its compiled schema."""

    name: str
    schema: dict[str, Any]
    validator: Draft7Validator
    required: bool


@dataclass(frozen=True)
class Operation:
    """The parts of an OpenAPI operation the fake checks."""

    operation_id: str
    path_params: dict[str, _Field]
    query_params: dict[str, _Field]
    form_fields: dict[str, _Field] | None


@dataclass(frozen=True)
class _Route:
    template: str
    regex: re.Pattern[str]
    operations: dict[str, Operation]


@dataclass(frozen=True)
class SpecCheck:
    """The outcome of checking one request against the spec."""

    template: str | None
    operation: Operation | None
    path_params: dict[str, str]
    problems: list[str]


class TwilioSpec:
    """Twilio's OpenAPI description compiled into route regexes and field validators."""

    def __init__(self, document: dict[str, Any]) -> None:
        self._schemas: dict[str, Any] = document["components"]["schemas"]
        self._raw_operations = {
            op["operationId"]: op
            for item in document["paths"].values()
            for op in item.values()
            if isinstance(op, dict) and "operationId" in op
        }
        routes = [self._route(t, item) for t, item in document["paths"].items()]
        # literal segments win over parameters (e.g. FeedbackSummary.json over {Sid}.json)
        self.routes = sorted(routes, key=lambda r: r.template.count("{"))
        self.operations = {op.operation_id: op for r in self.routes for op in r.operations.values()}

    def _resolve(self, schema: Any) -> Any:
        """Inline ``$ref``s so a schema can be validated on its own."""
        if isinstance(schema, dict):
            if "$ref" in schema:
                return self._resolve(self._schemas[schema["$ref"].rsplit("/", 1)[-1]])
            return {k: self._resolve(v) for k, v in schema.items() if k != "description"}
        if isinstance(schema, list):
            return [self._resolve(v) for v in schema]
        return schema

    def response_schema(self, operation_id: str) -> dict[str, Any]:
        """The JSON schema of an operation's 2xx response, with ``$ref``s inlined."""
        responses = self._raw_operations[operation_id]["responses"]
        ok = next(r for code, r in responses.items() if code.startswith("2"))
        return self._resolve(ok["content"]["application/json"]["schema"])

    def _field(self, name: str, schema: Any, required: bool) -> _Field:
        resolved = self._resolve(schema or {})
        validator = Draft7Validator(resolved, format_checker=_FORMATS)
        return _Field(name, resolved, validator, required)

    def _operation(self, op: dict[str, Any]) -> Operation:
        params = op.get("parameters", [])
        by_place: dict[str, dict[str, _Field]] = {"path": {}, "query": {}}
        for p in params:
            if p["in"] in by_place:
                field_ = self._field(p["name"], p.get("schema"), bool(p.get("required")))
                by_place[p["in"]][p["name"]] = field_
        form = None
        body = op.get("requestBody", {}).get("content", {})
        if "application/x-www-form-urlencoded" in body:
            schema = self._resolve(body["application/x-www-form-urlencoded"]["schema"])
            required = set(schema.get("required", []))
            form = {
                name: self._field(name, prop, name in required)
                for name, prop in schema.get("properties", {}).items()
            }
        return Operation(op["operationId"], by_place["path"], by_place["query"], form)

    def _route(self, template: str, item: dict[str, Any]) -> _Route:
        pattern = re.sub(
            r"\\\{(\w+)\\\}", lambda m: f"(?P<{m.group(1)}>[^/]+)", re.escape(template)
        )
        methods = ("get", "post", "put", "patch", "delete")
        ops = {m.upper(): self._operation(op) for m, op in item.items() if m in methods}
        return _Route(template, re.compile(f"^{pattern}$"), ops)

    def check(
        self, method: str, path: str, query: MultiDict[str, str], form: MultiDict[str, str]
    ) -> SpecCheck:
        """Check one request; problems are human-readable strings."""
        for route in self.routes:
            match = route.regex.match(path)
            if match:
                break
        else:
            return SpecCheck(None, None, {}, [f"{method} {path}: no such path in Twilio's API"])
        params = match.groupdict()
        op = route.operations.get(method)
        if op is None:
            allowed = ", ".join(sorted(route.operations))
            problem = f"{method} {route.template}: method not allowed (spec has {allowed})"
            return SpecCheck(route.template, None, params, [problem])
        where = f"{method} {route.template} ({op.operation_id})"
        problems = check_fields(where, "path parameter", op.path_params, MultiDict(params))
        problems += check_fields(where, "query parameter", op.query_params, query)
        if op.form_fields is None:
            if form:
                problems.append(f"{where}: takes no form body, got {sorted(form)}")
        else:
            problems += check_fields(where, "form field", op.form_fields, form)
        return SpecCheck(route.template, op, params, problems)


def _coerce(raw: str, schema: dict[str, Any]) -> object:
    """Turn a form/query string into the JSON type its schema declares."""
    kind = schema.get("type")
    if kind == "integer":
        return int(raw)
    if kind == "number":
        return float(raw)
    if kind == "boolean":
        if raw.lower() not in ("true", "false"):
            raise ValueError(f"{raw!r} is not a boolean")
        return raw.lower() == "true"
    return raw


def check_fields(
    where: str, kind: str, fields: dict[str, _Field], given: MultiDict[str, str]
) -> list[str]:
    """Check given string fields against declared fields: names, required, values."""
    problems = [f"{where}: unknown {kind} {name!r}" for name in given if name not in fields]
    for name, spec in fields.items():
        values = given.getlist(name)
        if not values:
            if spec.required:
                problems.append(f"{where}: required {kind} {name!r} is missing")
            continue
        is_array = spec.schema.get("type") == "array"
        if len(values) > 1 and not is_array:
            problems.append(f"{where}: {kind} {name!r} given {len(values)} times")
            continue
        item_schema = spec.schema.get("items", {}) if is_array else spec.schema
        try:
            coerced = [_coerce(v, item_schema) for v in values]
        except ValueError:
            problems.append(f"{where}: {kind} {name}={values!r} is not {item_schema.get('type')}")
            continue
        value = coerced if is_array else coerced[0]
        for error in spec.validator.iter_errors(value):
            problems.append(f"{where}: {kind} {name}={value!r}: {error.message}")
    return problems


@functools.cache
def load_spec(path: Path = SPEC_PATH) -> TwilioSpec:
    """Load and compile Twilio's OpenAPI description once per process."""
    if not path.is_file():
        raise FileNotFoundError(
            f"Twilio's OpenAPI description is missing: expected {path} "
            "(../shared/twilio/twilio_api_v2010.json beside the repository)"
        )
    return TwilioSpec(json.loads(path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- state


def silent_wav(seconds: float = 1.0, channels: int = 2, rate: int = 8000) -> bytes:
    """A silent 16-bit PCM WAV, shaped like Twilio's recording media."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * channels * int(seconds * rate))
    return buffer.getvalue()


def _rfc2822(moment: datetime | None) -> str | None:
    return None if moment is None else format_datetime(moment.astimezone(UTC))


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass a timezone-aware datetime")
    return moment


@dataclass
class Recording:
    """A recording held by the fake (completed, or started through the API)."""

    sid: str
    call_sid: str
    date_created: datetime
    date_updated: datetime
    duration: int | None
    channels: int
    status: str
    source: str
    track: str = "both"
    audio: bytes | None = None
    audio_path: Path | None = None

    def media_size(self) -> int | None:
        """Size of the media in bytes, or None when there is no media yet."""
        if self.audio_path is not None:
            return self.audio_path.stat().st_size
        return None if self.audio is None else len(self.audio)

    def media_chunks(self, environ: dict[str, Any]) -> Iterable[bytes]:
        """The media as an iterable of chunks, streamed from the file when there is one."""
        if self.audio_path is not None:
            return wrap_file(environ, self.audio_path.open("rb"), buffer_size=_CHUNK)
        audio = self.audio or b""
        return (audio[i : i + _CHUNK] for i in range(0, len(audio), _CHUNK))


@dataclass(frozen=True)
class Redirect:
    """A call redirected through the Calls or Queue Members API."""

    url: str | None
    method: str
    twiml: str | None
    via: str


@dataclass
class Call:
    """A call known to the fake."""

    sid: str
    status: str
    from_: str
    to: str
    date_created: datetime
    date_updated: datetime
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class QueueMember:
    """A call waiting in a queue."""

    call_sid: str
    date_enqueued: datetime


@dataclass
class Queue:
    """A Twilio queue and its members in arrival order."""

    sid: str
    friendly_name: str
    max_size: int
    date_created: datetime
    date_updated: datetime
    members: list[QueueMember] = field(default_factory=list)


@dataclass
class TwilioRequest:
    """One request the fake received."""

    seq: int
    at: datetime
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    operation: str | None = None
    status: int = 0


@dataclass
class _Fault:
    method: str
    path: re.Pattern[str]
    status: int
    times: int
    code: int
    message: str


class _TwilioError(Exception):
    """A Twilio-style error answer (not a spec violation)."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def twilio_error(status: int, code: int, message: str) -> Response:
    """A response shaped like Twilio's JSON errors."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="Twilio API"'
    return response


def _not_found(path: str) -> _TwilioError:
    return _TwilioError(404, 20404, f"The requested resource {path} was not found")


# --------------------------------------------------------------------------- the fake


class _QuietHandler(WSGIRequestHandler):
    def log(self, type: str, message: str, *args: Any) -> None:
        """Keep test output clean: the fake keeps its own request log."""


class FakeTwilio:
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
            self.recordings: dict[str, Recording] = {}
            self.deleted_recordings: dict[str, Recording] = {}
            self.calls: dict[str, Call] = {}
            self.queues: dict[str, Queue] = {}
            self.requests: list[TwilioRequest] = []
            self.violations: list[str] = []
            self._faults: list[_Fault] = []
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

    # ---- arranging state

    def add_recording(
        self,
        *,
        sid: str | None = None,
        call_sid: str | None = None,
        audio: bytes | None = None,
        audio_path: Path | None = None,
        date_created: datetime | None = None,
        duration: int = 1,
        channels: int = 2,
        status: str = "completed",
        source: str = "DialVerb",
    ) -> str:
        """Store a recording and return its SID; audio defaults to 1 s of silent WAV."""
        if audio is None and audio_path is None:
            audio = silent_wav(1.0, channels)
        created = _aware(date_created) if date_created else self.clock()
        recording = Recording(
            sid=sid or new_sid("RE"),
            call_sid=call_sid or new_sid("CA"),
            date_created=created,
            date_updated=created,
            duration=duration,
            channels=channels,
            status=status,
            source=source,
            audio=audio,
            audio_path=audio_path,
        )
        with self._lock:
            self.recordings[recording.sid] = recording
        return recording.sid

    def add_call(
        self,
        sid: str | None = None,
        *,
        status: str = "in-progress",
        from_: str = "+441632960001",
        to: str = "+441632960002",
    ) -> str:
        """Register a call and return its SID (unknown calls are also created on first use)."""
        now = self.clock()
        call = Call(sid or new_sid("CA"), status, from_, to, now, now)
        with self._lock:
            self.calls[call.sid] = call
        return call.sid

    def add_queue(self, friendly_name: str, *, sid: str | None = None, max_size: int = 100) -> str:
        """Create a queue and return its SID."""
        now = self.clock()
        queue = Queue(sid or new_sid("QU"), friendly_name, max_size, now, now)
        with self._lock:
            self.queues[queue.sid] = queue
        return queue.sid

    def add_queue_member(self, queue_sid: str, call_sid: str) -> None:
        """Put a call at the back of a queue, as Twilio does once the caller is enqueued."""
        with self._lock:
            if queue_sid not in self.queues:
                raise KeyError(f"no queue {queue_sid}; create it with add_queue() or the API")
            self._call(call_sid)
            self.queues[queue_sid].members.append(QueueMember(call_sid, self.clock()))

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
        fault = _Fault(
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
        except _TwilioError as error:
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

    def _take_fault(self, request: Request) -> _Fault | None:
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
                "does not implement it; extend tests/fakes/twilio_api.py"
            )
            return twilio_error(501, 20501, f"{operation} is not implemented by the fake")
        with self._lock:
            return handler(request, **params)

    # ---- JSON shapes

    def _account_path(self) -> str:
        return f"{API}/Accounts/{self.account_sid}"

    def _recording_json(self, rec: Recording) -> dict[str, Any]:
        uri = f"{self._account_path()}/Recordings/{rec.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "call_sid": rec.call_sid,
            "conference_sid": None,
            "date_created": _rfc2822(rec.date_created),
            "date_updated": _rfc2822(rec.date_updated),
            "start_time": _rfc2822(rec.date_created),
            "duration": None if rec.duration is None else str(rec.duration),
            "sid": rec.sid,
            "price": None,
            "price_unit": "USD",
            "status": rec.status,
            "channels": rec.channels,
            "source": rec.source,
            "error_code": None,
            "uri": f"{uri}.json",
            "encryption_details": None,
            "subresource_uris": {
                "add_on_results": f"{uri}/AddOnResults.json",
                "transcriptions": f"{uri}/Transcriptions.json",
            },
            "media_url": f"{self.base_url}{uri}",
        }

    def _call_recording_json(self, rec: Recording) -> dict[str, Any]:
        body = self._recording_json(rec)
        for key in ("subresource_uris", "media_url"):
            del body[key]
        body["uri"] = f"{self._account_path()}/Calls/{rec.call_sid}/Recordings/{rec.sid}.json"
        body["track"] = rec.track
        return body

    def _call_json(self, call: Call) -> dict[str, Any]:
        uri = f"{self._account_path()}/Calls/{call.sid}"
        ended = call.status in _ENDED_CALL
        return {
            "sid": call.sid,
            "date_created": _rfc2822(call.date_created),
            "date_updated": _rfc2822(call.date_updated),
            "parent_call_sid": None,
            "account_sid": self.account_sid,
            "to": call.to,
            "to_formatted": call.to,
            "from": call.from_,
            "from_formatted": call.from_,
            "phone_number_sid": None,
            "status": call.status,
            "start_time": _rfc2822(call.date_created),
            "end_time": _rfc2822(call.date_updated) if ended else None,
            "duration": None,
            "price": None,
            "price_unit": "USD",
            "direction": "inbound",
            "answered_by": None,
            "api_version": "2010-04-01",
            "forwarded_from": None,
            "group_sid": None,
            "caller_name": None,
            "queue_time": "0",
            "trunk_sid": None,
            "uri": f"{uri}.json",
            "subresource_uris": {"recordings": f"{uri}/Recordings.json"},
        }

    def _queue_json(self, queue: Queue) -> dict[str, Any]:
        return {
            "date_updated": _rfc2822(queue.date_updated),
            "current_size": len(queue.members),
            "friendly_name": queue.friendly_name,
            "uri": f"{self._account_path()}/Queues/{queue.sid}.json",
            "account_sid": self.account_sid,
            "average_wait_time": 0,
            "sid": queue.sid,
            "date_created": _rfc2822(queue.date_created),
            "max_size": queue.max_size,
        }

    def _member_json(self, queue: Queue, member: QueueMember, position: int) -> dict[str, Any]:
        wait = (self.clock() - member.date_enqueued).total_seconds()
        return {
            "call_sid": member.call_sid,
            "date_enqueued": _rfc2822(member.date_enqueued),
            "position": position,
            "uri": f"{self._account_path()}/Queues/{queue.sid}/Members/{member.call_sid}.json",
            "wait_time": max(0, int(wait)),
            "queue_sid": queue.sid,
        }

    # ---- state helpers

    def _call(self, sid: str) -> Call:
        """The call with this SID; Twilio knows every call the tests mention."""
        if sid not in self.calls:
            self.add_call(sid)
        return self.calls[sid]

    def _queue(self, request: Request, sid: str) -> Queue:
        if sid not in self.queues:
            raise _not_found(request.path)
        return self.queues[sid]

    def _recording(self, request: Request, sid: str) -> Recording:
        if sid not in self.recordings:
            raise _not_found(request.path)
        return self.recordings[sid]

    def _redirect(self, call: Call, form: MultiDict[str, str], via: str) -> None:
        if call.status in _ENDED_CALL:
            raise _TwilioError(400, 21220, "Call is not in-progress. Cannot redirect.")
        redirect = Redirect(form.get("Url"), form.get("Method", "POST"), form.get("Twiml"), via)
        call.redirects.append(redirect)
        call.date_updated = self.clock()
        for queue in self.queues.values():
            queue.members = [m for m in queue.members if m.call_sid != call.sid]

    # ---- operations (named _op_<operationId>)

    def _op_FetchRecording(self, request: Request, AccountSid: str, Sid: str) -> Response:
        return _json(self._recording_json(self._recording(request, Sid)))

    def _op_DeleteRecording(self, request: Request, AccountSid: str, Sid: str) -> Response:
        recording = self._recording(request, Sid)
        recording.status = "deleted"
        self.deleted_recordings[Sid] = self.recordings.pop(Sid)
        return Response(status=204)

    def _op_ListRecording(self, request: Request, AccountSid: str) -> Response:
        args = request.args
        found = [
            r
            for r in self.recordings.values()
            if _created_matches(r.date_created, args)
            and args.get("CallSid", r.call_sid) == r.call_sid
        ]
        return _page(request, "recordings", found, self._recording_json, descending=True)

    def _op_FetchRecordingMedia(self, request: Request, AccountSid: str, Sid: str) -> Response:
        recording = self._recording(request, Sid)
        size = recording.media_size()
        if size is None:
            raise _not_found(request.path)
        mimetype = "audio/mpeg" if request.path.endswith(".mp3") else "audio/x-wav"
        head = request.method == "HEAD"
        chunks = b"" if head else recording.media_chunks(request.environ)
        response = Response(chunks, mimetype=mimetype, direct_passthrough=not head)
        response.content_length = size
        return response

    def _op_CreateCallRecording(self, request: Request, AccountSid: str, CallSid: str) -> Response:
        call = self._call(CallSid)
        if call.status in _ENDED_CALL:
            raise _TwilioError(400, 21220, "Call is not in-progress. Cannot start recording.")
        now = self.clock()
        recording = Recording(
            sid=new_sid("RE"),
            call_sid=CallSid,
            date_created=now,
            date_updated=now,
            duration=None,
            channels=2 if request.form.get("RecordingChannels") == "dual" else 1,
            status="in-progress",
            source="StartCallRecordingAPI",
            track=request.form.get("RecordingTrack", "both"),
        )
        self.recordings[recording.sid] = recording
        return _json(self._call_recording_json(recording), status=201)

    def _call_recording(self, request: Request, call_sid: str, sid: str) -> Recording:
        if sid == "Twilio.CURRENT":
            active = [
                r
                for r in self.recordings.values()
                if r.call_sid == call_sid and r.status in ("in-progress", "paused")
            ]
            if not active:
                raise _not_found(request.path)
            return max(active, key=lambda r: r.date_created)
        recording = self._recording(request, sid)
        if recording.call_sid != call_sid:
            raise _not_found(request.path)
        return recording

    def _op_FetchCallRecording(
        self, request: Request, AccountSid: str, CallSid: str, Sid: str
    ) -> Response:
        return _json(self._call_recording_json(self._call_recording(request, CallSid, Sid)))

    def _op_UpdateCallRecording(
        self, request: Request, AccountSid: str, CallSid: str, Sid: str
    ) -> Response:
        recording = self._call_recording(request, CallSid, Sid)
        recording.status = request.form["Status"]
        recording.date_updated = self.clock()
        return _json(self._call_recording_json(recording))

    def _op_FetchCall(self, request: Request, AccountSid: str, Sid: str) -> Response:
        return _json(self._call_json(self._call(Sid)))

    def _op_UpdateCall(self, request: Request, AccountSid: str, Sid: str) -> Response:
        call = self._call(Sid)
        form = request.form
        if "Url" in form or "Twiml" in form:
            self._redirect(call, form, via="calls")
        status = form.get("Status")
        if status == "completed" and call.status not in _ENDED_CALL:
            self._end_call(call, "completed")
        elif status == "canceled" and call.status in ("queued", "ringing"):
            self._end_call(call, "canceled")
        return _json(self._call_json(call))

    def _end_call(self, call: Call, status: str) -> None:
        call.status = status
        call.date_updated = self.clock()
        for queue in self.queues.values():
            queue.members = [m for m in queue.members if m.call_sid != call.sid]

    def _op_CreateQueue(self, request: Request, AccountSid: str) -> Response:
        form = request.form
        sid = self.add_queue(form["FriendlyName"], max_size=int(form.get("MaxSize", 100)))
        return _json(self._queue_json(self.queues[sid]), status=201)

    def _op_ListQueue(self, request: Request, AccountSid: str) -> Response:
        queues = list(self.queues.values())
        return _page(request, "queues", queues, self._queue_json, descending=False)

    def _op_FetchQueue(self, request: Request, AccountSid: str, Sid: str) -> Response:
        return _json(self._queue_json(self._queue(request, Sid)))

    def _member(self, request: Request, queue: Queue, call_sid: str) -> tuple[QueueMember, int]:
        for position, member in enumerate(queue.members, start=1):
            if call_sid in (member.call_sid, "Front"):
                return member, position
        raise _not_found(request.path)

    def _op_FetchMember(
        self, request: Request, AccountSid: str, QueueSid: str, CallSid: str
    ) -> Response:
        queue = self._queue(request, QueueSid)
        member, position = self._member(request, queue, CallSid)
        return _json(self._member_json(queue, member, position))

    def _op_UpdateMember(
        self, request: Request, AccountSid: str, QueueSid: str, CallSid: str
    ) -> Response:
        queue = self._queue(request, QueueSid)
        member, position = self._member(request, queue, CallSid)
        body = self._member_json(queue, member, position)
        self._redirect(self._call(member.call_sid), request.form, via="queue-member")
        return _json(body)


# --------------------------------------------------------------------------- helpers


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype="application/json")


def _parse_filter_value(value: str) -> date | datetime:
    """Parse a DateCreated filter: ``YYYY-MM-DD`` or an ISO 8601 date-time (UTC if naive)."""
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _created_matches(created: datetime, args: MultiDict[str, str]) -> bool:
    """Twilio's DateCreated filters, compared by UTC calendar date and inclusive.

    Twilio documents these filters as dates, so the fake compares dates only: a recording
    created later on the day named by ``DateCreated<`` is still listed. Callers must check
    ``date_created`` themselves before acting on a precise cut-off.
    """
    day = created.astimezone(UTC).date()

    def as_day(raw: str) -> date:
        value = _parse_filter_value(raw)
        return value.astimezone(UTC).date() if isinstance(value, datetime) else value

    checks = {
        "DateCreated": lambda d: day == d,
        "DateCreated<": lambda d: day <= d,
        "DateCreated>": lambda d: day >= d,
    }
    return all(test(as_day(args[name])) for name, test in checks.items() if name in args)


def _page(
    request: Request,
    key: str,
    items: list[Any],
    to_json: Callable[[Any], dict[str, Any]],
    *,
    descending: bool,
) -> Response:
    """A Twilio list page; ``PageToken`` is a cursor, so deleting while paging skips nothing."""
    args = request.args
    size = int(args.get("PageSize", 50))
    number = int(args.get("Page", 0))
    items = sorted(items, key=_sort_key, reverse=descending)
    token = args.get("PageToken")
    if token:
        after = _token_key(token)
        items = [i for i in items if (_sort_key(i) < after if descending else _sort_key(i) > after)]
    page, rest = items[:size], items[size:]
    filters = {k: v for k, v in args.items() if k not in ("Page", "PageSize", "PageToken")}

    def uri(page_number: int, page_token: str | None) -> str:
        query: dict[str, Any] = {**filters, "PageSize": size, "Page": page_number}
        if page_token:
            query["PageToken"] = page_token
        return f"{request.path}?{urlencode(query)}"

    next_token = _page_token(page[-1]) if rest else None
    return _json(
        {
            key: [to_json(item) for item in page],
            "first_page_uri": uri(0, None),
            "next_page_uri": uri(number + 1, next_token) if next_token else None,
            "previous_page_uri": None,
            "page": number,
            "page_size": size,
            "start": number * size,
            "end": number * size + max(len(page) - 1, 0),
            "uri": uri(number, token),
        }
    )


def _sort_key(item: Recording | Queue) -> tuple[int, str]:
    return (int(item.date_created.timestamp() * 1_000_000), item.sid)


def _page_token(item: Recording | Queue) -> str:
    micros, sid = _sort_key(item)
    return f"PA{micros}_{sid}"


def _token_key(token: str) -> tuple[int, str]:
    micros, _, sid = token.removeprefix("PA").partition("_")
    try:
        return (int(micros), sid)
    except ValueError:
        raise _TwilioError(400, 20001, f"Invalid PageToken {token!r}") from None


def make_client(fake: FakeTwilio) -> Client:
    """A real ``twilio.rest.Client`` whose REST calls go to the fake."""
    client = Client(fake.account_sid, fake.auth_token)
    client.api.base_url = fake.base_url
    return client
