"""What happens to a recording's row as Twilio reports it; idempotent by RecordingSid.

Twilio may deliver the recording-status callback twice, late or out of order. A row only
moves forward: `in-progress` < `completed` | `absent` | `failed` (Twilio's final states), and
once the row has left `pending` (stored, discarded, deleted, failed) no callback changes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import Call, Recording, RecordingStatus

RECORDING_SID = re.compile(r"^RE[0-9a-fA-F]{32}$")
_TWILIO_RANK = {"in-progress": 1, "completed": 2, "absent": 2, "failed": 2}
TWILIO_STATUSES = frozenset(_TWILIO_RANK)


class InvalidRecordingSid(ValueError):
    """The request does not carry a usable RecordingSid."""


def check_recording_sid(value: str | None) -> str:
    """The RecordingSid, or InvalidRecordingSid."""
    if not value or not RECORDING_SID.match(value):
        raise InvalidRecordingSid("a valid RecordingSid is required")
    return value


@dataclass(frozen=True)
class RecordingReport:
    """One recording-status callback, parsed."""

    recording_sid: str
    twilio_status: str
    duration_seconds: int | None = None
    channels: int | None = None
    source: str | None = None
    started_at: datetime | None = None


def parse_start_time(raw: str | None) -> datetime | None:
    """Twilio's RecordingStartTime (RFC 2822) as an aware datetime, or None."""
    if not raw or len(raw) > 64:
        return None
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def parse_int(raw: str | None) -> int | None:
    """A small non-negative integer parameter, or None."""
    return int(raw) if raw and raw.isdigit() and len(raw) < 9 else None


def find_recording(session: Session, recording_sid: str) -> Recording | None:
    """The recording with this SID, if we know it."""
    return session.scalar(select(Recording).where(Recording.recording_sid == recording_sid))


def _open_recording(
    session: Session, call: Call, report: RecordingReport
) -> tuple[Recording, bool]:
    """The recording's row and whether this call created it (INSERT or find)."""
    found = find_recording(session, report.recording_sid)
    if found is not None:
        return found, False
    recording = Recording(
        recording_sid=report.recording_sid,
        call_id=call.id,
        call_sid=call.call_sid,
        status=RecordingStatus.PENDING,
        ingest_attempts=0,
    )
    try:
        with session.begin_nested():
            session.add(recording)
    except IntegrityError:  # another process inserted it at the same moment
        return session.scalars(
            select(Recording).where(Recording.recording_sid == report.recording_sid)
        ).one(), False
    return recording, True


def record_status(session: Session, call: Call, report: RecordingReport) -> tuple[Recording, bool]:
    """Apply a recording-status callback; returns the row and whether to enqueue its ingest.

    Only a move forward changes the row: a late `in-progress` after `completed`, or any
    callback after the row was stored, discarded, deleted or failed, changes nothing.
    """
    recording, created = _open_recording(session, call, report)
    new_rank = _TWILIO_RANK.get(report.twilio_status, 0)
    old_rank = 0 if created else _TWILIO_RANK.get(recording.twilio_status or "", 0)
    if recording.status != RecordingStatus.PENDING or new_rank <= old_rank:
        return recording, False
    recording.twilio_status = report.twilio_status
    recording.started_at = recording.started_at or report.started_at
    if report.duration_seconds is not None:
        recording.duration_seconds = report.duration_seconds
    recording.channels = report.channels or recording.channels
    recording.source = (report.source or "")[:30] or recording.source
    if report.twilio_status in {"absent", "failed"}:
        recording.status = RecordingStatus.FAILED
        return recording, False
    return recording, report.twilio_status == "completed"
