"""The job queue: real Redis when REDIS_URL is set, in-process fakeredis otherwise."""

from __future__ import annotations

import json
import logging
import threading
from functools import cache
from typing import Any

from redis import Redis
from rq import Queue, SimpleWorker
from rq.scheduler import RQScheduler
from rq.timeouts import TimerDeathPenalty

from config.settings import Settings

log = logging.getLogger(__name__)
DEFAULT_QUEUE = "default"


@cache
def _fake_server() -> Any:
    import fakeredis

    return fakeredis.FakeServer()


def redis_connection(settings: Settings) -> Redis:
    """A Redis connection for `settings` (one shared fake server in embedded mode)."""
    if settings.redis_url:
        return Redis.from_url(settings.redis_url, socket_timeout=5, socket_connect_timeout=2)
    import fakeredis

    return fakeredis.FakeRedis(server=_fake_server())


def keep_result(settings: Settings, key: str, result: dict[str, Any]) -> None:
    """Keep a job's result under `key` (the latest replaces the one before) for pages to show."""
    redis_connection(settings).set(key, json.dumps(result))


def kept_result(settings: Settings, key: str) -> dict[str, Any] | None:
    """The result last kept under `key`, if any."""
    raw = redis_connection(settings).get(key)
    return json.loads(raw) if raw else None


def get_queue(settings: Settings, name: str = DEFAULT_QUEUE) -> Queue:
    """The named RQ queue."""
    return Queue(name, connection=redis_connection(settings))


def enqueue(
    settings: Settings,
    func: str,
    *args: Any,
    job_id: str | None = None,
    at_front: bool = False,
) -> str | None:
    """Enqueue `func` by dotted name; returns the job id, or None when Redis is unreachable.

    `at_front`: for work a caller is waiting on, ahead of any backlog of recordings.
    A lost enqueue is never fatal: the reconcile job finds what was persisted but not queued.
    """
    from redis.exceptions import RedisError
    from rq import Retry

    try:
        job = get_queue(settings).enqueue(
            func,
            *args,
            job_id=job_id,
            at_front=at_front,
            retry=Retry(max=5, interval=[10, 30, 60, 300, 900]),
        )
    except RedisError as exc:
        log.warning("could not enqueue %s (%s): the reconcile job will pick it up", func, exc)
        return None
    return job.id


class _ThreadWorker(SimpleWorker):
    """A SimpleWorker that can run outside the main thread (no signals, timer-based timeouts)."""

    death_penalty_class = TimerDeathPenalty

    def _install_signal_handlers(self) -> None:
        return None


def start_embedded_worker(
    settings: Settings,
    *,
    schedule: str | None = "workers.schedule",
    stop: threading.Event | None = None,
) -> threading.Thread:
    """Run jobs and the periodic `schedule` in a daemon thread of this process (embedded mode).

    The thread runs until `stop` is set (never, by default: it dies with the process).
    """
    from rq.cron import CronScheduler

    connection, queue = redis_connection(settings), get_queue(settings)
    worker = _ThreadWorker([queue], connection=connection)
    cron = CronScheduler(connection=connection)
    if schedule is not None:
        cron.load_config_from_file(schedule)
    # Not `work(with_scheduler=True)`: its maintenance pass would fork a scheduler process,
    # which gets a copy of the in-process fakeredis and moves nothing in ours.
    scheduled = RQScheduler([queue], connection=connection, logging_level="WARNING")
    stopping = stop or threading.Event()

    def loop() -> None:
        while not stopping.is_set():
            cron.enqueue_jobs()
            _queue_due_scheduled_jobs(scheduled)
            worker.work(burst=True, max_idle_time=1, logging_level="WARNING")
            stopping.wait(1)

    thread = threading.Thread(target=loop, name="embedded-worker", daemon=True)
    thread.start()
    return thread


def _queue_due_scheduled_jobs(scheduler: RQScheduler) -> None:
    """Queue jobs whose time has come (`Retry` intervals, `enqueue_in`), as RQ's scheduler does."""
    if scheduler.acquire_locks():
        scheduler.enqueue_scheduled_jobs()
