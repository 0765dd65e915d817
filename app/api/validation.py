"""Reading JSON bodies and query parameters, with 400/422 answers for bad input.

Each check here has its twin in the OpenAPI document (app/api/formats.py writes both), so a
request the document calls valid is never answered 422 for its shape.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from flask import request

from app.api.formats import DATE, DATE_TIME, PHONE, Text
from app.db import MAX_ID
from app.domain.phone import to_e164
from app.web.errors import ApiError

T = TypeVar("T")


def json_body() -> dict[str, Any]:
    """The request's JSON object, or 400."""
    if not request.is_json:
        raise ApiError(
            400, "bad_request", "Send a JSON object with Content-Type: application/json."
        )
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "bad_request", "The body must be a JSON object.")
    return body


def field(body: dict[str, Any], name: str, kind: type, *, required: bool = True) -> Any:
    """One field of the body, checked for presence and type, or 422; null counts as absent."""
    if name not in body or body[name] is None:
        if required:
            raise ApiError(422, "invalid", f"'{name}' is required.")
        return None
    value = body[name]
    if kind is int and isinstance(value, float) and value.is_integer():
        return int(value)  # JSON has one number type: 2.0 is the integer 2
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ApiError(422, "invalid", f"'{name}' must be {kind.__name__}.")
    return value


def text(body: dict[str, Any], name: str, rule: Text, *, required: bool = True) -> str | None:
    """A string field that follows `rule`, or 422."""
    value = field(body, name, str, required=required)
    if value is not None and not rule.admits(value):
        raise ApiError(422, "invalid", f"'{name}': {rule.description}.")
    return value


def stripped_text(body: dict[str, Any], name: str, rule: Text, *, required: bool = True) -> Any:
    """The field's text without surrounding spaces; None for an absent, null or blank one."""
    value = text(body, name, rule, required=required)
    return (value or "").strip() or None


def bounded_list(body: dict[str, Any], name: str, most: int, *, least: int = 0) -> list[Any]:
    """A list field of `least` to `most` items (absent or null is empty), or 422."""
    raw = field(body, name, list, required=least > 0) or []
    if not least <= len(raw) <= most:
        raise ApiError(422, "invalid", f"'{name}' must list {least} to {most} items.")
    return raw


def choice(
    body: dict[str, Any], name: str, choices: type[StrEnum], *, required: bool = True
) -> str | None:
    """A field whose value is one of an enumeration's, or 422."""
    value = field(body, name, str, required=required)
    if value is not None and value not in {c.value for c in choices}:
        allowed = ", ".join(c.value for c in choices)
        raise ApiError(422, "invalid", f"'{name}' must be one of: {allowed}.")
    return value


def record_id(body: dict[str, Any], name: str) -> int:
    """A required id field: a whole number from 1 to MAX_ID, or 422."""
    value: int = field(body, name, int)
    if not 1 <= value <= MAX_ID:
        raise ApiError(422, "invalid", f"'{name}' must be a whole number, 1 to {MAX_ID}.")
    return value


def phone_number(value: str, name: str) -> str:
    """The number in E.164 when it matches the PHONE format, or 422."""
    number = to_e164(value) if PHONE.admits(value) else None
    if number is None:
        raise ApiError(422, "invalid", f"{value!r} in '{name}' is not a phone number.")
    return number


def day(body: dict[str, Any], name: str) -> date | None:
    """An optional YYYY-MM-DD date field, or 422."""
    raw = field(body, name, str, required=False)
    return _parsed(raw, name, DATE, date.fromisoformat, ", e.g. 2026-11-23")


def moment_arg(name: str) -> datetime | None:
    """An optional RFC 3339 date-time query parameter, or 422."""
    return _parsed(request.args.get(name), name, DATE_TIME, datetime.fromisoformat)


def _parsed(
    raw: str | None, name: str, rule: Text, parse: Callable[[str], T], hint: str = ""
) -> T | None:
    """`parse(raw)` when `raw` matches `rule` and parses; None when absent; else 422."""
    if raw is None:
        return None
    try:
        if rule.admits(raw):
            return parse(raw)
    except ValueError:
        pass
    raise ApiError(422, "invalid", f"'{name}': {rule.description}{hint}.")


def text_arg(name: str, rule: Text) -> str | None:
    """An optional query parameter that follows `rule`, or 422."""
    raw = request.args.get(name)
    if raw is not None and not rule.admits(raw):
        raise ApiError(422, "invalid", f"'{name}': {rule.description}.")
    return raw
