"""The OpenAPI description of app/api/auth.py."""

from __future__ import annotations

from app.api.formats import EMAIL
from app.api.openapi.components import error_responses, json_request, json_response

PATHS = {
    "/api/auth/token": {
        "post": {
            "summary": "Issue a bearer token for email and password",
            "security": [],
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["email", "password"],
                    "properties": {
                        "email": EMAIL.schema(),
                        "password": {"type": "string"},
                    },
                }
            ),
            "responses": {
                "201": json_response(
                    {
                        "type": "object",
                        "properties": {
                            "token": {"type": "string"},
                            "expires_at": {"type": "string", "format": "date-time"},
                        },
                    },
                    "Token",
                ),
                **error_responses(400, 401, 413, 422),
            },
        }
    }
}
