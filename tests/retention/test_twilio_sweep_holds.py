"""Twilio's sweep keeps the six-month promise for recordings we never stored, and never deletes
what a legal hold covers (SPEC §7)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import update

from app.domain import access_requests, audit
from app.domain.holds import place_hold, release_hold
from app.extensions import db
from app.models import AuditEntry, Call, DeletionRecord, Recording, RecordingStatus
from app.models.access_requests import Relationship
from recordings.retention import delete_after
from tests.retention.factories import NUMBER, T0, add_call, add_recording
from tests.support.rows import count, one, rows
from tests.support.sids import new_sid
from workers.ingest import MAX_ATTEMPTS, ingest_recording, reconcile_recordings
from workers.retention import RetentionIncomplete, run_retention

DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)
OFFICER = "ro@sthelens.gov.uk"
LONG_AGO = T0 - 200 * DAY  # a call whose six months ended before T0


def unstored_recording(status: str, started_at: datetime, *, attempts: int = MAX_ATTEMPTS) -> str:
    """A recording we were told of but never stored (`delete_after` is set only on storing)."""
    with db.transaction() as session:
        call = add_call(session, started_at=started_at)
        recording = Recording(
            recording_sid=new_sid("RE"),
            call_id=call.id,
            call_sid=call.call_sid,
            status=status,
            twilio_status="completed" if status == RecordingStatus.PENDING else "failed",
            started_at=started_at,
            ingest_attempts=attempts,
            last_error="StorageRejected: 403 from the store" if attempts else None,
        )
        session.add(recording)
        session.flush()
        return recording.recording_sid


def listed_at_twilio(app_twilio, sid: str, **kw) -> str:  # noqa: ANN001, ANN003
    """Twilio still lists our recording `sid`."""
    call_sid = one(Recording, Recording.recording_sid == sid).call_sid
    return app_twilio.add_recording(sid=sid, call_sid=call_sid, **kw)


def hold(target: str, sid: str | None = None, call_sid: str | None = None) -> int:
    """Place a complaint hold on the recording `sid`, the call `call_sid`, or NUMBER."""
    with db.transaction() as session:
        if target == "recording":
            ids = {"recording_id": one(Recording, Recording.recording_sid == sid).id}
        elif target == "call":
            ids = {"call_id": one(Call, Call.call_sid == call_sid).id}
        else:
            ids = {"number": NUMBER}
        return place_hold(
            session,
            kind="complaint",
            reason="complaint about the call",
            reference="CMP-7",
            actor=OFFICER,
            **ids,
        ).id


# --- 1. recordings we know but never stored -----------------------------------------------


@pytest.mark.parametrize("status", [RecordingStatus.PENDING, RecordingStatus.FAILED])
def test_unstored_recording_past_retention_is_deleted_at_twilio(
    retention_runtime, app_twilio, status
):
    sid = unstored_recording(status, LONG_AGO)
    listed_at_twilio(app_twilio, sid, date_created=LONG_AGO)
    assert run_retention(now=T0)["twilio_copies_deleted"] == 1
    assert sid in app_twilio.deleted_recordings
    row = one(Recording)
    assert row.status == RecordingStatus.DELETED
    assert (row.deleted_at, row.twilio_deleted_at, row.wrapped_key) == (T0, T0, None)
    assert row.delete_after == delete_after(LONG_AGO)
    record = one(DeletionRecord)
    assert (record.recording_sid, record.call_sid) == (sid, row.call_sid)
    assert (record.what, record.rule, record.deleted_at) == (
        "twilio-copy",
        "retention:6-months",
        T0,
    )
    entry = one(AuditEntry, AuditEntry.action == "retention.twilio_delete")
    assert entry.details["recording_sids"] == [sid]
    marked = one(AuditEntry, AuditEntry.action == "retention.expire_never_stored")
    assert marked.details == {"count": 1, "recording_sids": [sid]}
    with db.transaction() as session:
        assert audit.verify_chain(session).ok


def test_unstored_recording_is_deleted_at_its_time_and_not_a_second_before(
    retention_runtime, app_twilio
):
    started = T0 - 190 * DAY
    due = delete_after(started)
    sid = unstored_recording(RecordingStatus.PENDING, started, attempts=3)
    listed_at_twilio(app_twilio, sid, date_created=started)
    run_retention(now=due - SECOND)
    assert app_twilio.deleted_recordings == {}  # still the only copy: ingest may yet store it
    assert one(Recording).status == RecordingStatus.PENDING
    run_retention(now=due)
    assert sid in app_twilio.deleted_recordings
    assert one(Recording).status == RecordingStatus.DELETED


def test_reconcile_does_not_take_up_a_recording_the_sweep_deleted(retention_runtime, app_twilio):
    sid = unstored_recording(RecordingStatus.PENDING, LONG_AGO, attempts=3)
    listed_at_twilio(app_twilio, sid, date_created=LONG_AGO)
    run_retention(now=T0)
    with db.transaction() as session:  # untouched for a long time, as reconcile looks for
        session.execute(update(Recording).values(updated_at=T0 - 30 * DAY))
    assert reconcile_recordings() == {"pending": 0, "twilio_copies": 0}
    assert run_retention(now=T0 + DAY)["twilio_copies_deleted"] == 0
    assert count(DeletionRecord) == 1


def test_a_failed_twilio_delete_is_retried_by_the_next_run(retention_runtime, app_twilio):
    sid = unstored_recording(RecordingStatus.PENDING, LONG_AGO)
    listed_at_twilio(app_twilio, sid, date_created=LONG_AGO)
    app_twilio.fail_next("DELETE", sid, status=503)
    with pytest.raises(RetentionIncomplete, match="1 failures"):
        run_retention(now=T0)
    assert one(Recording).status == RecordingStatus.DELETED  # never ingested now
    assert count(DeletionRecord) == 0
    run_retention(now=T0 + DAY)
    assert sid in app_twilio.deleted_recordings
    assert one(DeletionRecord).rule == "retention:6-months"
    assert one(Recording).twilio_deleted_at == T0 + DAY


@pytest.mark.parametrize("target", ["recording", "call", "number"])
@pytest.mark.parametrize("status", [RecordingStatus.PENDING, RecordingStatus.FAILED])
def test_held_unstored_recording_stays_at_twilio_until_released(
    retention_runtime, app_twilio, status, target
):
    sid = unstored_recording(status, LONG_AGO)
    listed_at_twilio(app_twilio, sid, date_created=LONG_AGO)
    hold_id = hold(target, sid, one(Recording).call_sid)
    run_retention(now=T0)
    assert app_twilio.deleted_recordings == {}
    assert one(Recording).status == status
    with db.transaction() as session:
        release_hold(session, hold_id, OFFICER, now=T0 + DAY)
    run_retention(now=T0 + 2 * DAY)
    assert sid in app_twilio.deleted_recordings
    assert one(Recording).status == RecordingStatus.DELETED
    assert one(DeletionRecord).rule == "retention:6-months"


def test_subject_access_request_keeps_a_pending_recordings_only_copy(retention_runtime, app_twilio):
    sid = unstored_recording(RecordingStatus.PENDING, LONG_AGO)
    listed_at_twilio(app_twilio, sid, date_created=LONG_AGO)
    with db.transaction() as session:
        request = access_requests.register(
            session,
            access_requests.NewAccessRequest(
                requester_name="A Caller",
                relationship=Relationship.DATA_SUBJECT,
                phone_numbers=[NUMBER],
                received_on=date(2027, 5, 30),
            ),
            actor=OFFICER,
            now=T0 - 2 * DAY,
        )
        assert len(access_requests.listed_recordings(session, request)) == 1
    run_retention(now=T0)
    assert app_twilio.deleted_recordings == {}
    assert one(Recording).status == RecordingStatus.PENDING


# --- 2. recordings we do not know, and known ones under a hold ----------------------------


def call_from_number(started_at: datetime = LONG_AGO, **fields: object) -> str:
    with db.transaction() as session:
        return add_call(session, started_at=started_at, **fields).call_sid


@pytest.mark.parametrize("target", ["call", "number"])
def test_unknown_recording_past_retention_of_a_held_call_is_ingested_not_deleted(
    retention_runtime, app_twilio, target
):
    call_sid = call_from_number()
    hold(target, call_sid=call_sid)
    sid = app_twilio.add_recording(call_sid=call_sid, date_created=LONG_AGO)
    result = run_retention(now=T0)
    assert (result["twilio_unknown_deleted"], result["ingest_enqueued"]) == (0, 1)
    assert app_twilio.deleted_recordings == {}
    assert count(DeletionRecord) == 0
    row = one(Recording)
    assert (row.recording_sid, row.status) == (sid, RecordingStatus.PENDING)
    # Ingested, it is kept (encrypted) under the hold, however old.
    assert ingest_recording(row.id) == "stored"
    assert sid in app_twilio.deleted_recordings  # Twilio's copy goes once ours is stored
    assert run_retention(now=T0 + DAY)["recordings_deleted"] == 0
    stored = one(Recording)
    assert stored.status == RecordingStatus.STORED
    assert retention_runtime.storage.exists(stored.storage_key)


def test_a_number_hold_covers_an_unknown_recording_of_a_later_call(retention_runtime, app_twilio):
    hold("number")
    call_sid = call_from_number()  # the call comes after the hold (its row is created later)
    app_twilio.add_recording(call_sid=call_sid, date_created=LONG_AGO)
    assert run_retention(now=T0)["ingest_enqueued"] == 1
    assert app_twilio.deleted_recordings == {}


def test_a_hold_on_another_number_does_not_keep_an_unknown_recording(retention_runtime, app_twilio):
    with db.transaction() as session:
        place_hold(
            session,
            kind="complaint",
            reason="r",
            reference="CMP-8",
            number="+447700900999",
            actor=OFFICER,
        )
    call_sid = call_from_number()
    sid = app_twilio.add_recording(call_sid=call_sid, date_created=LONG_AGO)
    assert run_retention(now=T0)["twilio_unknown_deleted"] == 1
    assert sid in app_twilio.deleted_recordings


def test_a_released_hold_does_not_keep_an_unknown_recording(retention_runtime, app_twilio):
    call_sid = call_from_number()
    hold_id = hold("call", call_sid=call_sid)
    with db.transaction() as session:
        release_hold(session, hold_id, OFFICER, now=T0 - DAY)
    sid = app_twilio.add_recording(call_sid=call_sid, date_created=LONG_AGO)
    assert run_retention(now=T0)["twilio_unknown_deleted"] == 1
    assert one(DeletionRecord).rule == "twilio:unknown-past-retention"
    assert sid in app_twilio.deleted_recordings


def test_unknown_recording_of_a_held_opted_out_call_is_left(retention_runtime, app_twilio):
    call_sid = call_from_number(recording_opted_out=True)
    hold("call", call_sid=call_sid)
    app_twilio.add_recording(call_sid=call_sid, date_created=LONG_AGO)
    result = run_retention(now=T0)
    assert (result["twilio_unknown_deleted"], result["ingest_enqueued"]) == (0, 0)
    assert app_twilio.deleted_recordings == {}  # ingest would discard it: left until released


def known(store, status: str, started_at: datetime = LONG_AGO, **kw) -> Recording:  # noqa: ANN001, ANN003
    with db.transaction() as session:
        call = add_call(session, started_at=started_at, **kw)
        return add_recording(
            session,
            store,
            call,
            delete_after=delete_after(started_at),
            status=status,
            twilio_deleted=False,
        )


@pytest.mark.parametrize("target", ["recording", "call", "number"])
def test_held_stored_recording_loses_only_twilios_copy(
    retention_runtime, store, app_twilio, target
):
    recording = known(store, RecordingStatus.STORED, T0 - 30 * DAY)
    hold(target, recording.recording_sid, recording.call_sid)
    listed_at_twilio(app_twilio, recording.recording_sid, date_created=T0 - 30 * DAY)
    assert run_retention(now=T0)["twilio_copies_deleted"] == 1
    assert recording.recording_sid in app_twilio.deleted_recordings
    row = one(Recording)
    assert (row.status, row.wrapped_key) == (RecordingStatus.STORED, b"wrapped-data-key")
    assert store.exists(recording.storage_key)
    assert one(DeletionRecord).rule == "twilio:copy-after-ingest"


def test_held_stored_recording_past_retention_is_kept_and_twilios_copy_deleted(
    retention_runtime, store, app_twilio
):
    recording = known(store, RecordingStatus.STORED)
    hold("number")
    listed_at_twilio(app_twilio, recording.recording_sid, date_created=LONG_AGO)
    result = run_retention(now=T0)
    assert (result["recordings_deleted"], result["twilio_copies_deleted"]) == (0, 1)
    assert store.exists(recording.storage_key)
    assert one(Recording).status == RecordingStatus.STORED


@pytest.mark.parametrize("status", [RecordingStatus.DISCARDED, RecordingStatus.DELETED])
def test_held_recording_whose_only_copy_is_twilios_is_left(
    retention_runtime, store, app_twilio, status
):
    opted_out = status == RecordingStatus.DISCARDED
    recording = known(store, status, recording_opted_out=opted_out)
    hold("call", call_sid=recording.call_sid)
    listed_at_twilio(app_twilio, recording.recording_sid, date_created=LONG_AGO)
    run_retention(now=T0)
    assert app_twilio.deleted_recordings == {}
    assert count(DeletionRecord) == 0
    assert [r.status for r in rows(Recording)] == [status]
