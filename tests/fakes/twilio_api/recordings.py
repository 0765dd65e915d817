"""The fake's Recordings resources: list, fetch, delete and media; a call's live recordings."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from tests.fakes.twilio_api.calls import CallsApi
from tests.fakes.twilio_api.openapi import parse_filter_value
from tests.fakes.twilio_api.responses import json_response, list_page
from tests.fakes.twilio_api.state import (
    ENDED_CALL,
    Recording,
    TwilioError,
    aware,
    not_found,
    rfc2822,
    silent_wav,
)
from tests.support.sids import new_sid

__all__ = ["RecordingsApi"]


class RecordingsApi(CallsApi):
    """Recordings by SID and under their call (``Twilio.CURRENT`` is the live one)."""

    def add_recording(
        self,
        *,
        sid: str | None = None,
        call_sid: str | None = None,
        audio: bytes | None = None,
        audio_path: Path | None = None,
        date_created: datetime | None = None,
        duration: int = 1,
        channels: int = 2,
        status: str = "completed",
        source: str = "DialVerb",
    ) -> str:
        """Store a recording and return its SID; audio defaults to 1 s of silent WAV."""
        if audio is None and audio_path is None:
            audio = silent_wav(1.0, channels)
        created = aware(date_created) if date_created else self.clock()
        recording = Recording(
            sid=sid or new_sid("RE"),
            call_sid=call_sid or new_sid("CA"),
            date_created=created,
            date_updated=created,
            duration=duration,
            channels=channels,
            status=status,
            source=source,
            audio=audio,
            audio_path=audio_path,
        )
        with self._lock:
            self.recordings[recording.sid] = recording
        return recording.sid

    def _recording_json(self, rec: Recording) -> dict[str, Any]:
        uri = f"{self._account_path()}/Recordings/{rec.sid}"
        return {
            "account_sid": self.account_sid,
            "api_version": "2010-04-01",
            "call_sid": rec.call_sid,
            "conference_sid": None,
            "date_created": rfc2822(rec.date_created),
            "date_updated": rfc2822(rec.date_updated),
            "start_time": rfc2822(rec.date_created),
            "duration": None if rec.duration is None else str(rec.duration),
            "sid": rec.sid,
            "price": None,
            "price_unit": "USD",
            "status": rec.status,
            "channels": rec.channels,
            "source": rec.source,
            "error_code": None,
            "uri": f"{uri}.json",
            "encryption_details": None,
            "subresource_uris": {
                "add_on_results": f"{uri}/AddOnResults.json",
                "transcriptions": f"{uri}/Transcriptions.json",
            },
            "media_url": f"{self.base_url}{uri}",
        }

    def _call_recording_json(self, rec: Recording) -> dict[str, Any]:
        body = self._recording_json(rec)
        for key in ("subresource_uris", "media_url"):
            del body[key]
        body["uri"] = f"{self._account_path()}/Calls/{rec.call_sid}/Recordings/{rec.sid}.json"
        body["track"] = rec.track
        return body

    def _recording(self, request: Request, sid: str) -> Recording:
        if sid not in self.recordings:
            raise not_found(request.path)
        return self.recordings[sid]

    def _op_FetchRecording(self, request: Request, AccountSid: str, Sid: str) -> Response:
        return json_response(self._recording_json(self._recording(request, Sid)))

    def _op_DeleteRecording(self, request: Request, AccountSid: str, Sid: str) -> Response:
        recording = self._recording(request, Sid)
        recording.status = "deleted"
        self.deleted_recordings[Sid] = self.recordings.pop(Sid)
        return Response(status=204)

    def _op_ListRecording(self, request: Request, AccountSid: str) -> Response:
        args = request.args
        found = [
            r
            for r in self.recordings.values()
            if _created_matches(r.date_created, args)
            and args.get("CallSid", r.call_sid) == r.call_sid
        ]
        return list_page(request, "recordings", found, self._recording_json, descending=True)

    def _op_FetchRecordingMedia(self, request: Request, AccountSid: str, Sid: str) -> Response:
        recording = self._recording(request, Sid)
        size = recording.media_size()
        if size is None:
            raise not_found(request.path)
        mimetype = "audio/mpeg" if request.path.endswith(".mp3") else "audio/x-wav"
        head = request.method == "HEAD"
        chunks = b"" if head else recording.media_chunks(request.environ)
        response = Response(chunks, mimetype=mimetype, direct_passthrough=not head)
        response.content_length = size
        return response

    def _op_CreateCallRecording(self, request: Request, AccountSid: str, CallSid: str) -> Response:
        call = self._call(CallSid)
        if call.status in ENDED_CALL:
            raise TwilioError(400, 21220, "Call is not in-progress. Cannot start recording.")
        now = self.clock()
        recording = Recording(
            sid=new_sid("RE"),
            call_sid=CallSid,
            date_created=now,
            date_updated=now,
            duration=None,
            channels=2 if request.form.get("RecordingChannels") == "dual" else 1,
            status="in-progress",
            source="StartCallRecordingAPI",
            track=request.form.get("RecordingTrack", "both"),
        )
        self.recordings[recording.sid] = recording
        return json_response(self._call_recording_json(recording), status=201)

    def _call_recording(self, request: Request, call_sid: str, sid: str) -> Recording:
        if sid == "Twilio.CURRENT":
            active = [
                r
                for r in self.recordings.values()
                if r.call_sid == call_sid and r.status in ("in-progress", "paused")
            ]
            if not active:
                raise not_found(request.path)
            return max(active, key=lambda r: r.date_created)
        recording = self._recording(request, sid)
        if recording.call_sid != call_sid:
            raise not_found(request.path)
        return recording

    def _op_FetchCallRecording(
        self, request: Request, AccountSid: str, CallSid: str, Sid: str
    ) -> Response:
        return json_response(self._call_recording_json(self._call_recording(request, CallSid, Sid)))

    def _op_UpdateCallRecording(
        self, request: Request, AccountSid: str, CallSid: str, Sid: str
    ) -> Response:
        recording = self._call_recording(request, CallSid, Sid)
        recording.status = request.form["Status"]
        recording.date_updated = self.clock()
        return json_response(self._call_recording_json(recording))


def _created_matches(created: datetime, args: MultiDict[str, str]) -> bool:
    """Twilio's DateCreated filters, compared by UTC calendar date and inclusive.

    Twilio documents these filters as dates, so the fake compares dates only: a recording
    created later on the day named by ``DateCreated<`` is still listed. Callers must check
    ``date_created`` themselves before acting on a precise cut-off.
    """
    day = created.astimezone(UTC).date()

    def as_day(raw: str) -> date:
        value = parse_filter_value(raw)
        return value.astimezone(UTC).date() if isinstance(value, datetime) else value

    checks = {
        "DateCreated": lambda d: day == d,
        "DateCreated<": lambda d: day <= d,
        "DateCreated>": lambda d: day >= d,
    }
    return all(test(as_day(args[name])) for name, test in checks.items() if name in args)
