"""The OpenAPI description of app/api/alerts.py."""

from __future__ import annotations

from app.api.alerts import MAX_LIMIT, NOTE, OPTIONAL_NOTE
from app.api.openapi.components import error_responses, json_request, json_response, path_id
from app.db import MAX_ID
from app.domain.alerts import Outcome

_MOMENT = {"type": ["string", "null"], "format": "date-time"}
_TEXT = {"type": ["string", "null"]}

ALERT_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "recording_sid": {"type": "string"},
        "staff_email": {"type": "string"},
        "reason": {"type": "string"},
        "rule": {"type": "string"},
        "raised_at": {"type": "string", "format": "date-time"},
        "acknowledged_at": {**_MOMENT, "description": "When it was closed"},
        "outcome": {"enum": [*(o.value for o in Outcome), None]},
        "outcome_note": _TEXT,
        "closed_by": _TEXT,
        "ico_deadline": {
            **_MOMENT,
            "description": "A breach: 72 hours after the alert was raised, the ICO's deadline",
        },
        "ico_reported_at": _MOMENT,
        "ico_report_note": _TEXT,
        "subject_told_at": _MOMENT,
        "subject_told_note": _TEXT,
    },
}
_UPDATE = {
    "type": "object",
    "description": "Any of three steps, applied in this order: close with `outcome` and "
    "`note`; then, for a breach, `ico_reported` (true: reported now, with an optional "
    "`ico_report_note`; false: not required, `ico_report_note` saying why) and `subject_told` "
    "(true: the caller was told now; false: not required, `subject_told_note` saying why). "
    "Each step happens once (409 after); ICO and caller steps need a breach (409). A false "
    "without its note is 422.",
    "minProperties": 1,
    "properties": {
        "outcome": {"enum": [o.value for o in Outcome]},
        "note": NOTE.schema(),
        "ico_reported": {"type": "boolean"},
        "ico_report_note": OPTIONAL_NOTE.schema(nullable=True),
        "subject_told": {"type": "boolean"},
        "subject_told_note": OPTIONAL_NOTE.schema(nullable=True),
    },
    "anyOf": [
        {"required": ["outcome", "note"]},
        {"required": ["ico_reported"]},
        {"required": ["subject_told"]},
    ],
    "dependentRequired": {"outcome": ["note"]},
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
    "/api/alerts/{alert_id}": {
        "patch": {
            "summary": "Close a privacy alert (legitimate or breach); record a breach's follow-up",
            "parameters": [path_id("alert_id")],
            "requestBody": json_request(_UPDATE),
            "responses": {
                "200": json_response(ALERT_SCHEMA, "The alert"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
}
