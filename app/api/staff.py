"""POST /api/staff/{id}/deactivate: any member of staff deactivated for good (admin)."""

from __future__ import annotations

from flask import current_app, jsonify

from app.api import bp
from app.api.me import staff_json
from app.db.session import request_session
from app.domain import staff_lifecycle as lifecycle
from app.models import Role, Staff
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError


@bp.post("/staff/<int:staff_id>/deactivate")
@require_roles(Role.ADMIN)
def deactivate_staff(staff_id: int):  # noqa: ANN201
    """Deactivate a member of staff: their console sessions and tokens end at once, for good."""
    session = request_session()
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise ApiError(404, "not_found", f"No member of staff {staff_id}.")
    if staff.id == current_staff().id:
        raise ApiError(409, "conflict", "You cannot deactivate yourself; ask another admin.")
    try:
        now = current_app.config["CLOCK"]()
        lifecycle.deactivate(session, staff, now, actor=current_staff().email)
    except lifecycle.AlreadyDeactivated:
        raise ApiError(409, "conflict", f"{staff.email} is already deactivated.") from None
    session.commit()
    return jsonify(staff_json(staff))
