"""POST /api/auth/token: email and password for a bearer token."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app, jsonify

from app.api import bp
from app.api.formats import EMAIL
from app.api.validation import field, json_body, text
from app.db.session import request_session
from app.domain import staff as auth
from app.web.errors import ApiError


@bp.post("/auth/token")
def issue_token():  # noqa: ANN201
    """Exchange credentials for a bearer token that expires."""
    body = json_body()
    email, password = text(body, "email", EMAIL), field(body, "password", str)
    session = request_session()
    staff = auth.staff_by_email(session, email)
    if staff is None or not staff.active or not auth.check_password(staff, password):
        raise ApiError(401, "invalid_credentials", "Unknown email or wrong password.")
    ttl = timedelta(hours=current_app.config["SETTINGS"].token_ttl_hours)
    token, row = auth.issue_token(session, staff, ttl, current_app.config["CLOCK"]())
    session.commit()
    return jsonify({"token": token, "expires_at": row.expires_at.isoformat()}), 201
