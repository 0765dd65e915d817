"""Calls for staff: search and detail with legs; opt-out and transfer during a call."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import requests
from flask import current_app, jsonify, request
from sqlalchemy import select
from twilio.base.exceptions import TwilioException, TwilioRestException

from app.api import bp
from app.api.call_recordings import CALL_RECORDINGS_SCHEMA, call_recordings
from app.api.formats import CALL_SID, DATE_TIME, PHONE
from app.api.openapi import SERVICE_CODE, error_responses, path_parameter
from app.api.validation import field, json_body, moment_arg, phone_number, record_id
from app.db import MAX_ID
from app.db.session import request_session
from app.domain import calls, routing
from app.integrations.twilio import make_twilio_client
from app.models import Call, CallLeg, OptOutSource, Role, RoutingState, Staff
from app.voice.connect import redirect_call
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError

log = logging.getLogger(__name__)
MAX_LIMIT = 500
LIVE = (RoutingState.CONNECTING, RoutingState.CONNECTED)


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
    if "number" in request.args:
        query = query.where(Call.from_number == phone_number(request.args["number"], "number"))
    since, until = moment_arg("since"), moment_arg("until")
    if since is not None:
        query = query.where(Call.started_at >= since)
    if until is not None:
        query = query.where(Call.started_at < until)
    return jsonify([call_json(c) for c in request_session().scalars(query)])


def _call(call_sid: str) -> Call:
    call = calls.find_call(request_session(), call_sid) if calls.CALL_SID.match(call_sid) else None
    if call is None:
        raise ApiError(404, "not_found", f"No call {call_sid}.")
    return call


@bp.get("/calls/<call_sid>")
@require_roles(Role.SUPERVISOR, Role.RECORDS_OFFICER)
def get_call(call_sid: str):  # noqa: ANN201
    """One call with its advisor legs and its recordings."""
    call = _call(call_sid)
    legs = request_session().scalars(
        select(CallLeg).where(CallLeg.call_id == call.id).order_by(CallLeg.id)
    )
    return jsonify(
        {**call_json(call, list(legs)), "recordings": call_recordings(request_session(), call)}
    )


def _on_this_call(call: Call, staff: Staff) -> bool:
    return call.assigned_advisor_id == staff.id and call.routing_state in LIVE


@bp.post("/calls/<call_sid>/opt-out")
@require_roles(Role.ADVISOR, Role.SUPERVISOR)
def opt_out(call_sid: str):  # noqa: ANN201
    """The caller does not want to be recorded: note it, then stop the live recording."""
    staff, call = current_staff(), _call(call_sid)
    if staff.role == Role.ADVISOR and not _on_this_call(call, staff):
        raise ApiError(403, "forbidden", "Only the advisor on this call (or a supervisor).")
    session = request_session()
    try:
        calls.opt_out(session, call, OptOutSource.ADVISOR, _now(), actor=staff.email)
    except calls.CallNotLive as exc:
        raise ApiError(
            409, "conflict", "The call has ended: an opt-out is only for a live call."
        ) from exc
    session.commit()
    stopped = _stop_live_recording(call.call_sid)
    return jsonify({**call_json(call), "live_recording": stopped})


def _stop_live_recording(call_sid: str) -> str:
    """`stopped`, or `none` when nothing was recording; 502 when Twilio cannot be reached."""
    client = make_twilio_client(current_app.config["SETTINGS"])
    try:
        client.calls(call_sid).recordings("Twilio.CURRENT").update(status="stopped")
    except TwilioRestException as exc:
        if exc.status == 404:
            return "none"
        log.warning("Twilio refused to stop the recording of %s: %s", call_sid, exc.status)
        raise ApiError(502, "twilio_error", _NOT_STOPPED) from exc
    except (TwilioException, requests.RequestException) as exc:
        log.warning("could not reach Twilio to stop the recording of %s: %s", call_sid, exc)
        raise ApiError(502, "twilio_unreachable", _NOT_STOPPED) from exc
    return "stopped"


_NOT_STOPPED = (
    "The opt-out is recorded (the recording will be discarded), but the live recording "
    "could not be stopped: try again."
)


@bp.post("/calls/<call_sid>/transfer")
@require_roles(Role.ADVISOR)
def transfer(call_sid: str):  # noqa: ANN201
    """Move the caller to another advisor or into another service's queue."""
    body = json_body()
    staff, call = current_staff(), _call(call_sid)
    if not _on_this_call(call, staff):
        raise ApiError(403, "forbidden", "Only the advisor on this call can transfer it.")
    if ("advisor_id" in body) == ("service" in body):
        raise ApiError(422, "invalid", "Give exactly one of 'advisor_id' or 'service'.")
    if "service" in body:
        return _to_service(call, field(body, "service", str))
    return _to_advisor(call, staff, record_id(body, "advisor_id"))


