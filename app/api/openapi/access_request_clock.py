"""The OpenAPI description of app/api/access_request_clock.py."""

from __future__ import annotations

from app.api.access_request_clock import PAUSE_REASON, REFUSAL_REASON
from app.api.openapi.access_requests import ACCESS_REQUEST_SCHEMA, REQUEST_ID
from app.api.openapi.components import error_responses, json_request, json_response
from recordings.refusal_notice import RefusalGround

PATHS = {
    "/api/access-requests/{request_id}/pause": {
        "post": {
            "summary": "Stop the clock while awaiting the requester's clarification",
            "description": "Only while open, with the clock running (identity verified), not "
            "already paused and not past the due date; otherwise 409.",
            "parameters": [REQUEST_ID],
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["reason"],
                    "properties": {"reason": PAUSE_REASON.schema()},
                }
            ),
            "responses": {
                "200": json_response(ACCESS_REQUEST_SCHEMA, "The request, paused"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
    "/api/access-requests/{request_id}/resume": {
        "post": {
            "summary": "Restart the clock; the due date moves by the whole days paused",
            "description": "The due date moves by the whole Europe/London days since the pause "
            "(added to `paused_days`), then to the next working day. 409 unless paused.",
            "parameters": [REQUEST_ID],
            "requestBody": json_request({"type": "object"}, required=False),
            "responses": {
                "200": json_response(ACCESS_REQUEST_SCHEMA, "The request with its new due date"),
                **error_responses(400, 401, 403, 404, 409, 413),
            },
        }
    },
    "/api/access-requests/{request_id}/refuse": {
        "post": {
            "summary": "Refuse as manifestly unfounded or excessive; releases the holds",
            "description": "Stores the ground, the reason and the notice the requester is sent "
            "(why, and how to complain to the ICO), then closes the request as close does: its "
            "holds are released and its packages deleted. 409 when closed or packaging.",
            "parameters": [REQUEST_ID],
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["ground", "reason"],
                    "properties": {
                        "ground": {"enum": [g.value for g in RefusalGround]},
                        "reason": REFUSAL_REASON.schema(),
                    },
                }
            ),
            "responses": {
                "200": json_response(ACCESS_REQUEST_SCHEMA, "The request, refused and closed"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
}
