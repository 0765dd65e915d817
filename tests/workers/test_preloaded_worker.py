"""The Procfile's worker class: forked jobs start warm and still do the whole job."""

from __future__ import annotations

import gc

from app.integrations.queue import get_queue, redis_connection
from app.models import Recording
from tests.support.rows import one
from workers.worker import PreloadedWorker


def test_a_forked_job_stores_the_recording(runtime, app_twilio, announce_recording):
    sid = announce_recording()
    queue = get_queue(runtime.settings)
    assert queue.count == 1
    gc.unfreeze()
    PreloadedWorker([queue], connection=redis_connection(runtime.settings)).work(burst=True)
    assert gc.get_freeze_count() > 0  # the warm modules and clients: out of the collector's walk
    assert one(Recording).status == "stored"
    assert app_twilio.find_requests("DELETE", sid)
