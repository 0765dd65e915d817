"""The OpenAPI description of app/api/calls.py."""

from __future__ import annotations

from app.api.call_recordings import CALL_RECORDINGS_SCHEMA
from app.api.calls import MAX_LIMIT
from app.api.formats import CALL_SID, DATE_TIME, PHONE
from app.api.openapi.components import (
    SERVICE_CODE,
    error_responses,
    json_request,
    json_response,
    path_parameter,
)
from app.db import MAX_ID

_SID = path_parameter("call_sid", {"type": "string", "pattern": CALL_SID})
_LEG = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": ["first", "transfer"]},
        "advisor_id": {"type": ["integer", "null"]},
        "started_at": {"type": "string", "format": "date-time"},
        "answered_at": {"type": ["string", "null"], "format": "date-time"},
        "ended_at": {"type": ["string", "null"], "format": "date-time"},
        "result": {"type": ["string", "null"]},
        "recorded": {"type": "boolean"},
    },
}
_TIME = {"type": ["string", "null"], "format": "date-time"}
CALL_SCHEMA = {
    "type": "object",
    "properties": {
        "call_sid": {"type": "string"},
        "from_number": {"type": ["string", "null"]},
        "to_number": {"type": ["string", "null"]},
        "started_at": {"type": "string", "format": "date-time"},
        "answered_at": _TIME,
        "ended_at": _TIME,
        "duration_seconds": {"type": ["integer", "null"]},
        "outcome": {"type": ["string", "null"]},
        "service_code": {"type": ["string", "null"]},
        "language": {
            "type": ["string", "null"],
            "description": "The caller's language (en, cy); null until chosen",
        },
        "any_language_since": {
            "type": ["string", "null"],
            "format": "date-time",
            "description": "When the caller accepted the next advisor in any language",
        },
        "recording_opted_out": {"type": "boolean"},
        "routing_state": {"type": ["string", "null"]},
        "advisor_id": {"type": ["integer", "null"]},
        "legs": {"type": "array", "items": _LEG},
        "recordings": CALL_RECORDINGS_SCHEMA,
        "live_recording": {"enum": ["stopped", "none"]},
    },
}
_CALL = {"application/json": {"schema": CALL_SCHEMA}}


PATHS = {
    "/api/calls": {
        "get": {
            "summary": "Search calls (supervisor, records officer)",
            "parameters": [
                {"name": "number", "in": "query", "schema": PHONE.schema()},
                {
                    "name": "since",
                    "in": "query",
                    "description": "Started at or after",
                    "schema": DATE_TIME.schema(),
                },
                {
                    "name": "until",
                    "in": "query",
                    "description": "Started before",
                    "schema": DATE_TIME.schema(),
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                },
            ],
            "responses": {
                "200": json_response(
                    {"type": "array", "items": CALL_SCHEMA}, "Calls, newest first"
                ),
                **error_responses(401, 403, 422),
            },
        }
    },
    "/api/calls/{call_sid}": {
        "get": {
            "summary": "One call, its legs and its recordings (supervisor, records officer)",
            "parameters": [_SID],
            "responses": {
                "200": {"description": "Call", "content": _CALL},
                **error_responses(401, 403, 404),
            },
        }
    },
    "/api/calls/{call_sid}/opt-out": {
        "post": {
            "summary": "The caller does not want to be recorded (advisor on the call, supervisor)",
            "parameters": [_SID],
            "responses": {
                "200": {"description": "Opted out; live recording stopped", "content": _CALL},
                **error_responses(401, 403, 404, 409, 502),
            },
        }
    },
    "/api/calls/{call_sid}/transfer": {
        "post": {
            "summary": "Transfer the caller to an advisor or a service (advisor on the call)",
            "parameters": [_SID],
            "requestBody": json_request(
                {
                    "type": "object",
                    "description": "Exactly one of advisor_id or service. Transferring "
                    "to yourself is a conflict (409).",
                    "properties": {
                        "advisor_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                        "service": SERVICE_CODE,
                    },
                    "oneOf": [{"required": ["advisor_id"]}, {"required": ["service"]}],
                }
            ),
            "responses": {
                "202": {"description": "Transfer under way", "content": _CALL},
                **error_responses(400, 401, 403, 404, 409, 413, 422, 502),
            },
        }
    },
}
