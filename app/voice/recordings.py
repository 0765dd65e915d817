"""POST /twilio/recording-status: Twilio's recordingStatusCallback (SPEC §3, §6).

Records the recording's progress and enqueues its ingest when it completes. It answers in
milliseconds and never with a 5xx: when Redis is down the row is still committed, and the
reconcile job enqueues it later.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, request
from sqlalchemy.exc import SQLAlchemyError

from app.db.session import close_request_session, request_session
from app.domain import calls
from app.domain import recordings as domain
from app.integrations import queue as queueing
from app.voice import bp
from app.voice.signature import twilio_signed

log = logging.getLogger(__name__)
INGEST_JOB = "workers.ingest.ingest_recording"


def _report(recording_sid: str) -> domain.RecordingReport:
    form = request.form
    return domain.RecordingReport(
        recording_sid=recording_sid,
        twilio_status=form.get("RecordingStatus", "")[:16],
        duration_seconds=domain.parse_int(form.get("RecordingDuration")),
        channels=domain.parse_int(form.get("RecordingChannels")),
        source=form.get("RecordingSource"),
        started_at=domain.parse_start_time(form.get("RecordingStartTime")),
    )


@bp.post("/recording-status")
@twilio_signed
def recording_status() -> Response:
    """Twilio reports a recording in progress, completed, absent or failed."""
    settings = current_app.config["SETTINGS"]
    try:
        sid = domain.check_recording_sid(request.form.get("RecordingSid"))
    except domain.InvalidRecordingSid as exc:
        return Response(str(exc), status=400, mimetype="text/plain")
    call_sid = calls.check_call_sid(request.form.get("CallSid"))
    if request.form.get("RecordingStatus") not in domain.TWILIO_STATUSES:
        return Response("unknown RecordingStatus", status=400, mimetype="text/plain")
    if request.form.get("AccountSid") != settings.twilio_account_sid:
        log.warning("recording %s reported for another account: refused", sid)
        return Response("not our account", status=403, mimetype="text/plain")
    try:
        recording_id, enqueue = _record(call_sid, _report(sid))
    except SQLAlchemyError:
        log.exception("could not record the status of recording %s", sid)
        close_request_session()
        return Response(status=204)
    if enqueue:
        queueing.enqueue(settings, INGEST_JOB, recording_id, job_id=f"ingest-{sid}")
    return Response(status=204)


def _record(call_sid: str, report: domain.RecordingReport) -> tuple[int, bool]:
    session = request_session()
    now = current_app.config["CLOCK"]()
    call = calls.open_call(session, call_sid, None, None, now)
    recording, enqueue = domain.record_status(session, call, report)
    session.commit()
    log.info(
        "recording %s of call %s: twilio %s, status %s",
        report.recording_sid,
        call_sid,
        report.twilio_status,
        recording.status,
    )
    return recording.id, enqueue
