"""GET /api/me and PUT /api/me/status: a member of staff's own profile and availability."""

from __future__ import annotations

from flask import current_app, jsonify

from app.api import bp
from app.api.validation import field, json_body
from app.db.session import request_session
from app.domain import desk
from app.models import Role, Staff
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError


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
    staff = request_session().merge(current_staff())
    settings, now = current_app.config["SETTINGS"], current_app.config["CLOCK"]()
    try:
        desk.set_status(request_session(), settings, staff, status, now)
    except desk.StatusNotSettable as exc:
        raise ApiError(422, exc.code, str(exc)) from exc
    except desk.OnACall as exc:
        raise ApiError(409, exc.code, str(exc)) from exc
    return jsonify(staff_json(staff))