def _to_advisor(call: Call, staff: Staff, target_id: int):  # noqa: ANN202
    session, settings = request_session(), current_app.config["SETTINGS"]
    target = session.get(Staff, target_id)
    if target is None or target.role != Role.ADVISOR:
        raise ApiError(404, "not_found", f"No advisor {target_id}.")
    if target_id == staff.id:
        raise ApiError(409, "conflict", "You are the advisor on this call already.")
    now = _now()
    try:
        moved = routing.transfer_to_advisor(session, call, target_id, now, settings.wrap_up_seconds)
    except routing.TransferRefused as exc:
        session.rollback()
        raise ApiError(409, "conflict", str(exc)) from exc
    session.commit()
    if not redirect_call(settings, moved.claim, via_queue=False):
        routing.undo_transfer(session, call, moved)
        session.commit()
        raise ApiError(502, "twilio_error", "Twilio did not accept the transfer; nothing changed.")
    log.info("call %s transferred from advisor %s to %s", call.call_sid, staff.id, target_id)
    return jsonify(call_json(call)), 202


def _to_service(call: Call, code: str):  # noqa: ANN202
    service = next((s for s in current_app.config["SERVICES"] if s.code == code), None)
    if service is None:
        raise ApiError(422, "invalid", f"Unknown service {code!r}.")
    settings = current_app.config["SETTINGS"]
    url = f"{settings.public_base_url}/twilio/transfer/enqueue?service={service.code}"
    try:
        make_twilio_client(settings).calls(call.call_sid).update(url=url, method="POST")
    except (TwilioException, requests.RequestException) as exc:
        log.warning("Twilio did not accept the transfer of %s: %s", call.call_sid, exc)
        raise ApiError(502, "twilio_error", "Twilio did not accept the transfer.") from exc
    session = request_session()
    routing.transfer_to_service(session, call, service, _now())
    session.commit()
    return jsonify(call_json(call)), 202


_SID = path_parameter("call_sid", {"type": "string", "pattern": CALL_SID})
_LEG = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"},
        "kind": {"enum": ["first", "transfer"]},
        "advisor_id": {"type": ["integer", "null"]},
        "started_at": {"type": "string", "format": "date-time"},
        "answered_at": {"type": ["string", "null"], "format": "date-time"},
        "ended_at": {"type": ["string", "null"], "format": "date-time"},
        "result": {"type": ["string", "null"]},
        "recorded": {"type": "boolean"},
    },
}
_TIME = {"type": ["string", "null"], "format": "date-time"}
CALL_SCHEMA = {
    "type": "object",
    "properties": {
        "call_sid": {"type": "string"},
        "from_number": {"type": ["string", "null"]},
        "to_number": {"type": ["string", "null"]},
        "started_at": {"type": "string", "format": "date-time"},
        "answered_at": _TIME,
        "ended_at": _TIME,
        "duration_seconds": {"type": ["integer", "null"]},
        "outcome": {"type": ["string", "null"]},
        "service_code": {"type": ["string", "null"]},
        "recording_opted_out": {"type": "boolean"},
        "routing_state": {"type": ["string", "null"]},
        "advisor_id": {"type": ["integer", "null"]},
        "legs": {"type": "array", "items": _LEG},
        "recordings": CALL_RECORDINGS_SCHEMA,
        "live_recording": {"enum": ["stopped", "none"]},
    },
}
_CALL = {"application/json": {"schema": CALL_SCHEMA}}


OPENAPI_PATHS = {
    "/api/calls": {
        "get": {
            "summary": "Search calls (supervisor, records officer)",
            "parameters": [
                {"name": "number", "in": "query", "schema": PHONE.schema()},
                {
                    "name": "since",
                    "in": "query",
                    "description": "Started at or after",
                    "schema": DATE_TIME.schema(),
                },
                {
                    "name": "until",
                    "in": "query",
                    "description": "Started before",
                    "schema": DATE_TIME.schema(),
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
                },
            ],
            "responses": {
                "200": {
                    "description": "Calls, newest first",
                    "content": {
                        "application/json": {"schema": {"type": "array", "items": CALL_SCHEMA}}
                    },
                },
                **error_responses(401, 403, 422),
            },
        }
    },
    "/api/calls/{call_sid}": {
        "get": {
            "summary": "One call, its legs and its recordings (supervisor, records officer)",
            "parameters": [_SID],
            "responses": {
                "200": {"description": "Call", "content": _CALL},
                **error_responses(401, 403, 404),
            },
        }
    },
    "/api/calls/{call_sid}/opt-out": {
        "post": {
            "summary": "The caller does not want to be recorded (advisor on the call, supervisor)",
            "parameters": [_SID],
            "responses": {
                "200": {"description": "Opted out; live recording stopped", "content": _CALL},
                **error_responses(401, 403, 404, 409, 502),
            },
        }
    },
    "/api/calls/{call_sid}/transfer": {
        "post": {
            "summary": "Transfer the caller to an advisor or a service (advisor on the call)",
            "parameters": [_SID],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "description": "Exactly one of advisor_id or service. Transferring "
                            "to yourself is a conflict (409).",
                            "properties": {
                                "advisor_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                                "service": SERVICE_CODE,
                            },
                            "oneOf": [{"required": ["advisor_id"]}, {"required": ["service"]}],
                        }
                    }
                },
            },
            "responses": {
                "202": {"description": "Transfer under way", "content": _CALL},
                **error_responses(400, 401, 403, 404, 409, 413, 422, 502),
            },
        }
    },
}
