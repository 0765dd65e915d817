"""The recordings of a call as its detail view lists them (SPEC §12)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Call, Recording, RecordingStatus

CALL_RECORDINGS_SCHEMA = {
    "type": "array",
    "description": "The recordings made on the call's legs, oldest first",
    "items": {
        "type": "object",
        "properties": {
            "recording_sid": {"type": "string"},
            "status": {"enum": [str(status) for status in RecordingStatus]},
            "started_at": {"type": ["string", "null"], "format": "date-time"},
            "duration_seconds": {"type": ["integer", "null"]},
            "delete_after": {"type": ["string", "null"], "format": "date-time"},
        },
    },
}


def call_recordings(session: Session, call: Call) -> list[dict[str, Any]]:
    """Sid, status, start, duration and `delete_after` of each recording of `call`."""
    query = (
        select(Recording)
        .where(Recording.call_sid == call.call_sid)
        .order_by(Recording.started_at, Recording.id)
    )
    return [
        {
            "recording_sid": recording.recording_sid,
            "status": recording.status,
            "started_at": recording.started_at.isoformat() if recording.started_at else None,
            "duration_seconds": recording.duration_seconds,
            "delete_after": recording.delete_after.isoformat() if recording.delete_after else None,
        }
        for recording in session.scalars(query)
    ]
