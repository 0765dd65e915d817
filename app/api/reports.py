"""GET /api/reports/retention: recordings stored, held, due, overdue; deletions per day."""

from __future__ import annotations

from flask import current_app, jsonify

from app.api import bp
from app.api.openapi import error_responses
from app.db.session import request_session
from app.domain.reports import REPORT_DAYS, retention_report
from app.models import Role
from app.web.auth import require_roles


@bp.get("/reports/retention")
@require_roles(Role.RECORDS_OFFICER)
def retention_figures():  # noqa: ANN201
    """Retention figures now; `overdue` is the number to keep at zero."""
    report = retention_report(request_session(), current_app.config["CLOCK"](), REPORT_DAYS)
    return jsonify(report.as_json())


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
    },
}
OPENAPI_PATHS = {
    "/api/reports/retention": {
        "get": {
            "summary": "Retention figures: stored, held, due, overdue, deletions per day",
            "responses": {
                "200": {
                    "description": "The report",
                    "content": {"application/json": {"schema": REPORT_SCHEMA}},
                },
                **error_responses(401, 403),
            },
        }
    },
}
