"""The OpenAPI description of app/api/services.py."""

from __future__ import annotations

from app.api.openapi.components import error_responses, json_response

PATHS = {
    "/api/services": {
        "get": {
            "summary": "The configured services (code, key, name, priority)",
            "responses": {
                "200": json_response(
                    {
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
                    },
                    "Services",
                ),
                **error_responses(401),
            },
        }
    },
}
