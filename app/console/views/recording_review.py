"""A matched recording under review (SPEC §14): the officer states a reason first; the page then
draws caller and advisor channels with wavesurfer.js from the waveform's outline (peaks read
from the decrypted audio here, audited with that reason like the audio, privacy alerts as
usual), plays the audio through the API's own audio path on demand, and saves a redaction the
officer drags on it (or types, without JavaScript), with its reason, through `review_recording`.
Without an outline (audio other than 16-bit PCM) wavesurfer fetches and decodes the audio.
"""

from __future__ import annotations

import secrets

from flask import (
    abort,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.api import access_requests as api
from app.api.recordings import REASON, audio_response, read_audited
from app.api.validation import stripped_text
from app.console import bp
from app.console.auth import console_roles, now
from app.db.session import request_session
from app.domain import access_requests as sar
from app.models import AccessRequest, Recording, Role
from app.web.errors import ApiError
from app.web.security import CONTENT_SECURITY_POLICY
from recordings.audio import UnreadableAudio, waveform_peaks

READERS = (Role.SUPERVISOR, Role.RECORDS_OFFICER)


@bp.get("/recordings/<recording_sid>/audio")
@console_roles(*READERS)
def recording_audio(recording_sid: str) -> Response:
    """The decrypted WAV, streamed only with ?reason=; audited exactly as the API's."""
    try:
        return audio_response(recording_sid)
    except ApiError as exc:
        abort(exc.status, exc.message)


@bp.get("/recordings/<recording_sid>/peaks")
@console_roles(*READERS)
def recording_peaks(recording_sid: str) -> Response:
    """The waveform's outline (duration, each channel's peaks) read from the decrypted WAV, so
    the page draws it without fetching and decoding the whole audio; only with ?reason=,
    audited as an access like the audio. 415 for audio it cannot outline (the page then loads
    the audio itself)."""
    try:
        outline = read_audited(recording_sid, waveform_peaks)
    except ApiError as exc:
        abort(exc.status, exc.message)
    except UnreadableAudio as exc:
        abort(415, str(exc))
    response = jsonify(duration=outline.duration_seconds, peaks=outline.peaks)
    response.headers["Cache-Control"] = "no-store"
    return response


def _listed(request_id: int, recording_sid: str) -> tuple[AccessRequest, sar.ListedRecording]:
    session = request_session()
    item = session.get(AccessRequest, request_id)
    if item is None:
        abort(404)
    for listed in sar.listed_recordings(session, item):
        if listed.recording.recording_sid == recording_sid:
            return item, listed
    abort(404)


@bp.get("/requests/<int:request_id>/recordings/<recording_sid>")
@console_roles(Role.RECORDS_OFFICER)
def review_recording(request_id: int, recording_sid: str) -> Response:
    """Ask for the reason; with it, the two-channel waveform and the redaction form."""
    item, listed = _listed(request_id, recording_sid)
    reason = request.args.get("reason")
    error = None
    if reason is not None and not REASON.admits(reason):
        error, reason = f"State why you need this recording ({REASON.description})", None
    nonce = secrets.token_urlsafe(16)
    page = render_template(
        "console/requests/recording.html",
        item=item,
        listed=listed,
        reason=" ".join(reason.split()) if reason else None,
        error=error,
        style_nonce=nonce,
    )
    # wavesurfer.js styles its shadow DOM with a <style> element: allowed by this nonce only.
    policy = CONTENT_SECURITY_POLICY.replace(
        "style-src 'self'", f"style-src 'self' 'nonce-{nonce}'"
    )
    response = make_response(page, 400 if error else 200)
    response.headers["Content-Security-Policy"] = policy
    return response


@bp.post("/requests/<int:request_id>/recordings/<recording_sid>/redactions")
@console_roles(Role.RECORDS_OFFICER)
def add_redaction(request_id: int, recording_sid: str) -> Response:
    """Add one range to silence, with its reason, to the recording's review."""
    session = request_session()
    item, listed = _listed(request_id, recording_sid)
    back = url_for(
        "console.review_recording",
        request_id=request_id,
        recording_sid=recording_sid,
        reason=request.form.get("access_reason", ""),
    )
    try:
        start, end = float(request.form["start"]), float(request.form["end"])
    except (KeyError, ValueError):
        flash("Give the start and end of the range in seconds, e.g. 1.5 and 3", "error")
        return redirect(back)
    try:
        why = stripped_text(dict(request.form), "reason", api.EXTENSION_REASON)
        ranges = [sar.Redaction(r["start"], r["end"], r.get("reason")) for r in listed.redactions]
        recording = session.scalar(
            select(Recording).where(Recording.recording_sid == recording_sid)
        )
        sar.review_recording(
            session,
            item,
            recording,
            include=listed.include,
            redactions=[*ranges, sar.Redaction(round(start, 2), round(end, 2), why)],
            reason=listed.reason,
            actor=str(g.staff.email),
            now=now(),
        )
        session.commit()
        flash(f"{start:.2f}–{end:.2f} s will be silenced.", "success")
    except (ApiError, sar.AccessRequestError) as exc:
        session.rollback()
        flash(exc.message if isinstance(exc, ApiError) else str(exc), "error")
    return redirect(back)
