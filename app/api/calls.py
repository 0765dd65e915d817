"""Calls for staff: search and detail with legs; opt-out and transfer during a call."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.api import bp
from app.api.call_recordings import call_recordings
from app.api.validation import field, json_body, moment_arg, phone_number, record_id
from app.db.session import request_session
from app.domain import audit, calls, desk
from app.domain.phone import mask
from app.models import Call, CallLeg, Role
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError

log = logging.getLogger(__name__)
MAX_LIMIT = 500


def _now() -> datetime:
    return current_app.config["CLOCK"]()  # type: ignore[no-any-return]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def leg_json(leg: CallLeg) -> dict[str, Any]:
    """One advisor leg."""
    return {
        "id": leg.id,
        "kind": leg.kind,
        "advisor_id": leg.advisor_id,
        "started_at": _iso(leg.started_at),
        "answered_at": _iso(leg.answered_at),
        "ended_at": _iso(leg.ended_at),
        "result": leg.result,
        "recorded": leg.recorded,
    }


def call_json(call: Call, legs: list[CallLeg] | None = None) -> dict[str, Any]:
    """A call as staff see it; legs only in the detail view."""
    body: dict[str, Any] = {
        "call_sid": call.call_sid,
        "from_number": call.from_number,
        "to_number": call.to_number,
        "started_at": _iso(call.started_at),
        "answered_at": _iso(call.answered_at),
        "ended_at": _iso(call.ended_at),
        "duration_seconds": call.duration_seconds,
        "outcome": call.outcome,
        "service_code": call.service_code,
        "language": call.language,
        "any_language_since": _iso(call.any_language_since),
        "recording_opted_out": call.recording_opted_out,
        "routing_state": call.routing_state,
        "advisor_id": call.assigned_advisor_id,
    }
    if legs is not None:
        body["legs"] = [leg_json(leg) for leg in legs]
    return body


def _limit() -> int:
    raw = request.args.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(422, "invalid", f"'limit' must be 1 to {MAX_LIMIT}.")
    return int(raw)


@bp.get("/calls")
@require_roles(Role.SUPERVISOR, Role.RECORDS_OFFICER)
def list_calls():  # noqa: ANN201
    """Calls, newest first, filtered by caller number and start time."""
    query = select(Call).order_by(Call.started_at.desc(), Call.id.desc()).limit(_limit())
    number = phone_number(request.args["number"], "number") if "number" in request.args else None
    if number is not None:
        query = query.where(Call.from_number == number)
    since, until = moment_arg("since"), moment_arg("until")
    if since is not None:
        query = query.where(Call.started_at >= since)
    if until is not None:
        query = query.where(Call.started_at < until)
    session = request_session()
    found = [call_json(c) for c in session.scalars(query)]
    if number is not None:
        _audit_lookup(session, "call.search", "number", mask(number), {"results": len(found)})
    return jsonify(found)


def _audit_lookup(
    session: Session, action: str, subject_type: str, subject_id: str, details: dict[str, object]
) -> None:
    """Who looked up which caller (the number masked), committed before the answer goes out."""
    audit.record(
        session,
        actor=current_staff().email,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        details=details,
    )
    session.commit()


def _call(call_sid: str) -> Call:
    call = calls.find_call(request_session(), call_sid) if calls.CALL_SID.match(call_sid) else None
    if call is None:
        raise ApiError(404, "not_found", f"No call {call_sid}.")
    return call


@bp.get("/calls/<call_sid>")
@require_roles(Role.SUPERVISOR, Role.RECORDS_OFFICER)
def get_call(call_sid: str):  # noqa: ANN201
    """One call with its advisor legs and its recordings."""
    call, session = _call(call_sid), request_session()
    legs = list(
        session.scalars(select(CallLeg).where(CallLeg.call_id == call.id).order_by(CallLeg.id))
    )
    body = {**call_json(call, legs), "recordings": call_recordings(session, call)}
    _audit_lookup(session, "call.view", "call", call.call_sid, {"number": mask(call.from_number)})
    return jsonify(body)


def _refused(exc: desk.DeskError) -> ApiError:
    status = {
        desk.NotOnThisCall: 403,
        desk.NoSuchAdvisor: 404,
        desk.UnknownService: 422,
        desk.TwilioRefused: 502,
    }.get(type(exc), 409)
    return ApiError(status, exc.code, str(exc))


@bp.post("/calls/<call_sid>/opt-out")
@require_roles(Role.ADVISOR, Role.SUPERVISOR)
def opt_out(call_sid: str):  # noqa: ANN201
    """The caller does not want to be recorded: note it, then stop the live recording."""
    staff, call = current_staff(), _call(call_sid)
    settings = current_app.config["SETTINGS"]
    try:
        stopped = desk.opt_out(request_session(), settings, call, staff, _now())
    except desk.DeskError as exc:
        raise _refused(exc) from exc
    return jsonify({**call_json(call), "live_recording": stopped})


@bp.post("/calls/<call_sid>/transfer")
@require_roles(Role.ADVISOR)
def transfer(call_sid: str):  # noqa: ANN201
    """Move the caller to another advisor or into another service's queue."""
    body = json_body()
    staff, call = current_staff(), _call(call_sid)
    if not desk.on_this_call(call, staff):
        raise ApiError(403, "forbidden", "Only the advisor on this call can transfer it.")
    if ("advisor_id" in body) == ("service" in body):
        raise ApiError(422, "invalid", "Give exactly one of 'advisor_id' or 'service'.")
    session, settings = request_session(), current_app.config["SETTINGS"]
    try:
        if "service" in body:
            code = field(body, "service", str)
            services = current_app.config["SERVICES"]
            desk.transfer_to_service(session, settings, services, call, staff, code, _now())
        else:
            target = record_id(body, "advisor_id")
            desk.transfer_to_advisor(session, settings, call, staff, target, _now())
    except desk.DeskError as exc:
        raise _refused(exc) from exc
    return jsonify(call_json(call)), 202
