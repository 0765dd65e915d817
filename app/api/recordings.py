"""GET /api/recordings/{sid} and /audio: a recording's state, and its audio with a reason.

Every access to audio is audited (who, when, why) before a byte is sent; opening an old
recording, or one of a call closed more than 14 days ago, also raises a privacy alert.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import Any, BinaryIO, TypeVar

from flask import Response, current_app, jsonify, request
from sqlalchemy.orm import Session

from app.api import bp
from app.api.formats import CONTROL, SPACE, Text
from app.api.holds import hold_json
from app.db.session import request_session
from app.domain import audit
from app.domain import recordings as domain
from app.domain.holds import active_holds_for
from app.models import Call, PrivacyAlert, Recording, RecordingStatus, Role
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError
from app.web.runtime import master_key, recording_store
from recordings.privacy import privacy_alert_rules
from recordings.vault import DecryptedObject, open_decrypted

READERS = (Role.SUPERVISOR, Role.RECORDS_OFFICER)
MIN_REASON_LENGTH = 5
MAX_REASON_LENGTH = 500
REASON = Text(
    f"Why you need the recording: at least {MIN_REASON_LENGTH} characters other than spaces, "
    f"at most {MAX_REASON_LENGTH} in all",
    MAX_REASON_LENGTH,
    f"^(?:[{SPACE}]*[^{CONTROL}{SPACE}]){{{MIN_REASON_LENGTH}}}[^{CONTROL}]*$",
)
CHUNK = 1024 * 1024
T = TypeVar("T")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def recording_json(session: Session, recording: Recording) -> dict[str, Any]:
    """The recording as staff see it: state and times, never keys or storage details."""
    return {
        "recording_sid": recording.recording_sid,
        "call_sid": recording.call_sid,
        "status": recording.status,
        "started_at": _iso(recording.started_at),
        "duration_seconds": recording.duration_seconds,
        "channels": recording.channels,
        "source": recording.source,
        "delete_after": _iso(recording.delete_after),
        "stored_at": _iso(recording.stored_at),
        "deleted_at": _iso(recording.deleted_at),
        "holds": [hold_json(hold) for hold in active_holds_for(session, recording)],
    }


def _recording_or_404(session: Session, sid: str) -> Recording:
    recording = domain.find_recording(session, sid) if domain.RECORDING_SID.match(sid) else None
    if recording is None:
        raise ApiError(404, "not_found", "No recording with that SID.")
    return recording


@bp.get("/recordings/<recording_sid>")
@require_roles(*READERS)
def get_recording(recording_sid: str):  # noqa: ANN201
    """A recording's state, start, duration, deletion date and holds."""
    session = request_session()
    return jsonify(recording_json(session, _recording_or_404(session, recording_sid)))


def _reason() -> str:
    reason = request.args.get("reason", "")
    if not REASON.admits(reason):
        message = f"State why you need this recording: ?reason= ({REASON.description})."
        raise ApiError(422, "reason_required", message)
    return " ".join(reason.split())


def _playable(recording: Recording) -> None:
    if recording.status == RecordingStatus.PENDING:
        raise ApiError(409, "not_stored_yet", "The recording is not stored yet; try again soon.")
    if recording.status != RecordingStatus.STORED or not recording.wrapped_key:
        raise ApiError(410, "gone", f"The recording has no audio: it is {recording.status}.")


def _audit_access(session: Session, recording: Recording, reason: str) -> None:
    """Write the access (and any privacy alert) and commit, before any audio is sent."""
    email = current_staff().email
    audit.record(
        session,
        actor=email,
        action="recording.access",
        subject_type="recording",
        subject_id=recording.recording_sid,
        reason=reason,
    )
    now = current_app.config["CLOCK"]()
    call = session.get(Call, recording.call_id) if recording.call_id is not None else None
    rules = privacy_alert_rules(
        recording_started_at=recording.started_at,
        call_ended_at=call.ended_at if call is not None else None,
        now=now,
        age_days=current_app.config["SETTINGS"].privacy_alert_age_days,
    )
    for rule in rules:
        session.add(
            PrivacyAlert(
                recording_id=recording.id,
                staff_email=email,
                reason=reason,
                rule=rule,
                raised_at=now,
            )
        )
        audit.record(
            session,
            actor=email,
            action="privacy.alert",
            subject_type="recording",
            subject_id=recording.recording_sid,
            reason=reason,
            details={"rule": rule},
        )
    session.commit()


def _plaintext(recording: Recording) -> DecryptedObject:
    """The decrypted audio of a stored recording; closing it closes the stored object too."""
    return open_decrypted(
        recording_store(),
        master_key(),
        recording.storage_key,
        recording.wrapped_key,
        recording.recording_sid,
    )


def _asked_for(recording_sid: str) -> tuple[Session, Recording, str]:
    """The request's session, the playable recording and the ?reason= given; ApiError when
    the reason is missing or the recording unknown or not playable."""
    reason = _reason()
    session = request_session()
    recording = _recording_or_404(session, recording_sid)
    _playable(recording)
    return session, recording, reason


def read_audited(recording_sid: str, read: Callable[[BinaryIO], T]) -> T:
    """`read` the decrypted WAV (buffered) for `current_staff()` with the ?reason= given; the
    access is audited (and any privacy alert raised) once `read` has returned, before its
    result is sent. ApiError when refused; `read`'s own errors leave no audit entry."""
    session, recording, reason = _asked_for(recording_sid)
    with io.BufferedReader(_plaintext(recording), CHUNK) as plaintext:
        result = read(plaintext)
    _audit_access(session, recording, reason)
    return result


@bp.get("/recordings/<recording_sid>/audio")
@require_roles(*READERS)
def get_recording_audio(recording_sid: str) -> Response:
    """The decrypted WAV, streamed; the access is audited first."""
    return audio_response(recording_sid)


def audio_response(recording_sid: str) -> Response:
    """The decrypted WAV for `current_staff()` with the ?reason= given: audited (and any privacy
    alert raised) before a byte is sent; ApiError when refused. The console streams it too."""
    session, recording, reason = _asked_for(recording_sid)
    plaintext = _plaintext(recording)
    try:
        first = plaintext.read(CHUNK)  # authenticates the header and first segment first
        _audit_access(session, recording, reason)
    except BaseException:
        plaintext.close()
        raise
    return Response(
        plaintext.chunks(CHUNK, first),
        mimetype="audio/wav",
        direct_passthrough=True,
        headers={
            "Content-Disposition": f'attachment; filename="{recording.recording_sid}.wav"',
            "Cache-Control": "no-store",
        },
    )
