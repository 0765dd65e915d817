"""Twilio's leftover copies, recordings we never heard of, and six-year call metadata."""

from __future__ import annotations

from datetime import timedelta

from app.domain.holds import place_hold
from app.extensions import db
from app.integrations.queue import get_queue
from app.models import AuditEntry, Call, DeletionRecord, Recording, RecordingStatus
from tests.retention.factories import NUMBER, T0, add_call, add_recording
from tests.support.rows import count, one, rows
from workers.retention import run_retention

DAY = timedelta(days=1)


def known_recording(store, status, *, opted_out=False):  # noqa: ANN001, ANN201
    with db.transaction() as session:
        call = add_call(session, started_at=T0 - 3 * DAY, recording_opted_out=opted_out)
        return add_recording(
            session, store, call, delete_after=T0 + 100 * DAY, status=status, twilio_deleted=False
        )


def test_copies_of_recordings_we_stored_or_discarded_are_deleted(
    retention_runtime, store, app_twilio
):
    stored = known_recording(store, RecordingStatus.STORED)
    discarded = known_recording(store, RecordingStatus.DISCARDED, opted_out=True)
    for recording in (stored, discarded):
        app_twilio.add_recording(
            sid=recording.recording_sid, call_sid=recording.call_sid, date_created=T0 - 2 * DAY
        )
    result = run_retention(now=T0)
    assert result["twilio_copies_deleted"] == 2
    assert set(app_twilio.deleted_recordings) == {stored.recording_sid, discarded.recording_sid}
    rules = {r.recording_sid: r.rule for r in rows(DeletionRecord)}
    assert rules == {
        stored.recording_sid: "twilio:copy-after-ingest",
        discarded.recording_sid: "opt-out:discarded",
    }
    assert all(r.twilio_deleted_at == T0 for r in rows(Recording))
    assert one(Recording, Recording.recording_sid == stored.recording_sid).status == "stored"


def test_copies_less_than_a_day_old_are_left_even_on_the_filter_date(
    retention_runtime, store, app_twilio
):
    recording = known_recording(store, RecordingStatus.STORED)
    # Created 23 h before "now" but on the previous UTC date: Twilio's date filter lists it.
    app_twilio.add_recording(
        sid=recording.recording_sid,
        call_sid=recording.call_sid,
        date_created=T0 - timedelta(hours=23),
    )
    run_retention(now=T0)
    assert app_twilio.deleted_recordings == {}


def test_pending_recordings_are_left_to_ingest(retention_runtime, store, app_twilio):
    recording = known_recording(store, RecordingStatus.PENDING)
    app_twilio.add_recording(
        sid=recording.recording_sid, call_sid=recording.call_sid, date_created=T0 - 2 * DAY
    )
    run_retention(now=T0)
    assert app_twilio.deleted_recordings == {}


def test_unknown_recording_within_retention_is_ingested(retention_runtime, app_twilio):
    sid = app_twilio.add_recording(date_created=T0 - 10 * DAY)
    assert run_retention(now=T0)["ingest_enqueued"] == 1
    row = one(Recording)
    assert (row.recording_sid, row.status) == (sid, RecordingStatus.PENDING)
    assert row.delete_after > T0
    job = get_queue(retention_runtime.settings).fetch_job(f"ingest-{sid}")
    assert job.func_name == "workers.ingest.ingest_recording" and job.args == (row.id,)
    assert app_twilio.deleted_recordings == {}
    assert run_retention(now=T0)["ingest_enqueued"] == 0  # known now: not enqueued twice


def test_unknown_recording_past_retention_is_deleted_at_twilio(retention_runtime, app_twilio):
    sid = app_twilio.add_recording(date_created=T0 - 200 * DAY)
    assert run_retention(now=T0)["twilio_unknown_deleted"] == 1
    assert sid in app_twilio.deleted_recordings
    assert count(Recording) == 0
    assert one(DeletionRecord).rule == "twilio:unknown-past-retention"


def test_unknown_recording_of_an_opted_out_call_is_deleted(retention_runtime, app_twilio):
    with db.transaction() as session:
        call = add_call(session, started_at=T0 - 3 * DAY, recording_opted_out=True)
    sid = app_twilio.add_recording(call_sid=call.call_sid, date_created=T0 - 2 * DAY)
    run_retention(now=T0)
    assert sid in app_twilio.deleted_recordings
    assert one(DeletionRecord).rule == "opt-out:discarded"


def test_twilio_requests_match_twilios_openapi(retention_runtime, app_twilio):
    app_twilio.add_recording(date_created=T0 - 200 * DAY)
    run_retention(now=T0)
    listed = app_twilio.find_requests("GET", r"/Recordings\.json$")
    assert listed and "DateCreated<" in listed[0].query
    # The app_twilio fixture fails the test on any request the OpenAPI description rejects.


# --- call metadata ------------------------------------------------------------------------

SIX_YEARS_AGO = T0.replace(year=T0.year - 6)


def calls_from(number, *starts):  # noqa: ANN001, ANN002, ANN201
    with db.transaction() as session:
        return [add_call(session, number=number, started_at=s) for s in starts]


def test_callers_last_in_contact_over_six_years_ago_are_anonymised(retention_runtime):
    old = calls_from(NUMBER, SIX_YEARS_AGO - 400 * DAY, SIX_YEARS_AGO - timedelta(seconds=1))
    assert run_retention(now=T0)["calls_anonymised"] == 2
    for call in rows(Call):
        assert call.from_number is None
        assert call.outcome == "answered" and call.started_at is not None  # figures kept
    records = rows(DeletionRecord)
    assert {r.call_sid for r in records} == {c.call_sid for c in old}
    assert {r.rule for r in records} == {"metadata:6-years-after-last-contact"}
    entry = one(AuditEntry, AuditEntry.action == "retention.anonymise_calls")
    assert NUMBER not in str(entry.details)


def test_a_recent_call_keeps_the_callers_older_calls(retention_runtime):
    calls_from(NUMBER, SIX_YEARS_AGO - 400 * DAY, T0 - 30 * DAY)
    assert run_retention(now=T0)["calls_anonymised"] == 0
    assert {c.from_number for c in rows(Call)} == {NUMBER}


def test_not_a_second_early(retention_runtime):
    calls_from(NUMBER, SIX_YEARS_AGO)
    assert run_retention(now=T0 - timedelta(seconds=1))["calls_anonymised"] == 0
    assert run_retention(now=T0)["calls_anonymised"] == 1


def test_held_calls_are_skipped(retention_runtime):
    (call,) = calls_from(NUMBER, SIX_YEARS_AGO - DAY)
    with db.transaction() as session:
        place_hold(
            session,
            kind="investigation",
            reason="r",
            reference="INV-9",
            number=NUMBER,
            actor="ro@sthelens.gov.uk",
        )
    result = run_retention(now=T0)
    assert (result["calls_anonymised"], result["calls_skipped"]) == (0, 1)
    assert one(Call).from_number == NUMBER


def test_calls_with_a_recording_still_stored_are_skipped(retention_runtime, store):
    (call,) = calls_from(NUMBER, SIX_YEARS_AGO - DAY)
    with db.transaction() as session:
        add_recording(session, store, session.merge(call), delete_after=T0 + DAY)
    assert run_retention(now=T0)["calls_skipped"] == 1
    assert one(Call).from_number == NUMBER
