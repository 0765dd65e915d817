"""GET /api/services: the configured service menu."""

from __future__ import annotations

from flask import current_app, jsonify

from app.api import bp
from app.web.auth import require_roles


@bp.get("/services")
@require_roles()
def list_services():  # noqa: ANN201
    """The services callers can choose, with key and priority."""
    return jsonify([s.as_dict() for s in current_app.config["SERVICES"]])
