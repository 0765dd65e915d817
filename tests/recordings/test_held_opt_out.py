"""Issue 19, item 1: an opt-out can never destroy held audio.

An opt-out is refused once the call has ended; the ingest job's discard path never deletes a
recording an active hold covers (`held_clause`). A held recording of an opted-out call is
stored like any other: the hold outranks the opt-out (SPEC §7).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.calls import find_call
from app.domain.holds import place_hold, release_hold
from app.extensions import db
from app.models import AuditEntry, Call, Recording
from tests.conftest import ACCOUNT_SID, CALL_SID, IN_HOURS, RECORDING_START
from tests.routing.support import add_staff, bearer
from tests.support.rows import one, rows
from tests.support.runtime import job_runtime
from workers.ingest import ingest_recording, reconcile_recordings


@pytest.fixture
def runtime(app, app_twilio, recording_store):  # noqa: ANN001, ANN201
    """The jobs read the app's clock here: these tests move time to let reconcile act."""
    with job_runtime(
        app,
        storage=recording_store,
        twilio_base_url=app_twilio.base_url,
        flush_queue=True,
        clock=lambda: app.config["CLOCK"](),
    ) as value:
        yield value


def callback(twilio_post, sid: str, status: str = "completed") -> None:  # noqa: ANN001
    """Twilio's recording-status callback for the call's recording."""
    reply = twilio_post(
        "/twilio/recording-status",
        RecordingSid=sid,
        RecordingStatus=status,
        RecordingStartTime=RECORDING_START,
        CallSid=CALL_SID,
        AccountSid=ACCOUNT_SID,
    )
    assert reply.status_code == 204


def hold_call(actor: str = "ro@x.gov.uk") -> int:
    with db.transaction() as session:
        call = find_call(session, CALL_SID)
        return place_hold(
            session, kind="complaint", reason="r", reference="C-1", call_id=call.id, actor=actor
        ).id


def test_opt_out_after_the_call_ended_is_refused_and_the_held_recording_is_stored(
    runtime, app_twilio, twilio_post, client
):
    sid = app_twilio.add_recording(call_sid=CALL_SID, status="in-progress")
    callback(twilio_post, sid, "in-progress")  # the recording is pending
    hold_call()
    twilio_post("/twilio/call-status", CallSid=CALL_SID, CallStatus="completed")
    supervisor = bearer(add_staff("sue@x.gov.uk", role="supervisor", skills=(), endpoint=None))
    reply = client.post(f"/api/calls/{CALL_SID}/opt-out", headers=supervisor)
    assert reply.status_code == 409 and reply.json["error"]["code"] == "conflict"
    assert not one(Call).recording_opted_out
    app_twilio.recordings[sid].status = "completed"
    callback(twilio_post, sid)
    assert ingest_recording(one(Recording).id) == "stored"
    assert runtime.storage.exists(one(Recording).storage_key)


def test_a_held_recording_of_an_opted_out_call_is_stored_not_discarded(
    runtime, app_twilio, twilio_post
):
    sid = app_twilio.add_recording(call_sid=CALL_SID)
    twilio_post("/twilio/notice", CallSid=CALL_SID, Digits="*")  # opted out while live
    hold_call()
    callback(twilio_post, sid)
    assert ingest_recording(one(Recording).id) == "stored"
    row = one(Recording)
    assert row.status == "stored" and runtime.storage.exists(row.storage_key)
    assert "recording.discard" not in [e.action for e in rows(AuditEntry)]


def discarded_but_at_twilio(app_twilio, twilio_post) -> str:  # noqa: ANN001
    """An opted-out recording discarded while Twilio failed to delete its copy."""
    sid = app_twilio.add_recording(call_sid=CALL_SID)
    twilio_post("/twilio/notice", CallSid=CALL_SID, Digits="*")
    callback(twilio_post, sid)
    app_twilio.fail_next("DELETE", sid, status=500)
    assert ingest_recording(one(Recording).id) == "discarded; Twilio copy kept for now"
    return sid


def test_a_hold_placed_after_the_discard_brings_the_audio_back_for_ingest(
    runtime, app_twilio, twilio_post, clock
):
    sid = discarded_but_at_twilio(app_twilio, twilio_post)
    hold = hold_call()
    clock["now"] = IN_HOURS + timedelta(hours=1)
    assert reconcile_recordings() == {"pending": 0, "twilio_copies": 1}
    assert ingest_recording(one(Recording).id) == "held after the discard: kept for ingest"
    assert sid in app_twilio.recordings and one(Recording).status == "pending"
    assert ingest_recording(one(Recording).id) == "stored"
    with db.transaction() as session:
        release_hold(session, hold, "ro@x.gov.uk")
    assert sid in app_twilio.deleted_recordings  # the stored copy is the one kept


def test_an_unheld_discard_deletes_twilio_copy_later_when_twilio_failed(
    runtime, app_twilio, twilio_post, clock
):
    sid = discarded_but_at_twilio(app_twilio, twilio_post)
    clock["now"] = IN_HOURS + timedelta(hours=1)
    reconcile_recordings()
    assert ingest_recording(one(Recording).id) == "discarded"
    assert sid in app_twilio.deleted_recordings and one(Recording).twilio_deleted_at is not None
