"""GET /api/reports/retention: stored, held, due, overdue; deletions per day; calls by language."""

from __future__ import annotations

from flask import current_app, jsonify

from app.api import bp
from app.db.session import request_session
from app.domain.reports import REPORT_DAYS, retention_report
from app.models import Role
from app.web.auth import require_roles


@bp.get("/reports/retention")
@require_roles(Role.RECORDS_OFFICER)
def retention_figures():  # noqa: ANN201
    """Retention figures now; `overdue` is the number to keep at zero."""
    report = retention_report(
        request_session(), current_app.config["CLOCK"](), REPORT_DAYS, languages=True
    )
    return jsonify(report.as_json())
