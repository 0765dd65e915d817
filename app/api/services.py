"""GET /api/services: the configured service menu."""

from __future__ import annotations

from flask import current_app, jsonify

from app.api import bp
from app.api.openapi import error_responses
from app.web.auth import require_roles


@bp.get("/services")
@require_roles()
def list_services():  # noqa: ANN201
    """The services callers can choose, with key and priority."""
    return jsonify([s.as_dict() for s in current_app.config["SERVICES"]])


OPENAPI_PATHS = {
    "/api/services": {
        "get": {
            "summary": "The configured services (code, key, name, names by language, priority)",
            "responses": {
                "200": {
                    "description": "Services",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "code": {"type": "string"},
                                        "key": {"type": "string"},
                                        "name": {"type": "string"},
                                        "names": {
                                            "type": "object",
                                            "description": "Spoken name by language code",
                                            "additionalProperties": {"type": "string"},
                                        },
                                        "priority": {"type": "integer"},
                                    },
                                },
                            }
                        }
                    },
                },
                **error_responses(401),
            },
        }
    },
}
