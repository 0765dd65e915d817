"""The in-process worker of `make run` (no REDIS_URL): jobs, and their retries, run there."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from rq import Retry
from rq.job import Job, JobStatus

from app.integrations.queue import get_queue, redis_connection, start_embedded_worker
from config.settings import load_settings

WAIT_SECONDS = 15


def fails_the_first_time(marker: str) -> str:
    """A job that raises on its first run and succeeds on the next (it leaves `marker`)."""
    path = Path(marker)
    if not path.exists():
        path.write_text("failed once")
        raise RuntimeError("the first attempt fails")
    return "succeeded on retry"


def status_within(job: Job, seconds: float, wanted: JobStatus) -> JobStatus:
    """The job's status once it is `wanted`, or when `seconds` have passed."""
    deadline = time.monotonic() + seconds
    while (status := job.get_status()) != wanted and time.monotonic() < deadline:
        time.sleep(0.1)
    return status


def test_a_job_that_fails_once_runs_again_after_its_retry_interval(tmp_path):
    settings = load_settings({"APP_ENV": "test", "INSTANCE_DIR": str(tmp_path / "instance")})
    assert settings.embedded_queue
    redis_connection(settings).flushall()  # the fake server is shared by the whole process
    stop = threading.Event()
    worker = start_embedded_worker(settings, schedule=None, stop=stop)
    try:
        marker = str(tmp_path / "attempted")
        job = get_queue(settings).enqueue(
            fails_the_first_time, marker, retry=Retry(max=1, interval=1)
        )
        assert status_within(job, WAIT_SECONDS, JobStatus.FINISHED) == JobStatus.FINISHED
        assert job.return_value() == "succeeded on retry"
    finally:
        stop.set()
        worker.join(WAIT_SECONDS)
    assert not worker.is_alive()
