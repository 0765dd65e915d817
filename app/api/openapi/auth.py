"""The OpenAPI description of app/api/auth.py."""

from __future__ import annotations

from app.api.formats import EMAIL
from app.api.openapi.components import error_responses

PATHS = {
    "/api/auth/token": {
        "post": {
            "summary": "Issue a bearer token for email and password",
            "description": (
                "Rate-limited per client address and per email (429 with Retry-After). Ten "
                "failed attempts lock the account for 15 minutes; every refusal reads the same. "
                "A role in MFA_REQUIRED_ROLES (supervisor, records officer and admin by "
                "default) never gets a token by password alone: 403 "
                "`second_factor_not_set_up` until an authenticator is set up in the console; an "
                "admin's temporary password gets 403 `password_change_required` until its holder "
                "has chosen their own in the console."
            ),
            "security": [],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["email", "password"],
                            "properties": {
                                "email": EMAIL.schema(),
                                "password": {"type": "string"},
                                "code": {
                                    "type": "string",
                                    "description": "The authenticator app's current code; "
                                    "required once the account has one set up",
                                },
                            },
                        }
                    }
                },
            },
            "responses": {
                "201": {
                    "description": "Token",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "token": {"type": "string"},
                                    "expires_at": {"type": "string", "format": "date-time"},
                                },
                            }
                        }
                    },
                },
                **error_responses(400, 401, 403, 413, 422, 429),
            },
        },
        "delete": {
            "summary": "Sign out: revoke the bearer token of this request",
            "responses": {
                "204": {"description": "The token no longer works"},
                **error_responses(401),
            },
        },
    }
}
