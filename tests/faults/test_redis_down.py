"""Redis stopped while calls arrive (SPEC §3, §6): callers keep their TwiML, recordings wait.

With the private redis-server stopped, a call goes voice → menu → queue wait and its recording's
`completed` callback arrives: every answer is valid TwiML (or the callback's 204), the call and
the pending recording are committed. Once Redis is back, the reconcile job enqueues the ingest
exactly once and a worker stores the recording: one object, one fetch, Twilio's copy deleted.
"""

from __future__ import annotations

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import SimpleWorker

from app.integrations.queue import get_queue, redis_connection
from app.models import Call, Recording
from tests.conftest import CALL_SID, pcm_wav
from tests.support.rows import one
from tests.support.twiml import parse, verbs
from workers.ingest import reconcile_recordings


def test_calls_keep_their_twiml_and_recordings_are_enqueued_once_redis_is_back(
    runtime, app_twilio, twilio_post, announce_recording, redis_stopped
):
    with pytest.raises(RedisConnectionError):
        redis_connection(runtime.settings).ping()
    steps = [
        ("/twilio/voice", {"From": "+447700900123", "To": "+441744676767"}),
        ("/twilio/menu?attempt=1", {}),
        ("/twilio/menu/choice?attempt=1", {"Digits": "1"}),
        (
            "/twilio/queue/wait",
            {"QueueTime": "5", "QueuePosition": "1", "QueueSid": "QU" + "1" * 32},
        ),
    ]
    for path, form in steps:
        reply = twilio_post(path, CallSid=CALL_SID, **form)
        assert reply.status_code == 200, (path, reply.get_data(as_text=True))
        assert verbs(parse(reply)), path  # well-formed TwiML with at least one verb
    audio = pcm_wav(2.0)
    sid = announce_recording(audio)  # asserts the callback's 204

    call, row = one(Call), one(Recording)
    assert call.service_code is not None and call.enqueued_at is not None
    assert (row.recording_sid, row.status, row.twilio_status) == (sid, "pending", "completed")
    assert row.call_id == call.id and row.ingest_attempts == 0

    redis_stopped.start()
    queue = get_queue(runtime.settings)
    assert queue.count == 0  # nothing reached the stopped Redis
    assert reconcile_recordings(stale_minutes=0) == {"pending": 1, "twilio_copies": 0}
    assert queue.job_ids == [f"ingest-{sid}"]
    assert reconcile_recordings() == {"pending": 0, "twilio_copies": 0}  # not again while queued
    assert queue.count == 1

    SimpleWorker([queue], connection=redis_connection(runtime.settings)).work(burst=True)
    row = one(Recording)
    assert (row.status, row.ingest_attempts, row.last_error) == ("stored", 0, None)
    with runtime.storage.open(row.storage_key) as stored:
        assert len(stored.read()) == row.size_bytes
    assert len(app_twilio.find_requests("GET", rf"{sid}\.wav$")) == 1
    assert (
        len(app_twilio.find_requests("DELETE", sid)) == 1 and sid in app_twilio.deleted_recordings
    )
    assert queue.count == 0 and reconcile_recordings(stale_minutes=0)["pending"] == 0
