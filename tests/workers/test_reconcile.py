"""The reconcile sweep: re-enqueues recordings stuck on the way (SPEC §6)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from app.extensions import db
from app.integrations.queue import get_queue
from app.models import Recording, utcnow
from tests.support.plans import query_plan
from tests.support.rows import one
from workers.ingest import (
    ingest_recording,
    reconcile_recordings,
    stuck_pending_query,
    undeleted_at_twilio_query,
)


def age(minutes: int) -> None:
    """Make every recording look last touched `minutes` ago (jobs read the runtime's clock)."""
    with db.transaction() as session:
        session.execute(update(Recording).values(updated_at=utcnow() - timedelta(minutes=minutes)))


def test_fresh_pending_recordings_are_left_alone(runtime, announce_recording):
    announce_recording()
    get_queue(runtime.settings).empty()
    assert reconcile_recordings() == {"pending": 0, "twilio_copies": 0}


def test_stale_pending_recording_is_enqueued_once(runtime, announce_recording):
    sid = announce_recording()
    queue = get_queue(runtime.settings)
    queue.empty()  # as if Redis lost the job
    age(11)
    assert reconcile_recordings() == {"pending": 1, "twilio_copies": 0}
    assert queue.job_ids == [f"ingest-{sid}"]
    assert reconcile_recordings() == {"pending": 0, "twilio_copies": 0}  # not again at once


def test_twilio_delete_that_failed_is_retried(runtime, app_twilio, announce_recording):
    sid = announce_recording()
    app_twilio.fail_next("DELETE", sid, status=503)
    assert ingest_recording(one(Recording).id) == "stored; Twilio copy kept for now"
    row = one(Recording)
    assert row.status == "stored" and row.twilio_deleted_at is None
    assert sid in app_twilio.recordings
    get_queue(runtime.settings).empty()
    age(11)
    assert reconcile_recordings() == {"pending": 0, "twilio_copies": 1}
    assert ingest_recording(row.id) == "stored"
    assert one(Recording).twilio_deleted_at is not None and sid in app_twilio.deleted_recordings


def test_lost_completed_callback_is_found_by_asking_twilio(runtime, app_twilio, announce_recording):
    sid = announce_recording(RecordingStatus="in-progress")
    assert one(Recording).twilio_status == "in-progress"
    age(60)
    assert reconcile_recordings() == {"pending": 0, "twilio_copies": 0}  # may still be recording
    age(7 * 60)
    assert reconcile_recordings() == {"pending": 1, "twilio_copies": 0}
    assert ingest_recording(one(Recording).id) == "stored"  # Twilio says it completed
    assert app_twilio.find_requests("GET", rf"Recordings/{sid}\.json$")


def test_the_reconcile_queries_use_the_index_of_recordings_to_reconcile(runtime, database_url):
    """PostgreSQL indexes only the rows the two queries can ask for (migration 0014): each
    query's condition implies that index's; SQLite keeps the whole (status, updated_at) one."""
    now = utcnow()
    with db.transaction() as session:
        plans = [
            query_plan(session, stuck_pending_query(now, now, 100)),
            query_plan(session, undeleted_at_twilio_query(now, 100)),
        ]
    expected = "to_reconcile" if database_url.startswith("postgres") else "status_updated_at"
    for described in plans:
        assert f"ix_recordings_{expected}" in described, described
