"""Privacy alerts raised when old recordings were opened (SPEC §6): list them, and close each
as legitimate or a breach (then record the ICO report and telling the caller) (SPEC §12)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy import select

from app.api import bp
from app.api.formats import free_text
from app.api.validation import choice, field, json_body, stripped_text
from app.db import MAX_ID
from app.db.session import request_session
from app.domain import alerts as privacy
from app.models import PrivacyAlert, Recording, Role
from app.web.auth import current_staff, require_roles
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
        "acknowledged_at": _iso(alert.acknowledged_at),
        "outcome": alert.outcome,
        "outcome_note": alert.outcome_note,
        "closed_by": alert.closed_by,
        "ico_deadline": _iso(privacy.ico_deadline(alert)),
        "ico_reported_at": _iso(alert.ico_reported_at),
        "ico_report_note": alert.ico_report_note,
        "subject_told_at": _iso(alert.subject_told_at),
        "subject_told_note": alert.subject_told_note,
    }


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


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


NOTE = free_text(4000)
OPTIONAL_NOTE = free_text(4000, blank=True)


@bp.patch("/alerts/<int:alert_id>")
@require_roles(Role.RECORDS_OFFICER)
def update_alert(alert_id: int):  # noqa: ANN201
    """Close an alert with an outcome and note; for a breach, record the ICO report and the
    caller told (each done, or not required with a note), in this request or later ones."""
    steps = _steps(json_body())
    session = request_session()
    row = session.execute(
        select(PrivacyAlert, Recording.recording_sid)
        .join(Recording, Recording.id == PrivacyAlert.recording_id)
        .where(PrivacyAlert.id == alert_id)
        .with_for_update(of=PrivacyAlert)
    ).one_or_none()
    if row is None:
        raise ApiError(404, "not_found", f"No privacy alert {alert_id}.")
    alert, sid = row
    actor, now = current_staff().email, current_app.config["CLOCK"]()
    for step in steps:
        step(session, alert, actor=actor, now=now)
    session.commit()
    return jsonify(alert_json(alert, sid))


def _steps(body: dict[str, Any]) -> list[Callable[..., PrivacyAlert]]:
    """The body's changes, each checked before any is made, in the order they apply."""
    steps: list[Callable[..., PrivacyAlert]] = []
    if "outcome" in body:
        outcome = choice(body, "outcome", privacy.Outcome)
        note = stripped_text(body, "note", NOTE)
        steps.append(partial(privacy.close_alert, outcome=outcome, note=note))
    if "ico_reported" in body:
        reported = field(body, "ico_reported", bool)
        note = stripped_text(body, "ico_report_note", OPTIONAL_NOTE, required=False)
        steps.append(partial(privacy.record_ico_report, reported=reported, note=note))
    if "subject_told" in body:
        told = field(body, "subject_told", bool)
        note = stripped_text(body, "subject_told_note", OPTIONAL_NOTE, required=False)
        steps.append(partial(privacy.record_subject_told, told=told, note=note))
    if not steps:
        raise ApiError(422, "invalid", "Send 'outcome', 'ico_reported' or 'subject_told'.")
    return steps
