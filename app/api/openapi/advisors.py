"""The OpenAPI description of app/api/advisors.py."""

from __future__ import annotations

from app.api.advisors import (
    CLIENT_ENDPOINT,
    ENDPOINT_DESCRIPTION,
    MAX_ENDPOINT_LENGTH,
    NAME,
    NUMBER_ENDPOINT,
    SIP_ENDPOINT,
)
from app.api.formats import EMAIL
from app.api.openapi.components import (
    SERVICE_CODE,
    error_responses,
    json_request,
    json_response,
    path_id,
)
from app.api.openapi.me import STAFF_SCHEMA

_ADVISOR_FIELDS = {
    "name": NAME.schema(),
    "skills": {"type": "array", "items": SERVICE_CODE, "description": "Service codes"},
    "languages": {
        "type": "array",
        "items": {"type": "string", "enum": ["en", "cy"]},
        "minItems": 1,
        "description": 'Languages the advisor takes calls in (default ["en"])',
    },
    "endpoint": {
        "description": f"{ENDPOINT_DESCRIPTION}; null for none",
        "anyOf": [
            {"type": "null"},
            {"type": "string", "pattern": CLIENT_ENDPOINT},
            {"type": "string", "pattern": SIP_ENDPOINT, "maxLength": MAX_ENDPOINT_LENGTH},
            {"type": "string", "pattern": NUMBER_ENDPOINT, "format": "valid-phone-number"},
        ],
    },
    "records_calls": {"type": "boolean"},
    "active": {
        "type": "boolean",
        "description": "false deactivates for good (sessions and tokens end); a deactivated "
        "advisor cannot be made active again (409)",
    },
}
_STAFF = {"application/json": {"schema": STAFF_SCHEMA}}
_ADVISOR_ID = path_id("advisor_id")
PATHS = {
    "/api/advisors": {
        "get": {
            "summary": "List advisors (admin, supervisor)",
            "responses": {
                "200": json_response({"type": "array", "items": STAFF_SCHEMA}, "Advisors"),
                **error_responses(401, 403),
            },
        },
        "post": {
            "summary": "Create an advisor (admin)",
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["email"],
                    "properties": {
                        "email": EMAIL.schema(),
                        "password": {
                            "description": "Optional (empty or null for none); at "
                            "least 12 characters and not a common password",
                            "anyOf": [
                                {"type": "null"},
                                {"type": "string", "maxLength": 0},
                                {"type": "string", "minLength": 12, "maxLength": 200},
                            ],
                        },
                        **_ADVISOR_FIELDS,
                    },
                    "additionalProperties": False,
                }
            ),
            "responses": {
                "201": {"description": "Created", "content": _STAFF},
                **error_responses(400, 401, 403, 409, 413, 422),
            },
        },
    },
    "/api/advisors/{advisor_id}": {
        "patch": {
            "summary": "Change an advisor (admin)",
            "parameters": [_ADVISOR_ID],
            "requestBody": json_request(
                {
                    "type": "object",
                    "properties": _ADVISOR_FIELDS,
                    "additionalProperties": False,
                }
            ),
            "responses": {
                "200": {"description": "Advisor", "content": _STAFF},
                **error_responses(400, 401, 403, 404, 413, 422),
            },
        }
    },
}
