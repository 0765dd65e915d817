"""Reading JSON bodies and query parameters, with 400/422 answers for bad input."""

from __future__ import annotations

from typing import Any

from flask import request

from app.errors import ApiError


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
    """One field of the body, checked for presence and type, or 422."""
    if name not in body or body[name] is None:
        if required:
            raise ApiError(422, "invalid", f"'{name}' is required.")
        return None
    value = body[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ApiError(422, "invalid", f"'{name}' must be {kind.__name__}.")
    return value
