"""The OpenAPI description of app/api/me.py."""

from __future__ import annotations

from app.api.openapi.components import error_responses, json_request
from app.models import AdvisorStatus, Role

STAFF_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "email": {"type": "string"},
        "name": {"type": "string"},
        "role": {"enum": [r.value for r in Role]},
        "skills": {"type": "array", "items": {"type": "string"}},
        "languages": {"type": "array", "items": {"type": "string", "enum": ["en", "cy"]}},
        "endpoint": {"type": ["string", "null"]},
        "records_calls": {"type": "boolean"},
        "status": {"enum": [s.value for s in AdvisorStatus]},
        "status_changed_at": {"type": "string", "format": "date-time"},
        "active": {"type": "boolean"},
    },
}
_STAFF = {"application/json": {"schema": STAFF_SCHEMA}}
PATHS = {
    "/api/me": {
        "get": {
            "summary": "The signed-in member of staff",
            "responses": {
                "200": {"description": "Profile", "content": _STAFF},
                **error_responses(401),
            },
        }
    },
    "/api/me/status": {
        "put": {
            "summary": "An advisor sets their availability",
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["status"],
                    "properties": {"status": {"enum": ["available", "offline"]}},
                }
            ),
            "responses": {
                "200": {"description": "Profile", "content": _STAFF},
                **error_responses(400, 401, 403, 409, 413, 422),
            },
        }
    },
}
