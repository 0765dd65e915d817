"""The job queue: real Redis when REDIS_URL is set, in-process fakeredis otherwise."""

from __future__ import annotations

import logging
import threading
from functools import cache
from typing import Any

from redis import Redis
from rq import Queue, SimpleWorker
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


def get_queue(settings: Settings, name: str = DEFAULT_QUEUE) -> Queue:
    """The named RQ queue."""
    return Queue(name, connection=redis_connection(settings))


def enqueue(settings: Settings, func: str, *args: Any, job_id: str | None = None) -> str | None:
    """Enqueue `func` by dotted name; returns the job id, or None when Redis is unreachable.

    A lost enqueue is never fatal: the reconcile job finds what was persisted but not queued.
    """
    from redis.exceptions import RedisError
    from rq import Retry

    try:
        job = get_queue(settings).enqueue(
            func, *args, job_id=job_id, retry=Retry(max=5, interval=[10, 30, 60, 300, 900])
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


def start_embedded_worker(settings: Settings) -> threading.Thread:
    """Run jobs and the periodic schedule in a daemon thread of this process (embedded mode)."""
    from rq.cron import CronScheduler

    connection = redis_connection(settings)
    worker = _ThreadWorker([get_queue(settings)], connection=connection)
    scheduler = CronScheduler(connection=connection)
    scheduler.load_config_from_file("workers.schedule")

    def loop() -> None:
        while True:
            scheduler.enqueue_jobs()
            worker.work(burst=True, max_idle_time=1, logging_level="WARNING")
            threading.Event().wait(1)

    thread = threading.Thread(target=loop, name="embedded-worker", daemon=True)
    thread.start()
    return thread
