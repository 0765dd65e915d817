"""The OpenAPI description of app/api/voice_token.py."""

from __future__ import annotations

from app.api.openapi.components import error_responses, json_response

PATHS = {
    "/api/voice-token": {
        "get": {
            "summary": "Twilio Voice SDK access token for the advisor's client: endpoint",
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "properties": {
                            "token": {"type": "string"},
                            "identity": {"type": "string"},
                            "expires_in": {"type": "integer"},
                        },
                    },
                    "Access token (JWT)",
                ),
                **error_responses(401, 403, 409, 503),
            },
        }
    },
}
