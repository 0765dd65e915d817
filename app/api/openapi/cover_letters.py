"""The OpenAPI description of app/api/cover_letters.py."""

from __future__ import annotations

from app.api.cover_letters import FORMATS
from app.api.openapi.components import error_responses, path_id

PATHS = {
    "/api/access-requests/{request_id}/cover-letter": {
        "get": {
            "summary": "Preview the request's cover letter, with the ICO's supplementary "
            "information, in the request's language",
            "parameters": [
                path_id("request_id"),
                {
                    "name": "format",
                    "in": "query",
                    "required": False,
                    "schema": {"enum": list(FORMATS), "default": "pdf"},
                },
            ],
            "responses": {
                "200": {
                    "description": "The letter",
                    "content": {
                        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                        "text/plain": {"schema": {"type": "string"}},
                    },
                },
                **error_responses(401, 403, 404, 422),
            },
        }
    },
}
