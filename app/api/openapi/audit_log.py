"""The OpenAPI description of app/api/audit_log.py."""

from __future__ import annotations

from app.api.audit_log import ACTION, MAX_LIMIT, SUBJECT_ID
from app.api.openapi.components import error_responses, json_response
from app.db import MAX_ID

ENTRY_SCHEMA = {
    "type": "object",
    "properties": {
        "seq": {"type": "integer"},
        "at": {"type": "string", "format": "date-time"},
        "actor": {"type": "string"},
        "action": {"type": "string"},
        "subject_type": {"type": "string"},
        "subject_id": {"type": "string"},
        "reason": {"type": ["string", "null"]},
        "details": {"type": "object"},
        "prev_hash": {"type": "string"},
        "entry_hash": {"type": "string"},
    },
}
_QUERY = [
    {"name": "action", "in": "query", "schema": ACTION.schema()},
    {"name": "subject_id", "in": "query", "schema": SUBJECT_ID.schema()},
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
    },
    {
        "name": "before_seq",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    },
]
PATHS = {
    "/api/audit": {
        "get": {
            "summary": "Audit entries, newest first",
            "parameters": _QUERY,
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "properties": {
                            "entries": {"type": "array", "items": ENTRY_SCHEMA},
                            "next_before_seq": {"type": ["integer", "null"]},
                        },
                    },
                    "A page of entries",
                ),
                **error_responses(401, 403, 422),
            },
        }
    },
}
