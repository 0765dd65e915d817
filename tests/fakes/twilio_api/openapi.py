"""Twilio's OpenAPI description compiled into route regexes and field validators.

The fake checks every request against ``../shared/twilio/twilio_api_v2010.json``: path
template, method, path parameters, form fields and query parameters.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft7Validator, FormatChecker
from werkzeug.datastructures import MultiDict

__all__ = [
    "SPEC_PATH",
    "Operation",
    "SpecCheck",
    "TwilioSpec",
    "check_fields",
    "load_spec",
    "parse_filter_value",
]

SPEC_PATH = Path(__file__).resolve().parents[4] / "shared" / "twilio" / "twilio_api_v2010.json"


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
        parse_filter_value(value)
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


def parse_filter_value(value: str) -> date | datetime:
    """Parse a DateCreated filter: ``YYYY-MM-DD`` or an ISO 8601 date-time (UTC if naive)."""
    if len(value) == 10:
        return date.fromisoformat(value)
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
