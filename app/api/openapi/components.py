"""Parts the operations of the OpenAPI document share: the error body, parameters, responses."""

from __future__ import annotations

from typing import Any

from flask import current_app, has_app_context

from app.db import MAX_ID

SERVICE_CODE = {"$ref": "#/components/schemas/ServiceCode"}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def path_parameter(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A required parameter in the operation's path."""
    return {"name": name, "in": "path", "required": True, "schema": schema}


def path_id(name: str) -> dict[str, Any]:
    """A database id in the path (the INTEGER columns' range; beyond it is a 404)."""
    return path_parameter(name, {"type": "integer", "minimum": 1, "maximum": MAX_ID})


def error_responses(*codes: int) -> dict[str, Any]:
    """Standard error responses for an operation."""
    text = {
        400: "Malformed request",
        401: "No, expired or revoked token",
        403: "Wrong role",
        404: "Unknown id",
        409: "Conflict with the current state",
        410: "Gone",
        413: "Body over 1 MiB",
        422: "Invalid input",
        429: "Too many attempts: wait for the Retry-After header's seconds",
        502: "Twilio refused or could not be reached",
        503: "A service the request needs is unavailable",
    }
    ref = {"$ref": "#/components/schemas/Error"}
    return {
        str(c): {
            "description": text.get(c, "Error"),
            "content": {"application/json": {"schema": ref}},
        }
        for c in codes
    }


def json_response(schema: dict[str, Any], description: str) -> dict[str, Any]:
    """A response whose body is JSON following `schema`."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def json_request(schema: dict[str, Any], *, required: bool = True) -> dict[str, Any]:
    """A JSON request body following `schema`."""
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def service_code_schema() -> dict[str, Any]:
    """The configured service codes (any string outside an app, where none are configured)."""
    if not has_app_context():
        return {"type": "string"}
    return {"enum": [s.code for s in current_app.config["SERVICES"]]}
