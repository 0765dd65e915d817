"""The OpenAPI description of app/api/reports.py."""

from __future__ import annotations

from app.api.openapi.components import error_responses, json_response
from app.domain.reports import REPORT_DAYS

_COUNT = {"type": "integer", "minimum": 0}
REPORT_SCHEMA = {
    "type": "object",
    "properties": {
        "at": {"type": "string", "format": "date-time"},
        "stored": {**_COUNT, "description": "Recordings stored"},
        "held": {**_COUNT, "description": "Stored recordings covered by an active hold"},
        "held_past_due": {**_COUNT, "description": "Held recordings whose time has come"},
        "due": {**_COUNT, "description": "Past delete_after and not held"},
        "overdue": {**_COUNT, "description": "Due for more than 24 hours: should be zero"},
        "oldest_due": {"type": ["string", "null"], "format": "date-time"},
        "deletions_per_day": {
            "type": "array",
            "description": f"The last {REPORT_DAYS} UTC days, newest first",
            "items": {
                "type": "object",
                "properties": {
                    "date": {"type": "string", "format": "date"},
                    "recordings": _COUNT,
                    "twilio_copies": _COUNT,
                    "calls_anonymised": _COUNT,
                },
            },
        },
        "calls_by_language": {
            "type": "array",
            "description": f"Calls started in the same {REPORT_DAYS} UTC days, by the caller's "
            "language, null last",
            "items": {
                "type": "object",
                "properties": {
                    "language": {
                        "type": ["string", "null"],
                        "description": "en, cy; null when the caller hung up before choosing",
                    },
                    "calls": _COUNT,
                },
            },
        },
    },
}
PATHS = {
    "/api/reports/retention": {
        "get": {
            "summary": "Retention figures: stored, held, due, overdue, deletions per day, calls by "
            "language",
            "responses": {
                "200": json_response(REPORT_SCHEMA, "The report"),
                **error_responses(401, 403),
            },
        }
    },
}
