"""GET /api/alerts: privacy alerts raised when old recordings were opened (SPEC §6)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy import select

from app.api import bp
from app.db import MAX_ID
from app.db.session import request_session
from app.models import PrivacyAlert, Recording, Role
from app.web.auth import require_roles
from app.web.errors import ApiError

DEFAULT_LIMIT, MAX_LIMIT = 100, 500


def int_arg(name: str, default: int | None, *, low: int = 1, high: int | None = None) -> int | None:
    """A whole-number query parameter within bounds, or 422."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    high = high if high is not None else MAX_ID
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise ApiError(422, "invalid", f"'{name}' must be a whole number, {low} to {high}.")
    return int(raw)


def alert_json(alert: PrivacyAlert, recording_sid: str) -> dict[str, Any]:
    """One privacy alert as records officers see it."""
    return {
        "id": alert.id,
        "recording_sid": recording_sid,
        "staff_email": alert.staff_email,
        "reason": alert.reason,
        "rule": alert.rule,
        "raised_at": alert.raised_at.isoformat(),
        "acknowledged_at": alert.acknowledged_at.isoformat() if alert.acknowledged_at else None,
    }


@bp.get("/alerts")
@require_roles(Role.RECORDS_OFFICER)
def list_alerts():  # noqa: ANN201
    """Privacy alerts, newest first; page with ?before_id=."""
    limit = int_arg("limit", DEFAULT_LIMIT, high=MAX_LIMIT)
    before = int_arg("before_id", None)
    query = (
        select(PrivacyAlert, Recording.recording_sid)
        .join(Recording, Recording.id == PrivacyAlert.recording_id)
        .order_by(PrivacyAlert.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(PrivacyAlert.id < before)
    rows = request_session().execute(query).all()
    alerts = [alert_json(alert, sid) for alert, sid in rows]
    next_before = alerts[-1]["id"] if len(alerts) == limit else None
    return jsonify({"alerts": alerts, "next_before_id": next_before})
