"""The OpenAPI description of app/api/staff.py."""

from __future__ import annotations

from app.api.openapi.components import error_responses, path_id
from app.api.openapi.me import STAFF_SCHEMA

PATHS = {
    "/api/staff/{staff_id}/deactivate": {
        "post": {
            "summary": "Deactivate a member of staff for good (admin)",
            "description": (
                "Any role. Every console session and API token of theirs ends at once; the "
                "account cannot be made active again. Audited as staff.deactivate."
            ),
            "parameters": [path_id("staff_id")],
            "responses": {
                "200": {
                    "description": "The deactivated member of staff",
                    "content": {"application/json": {"schema": STAFF_SCHEMA}},
                },
                **error_responses(401, 403, 404, 409),
            },
        }
    }
}
