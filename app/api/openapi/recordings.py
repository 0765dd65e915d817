"""The OpenAPI description of app/api/recordings.py."""

from __future__ import annotations

from app.api.formats import RECORDING_SID
from app.api.openapi.components import error_responses, json_response, path_parameter
from app.api.recordings import REASON
from app.models import RecordingStatus

RECORDING_SCHEMA = {
    "type": "object",
    "properties": {
        "recording_sid": {"type": "string"},
        "call_sid": {"type": "string"},
        "status": {"enum": [s.value for s in RecordingStatus]},
        "started_at": {"type": ["string", "null"], "format": "date-time"},
        "duration_seconds": {"type": ["integer", "null"]},
        "channels": {"type": ["integer", "null"]},
        "source": {"type": ["string", "null"]},
        "delete_after": {"type": ["string", "null"], "format": "date-time"},
        "stored_at": {"type": ["string", "null"], "format": "date-time"},
        "deleted_at": {"type": ["string", "null"], "format": "date-time"},
        "holds": {"type": "array", "items": {"type": "object"}},
    },
}
_SID = path_parameter("recording_sid", {"type": "string", "pattern": RECORDING_SID})
PATHS = {
    "/api/recordings/{recording_sid}": {
        "get": {
            "summary": "A recording's state, start, duration, deletion date and holds",
            "parameters": [_SID],
            "responses": {
                "200": json_response(RECORDING_SCHEMA, "The recording"),
                **error_responses(401, 403, 404),
            },
        }
    },
    "/api/recordings/{recording_sid}/audio": {
        "get": {
            "summary": "The decrypted WAV, streamed; every access is audited",
            "parameters": [
                _SID,
                {
                    "name": "reason",
                    "in": "query",
                    "required": True,
                    "description": "Why you need the recording (audited).",
                    "schema": REASON.schema(),
                },
            ],
            "responses": {
                "200": {
                    "description": "The recording as Twilio made it",
                    "content": {"audio/wav": {"schema": {"type": "string", "format": "binary"}}},
                },
                **error_responses(401, 403, 404, 409, 410, 422),
            },
        }
    },
}
