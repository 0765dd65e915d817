"""The OpenAPI description of app/api/access_packages.py."""

from __future__ import annotations

from app.api.access_packages import MAX_REDACTIONS, REDACTION_REASON, REVIEW_REASON
from app.api.formats import RECORDING_SID
from app.api.openapi.access_requests import ACCESS_REQUEST_SCHEMA, REQUEST_ID
from app.api.openapi.components import error_responses, json_request, json_response, path_parameter

_MOMENT = {"type": ["string", "null"], "format": "date-time"}
_SID = path_parameter("recording_sid", {"type": "string", "pattern": RECORDING_SID})
_SECONDS = {"type": "number", "minimum": 0}
_REDACTION = {
    "oneOf": [
        {
            "type": "array",
            "description": "[start_s, end_s]",
            "items": _SECONDS,
            "minItems": 2,
            "maxItems": 2,
        },
        {
            "type": "object",
            "required": ["start", "end"],
            "properties": {
                "start": _SECONDS,
                "end": _SECONDS,
                "reason": {
                    **REDACTION_REASON.schema(nullable=True),
                    "description": "Why, shown to the requester",
                },
            },
        },
    ]
}
PATHS = {
    "/api/access-requests/{request_id}/recordings/{recording_sid}": {
        "patch": {
            "summary": "Include or exclude a recording; ranges to replace with silence",
            "description": "`reason` (optional) explains an exclusion, or every redaction "
            "without its own reason; the requester sees redaction reasons in the manifest. "
            "Ranges are seconds from the start; a range that does not end after it starts, or "
            "ends after the recording does, is answered 422 (rules no schema can state).",
            "parameters": [REQUEST_ID, _SID],
            "requestBody": json_request(
                {
                    "type": "object",
                    "required": ["include"],
                    "properties": {
                        "include": {"type": "boolean"},
                        "redactions": {
                            "type": ["array", "null"],
                            "items": _REDACTION,
                            "maxItems": MAX_REDACTIONS,
                        },
                        "reason": REVIEW_REASON.schema(nullable=True),
                    },
                }
            ),
            "responses": {
                "200": json_response(ACCESS_REQUEST_SCHEMA, "The request"),
                **error_responses(400, 401, 403, 404, 409, 413, 422),
            },
        }
    },
    "/api/access-requests/{request_id}/fulfil": {
        "post": {
            "summary": "Package in a worker: decrypt, redact, MP3, ZIP, store encrypted",
            "parameters": [REQUEST_ID],
            "responses": {
                "202": json_response(
                    {
                        "type": "object",
                        "properties": {"state": {"type": "string"}, "job_id": {"type": "string"}},
                    },
                    "Queued; progress shows on the request",
                ),
                **error_responses(401, 403, 404, 409, 503),
            },
        }
    },
    "/api/access-requests/{request_id}/package": {
        "get": {
            "summary": "Issue a download link (GET /access/{token}, no login) and its expiry",
            "description": "Only a hash of the token is stored, so each call issues a fresh "
            "link and the previous one stops working.",
            "parameters": [REQUEST_ID],
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "properties": {
                            "url": {"type": "string"},
                            "expires_at": _MOMENT,
                            "package_id": {"type": "string"},
                            "recordings": {"type": "integer"},
                            "size_bytes": {"type": "integer"},
                            "downloads": {"type": "integer"},
                        },
                    },
                    "The link",
                ),
                **error_responses(401, 403, 404, 409),
            },
        },
        "delete": {
            "summary": "Revoke the download link",
            "parameters": [REQUEST_ID],
            "responses": {
                "200": json_response(
                    {
                        "type": "object",
                        "properties": {"package_id": {"type": "string"}, "revoked_at": _MOMENT},
                    },
                    "Revoked",
                ),
                **error_responses(401, 403, 404, 409),
            },
        },
    },
}
