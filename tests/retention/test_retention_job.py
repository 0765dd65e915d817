"""The retention job deletes what is due, never early, never while held, and says what it did."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.domain import audit
from app.domain.holds import held_among_many_clause, place_hold, release_hold
from app.extensions import db
from app.models import AuditEntry, DeletionRecord, Recording, RecordingStatus
from tests.retention.factories import NUMBER, T0, add_call, add_recording
from tests.support.plans import query_plan
from tests.support.rows import count, one, rows
from workers.retention import retention_sweep, run_retention

SECOND = timedelta(seconds=1)


def stored_recording(store, delete_after=T0, **kwargs):  # noqa: ANN001, ANN201
    with db.transaction() as session:
        call = add_call(session, started_at=delete_after - timedelta(days=183))
        return add_recording(session, store, call, delete_after=delete_after, **kwargs)


def test_recording_is_deleted_at_delete_after_and_not_a_second_before(retention_runtime, store):
    recording = stored_recording(store)
    assert run_retention(now=T0 - SECOND)["recordings_deleted"] == 0
    assert store.exists(recording.storage_key)
    assert one(Recording).status == RecordingStatus.STORED
    assert run_retention(now=T0)["recordings_deleted"] == 1
    assert not store.exists(recording.storage_key)


def test_deletion_shreds_the_key_and_writes_one_record(retention_runtime, store):
    recording = stored_recording(store)
    run_retention(now=T0)
    row = one(Recording)
    assert (row.status, row.wrapped_key, row.deleted_at) == (RecordingStatus.DELETED, None, T0)
    record = one(DeletionRecord)
    assert (record.recording_sid, record.call_sid) == (recording.recording_sid, row.call_sid)
    assert (record.what, record.rule, record.deleted_at) == ("audio+key", "retention:6-months", T0)


def test_each_batch_is_audited_with_its_sids(retention_runtime, store):
    recordings = [stored_recording(store) for _ in range(5)]
    retention_sweep(retention_runtime, T0, batch_size=2)
    entries = rows(AuditEntry, AuditEntry.action == "retention.delete")
    # On PostgreSQL two batches are in flight at once: the last may commit before the second.
    assert sorted(e.details["count"] for e in entries) == [1, 2, 2]
    listed = {sid for e in entries for sid in e.details["recording_sids"]}
    assert listed == {r.recording_sid for r in recordings}
    with db.transaction() as session:
        assert audit.verify_chain(session).ok


def test_one_run_takes_every_batch_past_held_recordings_due_at_the_same_moment(
    retention_runtime, store
):
    """Each batch starts after the last one taken (due date, then id): held recordings among
    them are passed once and kept, and none of the others is left for the next run."""
    recordings = [stored_recording(store) for _ in range(9)]  # all due at T0
    held = {recordings[1].recording_sid, recordings[4].recording_sid, recordings[5].recording_sid}
    with db.transaction() as session:
        for recording in recordings:
            if recording.recording_sid in held:
                place_hold(
                    session, kind="complaint", reason="claim", reference="C-9",
                    recording_id=recording.id, actor="dpo@example.gov.uk",
                )  # fmt: skip
    summary = retention_sweep(retention_runtime, T0, batch_size=2)
    assert len(summary.deleted) == 6
    kept = {r.recording_sid for r in rows(Recording, Recording.status == RecordingStatus.STORED)}
    assert kept == held
    assert count(DeletionRecord) == 6


def test_a_second_run_deletes_nothing_more(retention_runtime, store):
    stored_recording(store)
    run_retention(now=T0)
    assert run_retention(now=T0 + timedelta(days=1))["recordings_deleted"] == 0
    assert count(DeletionRecord) == 1


def test_recordings_not_yet_due_stay(retention_runtime, store):
    later = stored_recording(store, delete_after=T0 + timedelta(hours=1))
    run_retention(now=T0)
    assert store.exists(later.storage_key)
    assert one(Recording).status == RecordingStatus.STORED


@pytest.mark.parametrize("target", ["recording", "call", "number"])
def test_held_recording_is_kept_then_deleted_after_release(retention_runtime, store, target):
    recording = stored_recording(store)
    with db.transaction() as session:
        ids = {"recording": {"recording_id": recording.id}, "call": {"call_id": recording.call_id}}
        hold = place_hold(
            session,
            kind="complaint",
            reason="complaint about the call",
            reference="CMP-1",
            actor="ro@sthelens.gov.uk",
            **ids.get(target, {"number": NUMBER}),
        )
    assert run_retention(now=T0 + timedelta(days=3))["recordings_deleted"] == 0
    assert store.exists(recording.storage_key)
    with db.transaction() as session:
        release_hold(session, hold.id, "ro@sthelens.gov.uk", now=T0 + timedelta(days=4))
    assert run_retention(now=T0 + timedelta(days=4, hours=1))["deleted_after_hold"] == 1
    assert not store.exists(recording.storage_key)
    assert one(DeletionRecord).rule == "retention:6-months:after-hold"


def test_a_number_hold_covers_calls_made_after_it(retention_runtime, store):
    with db.transaction() as session:
        place_hold(
            session,
            kind="access_request",
            reason="subject access request",
            reference="SAR-000001",
            number="07700 900123",
            actor="ro@sthelens.gov.uk",
        )
    recording = stored_recording(store)  # a later call from the same number
    run_retention(now=T0)
    assert store.exists(recording.storage_key)


def test_a_hold_released_before_the_due_date_uses_the_plain_rule(retention_runtime, store):
    recording = stored_recording(store)
    with db.transaction() as session:
        hold = place_hold(
            session,
            kind="investigation",
            reason="r",
            reference="INV-1",
            recording_id=recording.id,
            actor="ro@sthelens.gov.uk",
        )
        release_hold(session, hold.id, "ro@sthelens.gov.uk", now=T0 - timedelta(days=1))
    run_retention(now=T0)
    assert one(DeletionRecord).rule == "retention:6-months"


def test_other_holds_do_not_protect_unrelated_recordings(retention_runtime, store):
    held, free = stored_recording(store), stored_recording(store)
    with db.transaction() as session:
        place_hold(
            session,
            kind="complaint",
            reason="r",
            reference="C-1",
            call_id=held.call_id,
            actor="ro@sthelens.gov.uk",
        )
    run_retention(now=T0)
    assert store.exists(held.storage_key) and not store.exists(free.storage_key)


def test_twilio_copy_still_there_is_deleted_with_ours(retention_runtime, store, app_twilio):
    recording = stored_recording(store, twilio_deleted=False)
    app_twilio.add_recording(sid=recording.recording_sid, call_sid=recording.call_sid)
    run_retention(now=T0)
    assert recording.recording_sid in app_twilio.deleted_recordings
    assert one(Recording).twilio_deleted_at == T0


def test_twilio_copy_already_gone_counts_as_deleted(retention_runtime, store, app_twilio):
    stored_recording(store, twilio_deleted=False)
    assert run_retention(now=T0)["failures"] == 0
    assert one(Recording).twilio_deleted_at == T0


def test_twilio_failure_fails_the_job_and_the_next_run_retries(
    retention_runtime, store, app_twilio
):
    from workers.retention import RetentionIncomplete

    recording = stored_recording(store, twilio_deleted=False)
    app_twilio.add_recording(  # made when the recording was, not "today": any date passes
        sid=recording.recording_sid, call_sid=recording.call_sid, date_created=recording.started_at
    )
    app_twilio.fail_next("DELETE", r"/Recordings/RE", status=500)
    with pytest.raises(RetentionIncomplete):
        run_retention(now=T0)
    assert one(Recording).status == RecordingStatus.DELETED  # ours is gone regardless
    run_retention(now=T0 + timedelta(days=2))  # the Twilio sweep finds the copy and deletes it
    assert recording.recording_sid in app_twilio.deleted_recordings


def test_the_due_query_uses_an_index_on_the_due_date(retention_runtime, database_url):
    from workers.retention import due_recordings_query

    with db.transaction() as session:
        first = query_plan(session, due_recordings_query(T0, 1000))
        later = query_plan(session, due_recordings_query(T0, 1000, after=(T0, 7)))
    # An index on the due date of stored recordings: the partial one of migration 0012 on
    # PostgreSQL (0013 dropped the older one on status and due date there), the older one on
    # SQLite; from the start, and from where the last batch ended. The work follows what is
    # due, not the table.
    expected = "stored" if database_url.startswith("postgres") else "status"
    for described in (first, later):
        assert f"ix_recordings_{expected}_delete_after" in described, described


def test_recordings_without_a_call_are_found_by_their_own_index(retention_runtime):
    """Holds and the retention report look up recordings we have no call row for (by CallSid):
    an index of those only (0014), which the sweep's UPDATEs of all others never write."""
    with db.transaction() as session:
        described = query_plan(session, select(Recording.id).where(held_among_many_clause()))
    assert "ix_recordings_without_call_id" in described, described
