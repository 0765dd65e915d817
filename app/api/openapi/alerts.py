"""The OpenAPI description of app/api/alerts.py."""

from __future__ import annotations

from app.api.alerts import MAX_LIMIT
from app.api.openapi.components import error_responses, json_response
from app.db import MAX_ID

ALERT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "recording_sid": {"type": "string"},
        "staff_email": {"type": "string"},
        "reason": {"type": "string"},
        "rule": {"type": "string"},
        "raised_at": {"type": "string", "format": "date-time"},
        "acknowledged_at": {"type": ["string", "null"], "format": "date-time"},
    },
}
PATHS = {
    "/api/alerts": {
        "get": {
            "summary": "Privacy alerts, newest first",
            "parameters": [
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                },
                {
                    "name": "before_id",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                },
            ],
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "properties": {
                            "alerts": {"type": "array", "items": ALERT_SCHEMA},
                            "next_before_id": {"type": ["integer", "null"]},
                        },
                    },
                    "A page of alerts",
                ),
                **error_responses(401, 403, 422),
            },
        }
    },
}
