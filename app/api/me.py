"""GET /api/me and PUT /api/me/status: a member of staff's own profile and availability."""

from __future__ import annotations

from flask import current_app, jsonify

from app.api import bp
from app.api.openapi import error_responses
from app.api.validation import field, json_body
from app.db.session import request_session
from app.domain import routing
from app.models import AdvisorStatus, Role, Staff
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError

SETTABLE_STATUSES = {AdvisorStatus.OFFLINE, AdvisorStatus.AVAILABLE}


def staff_json(staff: Staff) -> dict[str, object]:
    """The profile shape shared by /api/me and /api/advisors."""
    return {
        "id": staff.id,
        "email": staff.email,
        "name": staff.name,
        "role": staff.role,
        "skills": list(staff.skills or []),
        "languages": list(staff.languages or ["en"]),
        "endpoint": staff.endpoint,
        "records_calls": staff.records_calls,
        "status": staff.status,
        "status_changed_at": staff.status_changed_at.isoformat(),
        "active": staff.active,
    }


@bp.get("/me")
@require_roles()
def me():  # noqa: ANN201
    """The signed-in member of staff."""
    return jsonify(staff_json(current_staff()))


@bp.put("/me/status")
@require_roles(Role.ADVISOR)
def set_my_status():  # noqa: ANN201
    """An advisor says they are available or offline."""
    status = field(json_body(), "status", str)
    if status not in SETTABLE_STATUSES:
        raise ApiError(422, "invalid", "status must be 'available' or 'offline'.")
    staff = request_session().merge(current_staff())
    if staff.status == AdvisorStatus.BUSY:
        raise ApiError(409, "on_a_call", "You are on a call; your status changes when it ends.")
    now = current_app.config["CLOCK"]()
    if staff.status != status:
        staff.status, staff.status_changed_at = status, now
    request_session().commit()
    if status == AdvisorStatus.AVAILABLE:
        settings = current_app.config["SETTINGS"]
        routing.match_and_connect(request_session(), settings, now, advisor_id=staff.id)
        request_session().refresh(staff)
    return jsonify(staff_json(staff))


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
OPENAPI_PATHS = {
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
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["status"],
                            "properties": {"status": {"enum": ["available", "offline"]}},
                        }
                    }
                },
            },
            "responses": {
                "200": {"description": "Profile", "content": _STAFF},
                **error_responses(400, 401, 403, 409, 413, 422),
            },
        }
    },
}
