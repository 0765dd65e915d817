"""The OpenAPI description of app/api/holds.py."""

from __future__ import annotations

from typing import Any

from app.api.holds import DEFAULT_KIND, REASON, REFERENCE, TARGET_RULES, TARGETS
from app.api.openapi.components import error_responses, json_request, json_response, path_id
from app.models import HoldKind

_NULLABLE_STRING = {"type": ["string", "null"]}
HOLD_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": [k.value for k in HoldKind]},
        "reason": {"type": "string"},
        "reference": {"type": "string"},
        "call_sid": _NULLABLE_STRING,
        "recording_sid": _NULLABLE_STRING,
        "number": {**_NULLABLE_STRING, "description": "E.164"},
        "active": {"type": "boolean"},
        "created_by": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
        "released_at": {"type": ["string", "null"], "format": "date-time"},
        "released_by": _NULLABLE_STRING,
    },
}
_HOLD = {"application/json": {"schema": HOLD_SCHEMA}}


def _only(target: str) -> dict[str, Any]:
    """The body names `target` and leaves the other targets out (or null)."""
    others = {name: {"type": "null"} for name in TARGETS if name != target}
    return {"required": [target], "properties": {target: {"type": "string"}, **others}}


_NEW_HOLD = {
    "type": "object",
    "required": ["reason", "reference"],
    "description": "Exactly one of call_sid, recording_sid or number (null counts as absent).",
    "properties": {
        "reason": REASON.schema(),
        "reference": REFERENCE.schema(),
        "kind": {"enum": [*(k.value for k in HoldKind), None], "default": DEFAULT_KIND.value},
        **{name: rule.schema(nullable=True) for name, rule in TARGET_RULES.items()},
    },
    "oneOf": [_only(target) for target in TARGETS],
}
PATHS = {
    "/api/holds": {
        "post": {
            "summary": "Place a legal hold on a call, a recording or every call from a number",
            "requestBody": json_request(_NEW_HOLD),
            "responses": {
                "201": {"description": "The hold", "content": _HOLD},
                **error_responses(400, 401, 403, 404, 413, 422),
            },
        },
        "get": {
            "summary": "Legal holds, newest first",
            "parameters": [
                {
                    "name": "active",
                    "in": "query",
                    "required": False,
                    "schema": {"enum": ["true", "false"]},
                }
            ],
            "responses": {
                "200": json_response({"type": "array", "items": HOLD_SCHEMA}, "Holds"),
                **error_responses(401, 403, 422),
            },
        },
    },
    "/api/holds/{hold_id}": {
        "delete": {
            "summary": "Release a legal hold",
            "parameters": [path_id("hold_id")],
            "responses": {
                "200": {"description": "The released hold", "content": _HOLD},
                **error_responses(401, 403, 404, 409),
            },
        }
    },
}
