"""The jobs' runtime in a test: the app's settings, a chosen store, Twilio at the fake."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime

from flask import Flask

from app.integrations.queue import redis_connection
from app.models import utcnow
from app.runtime import Runtime, use_runtime
from recordings.storage import Storage


@contextmanager
def job_runtime(
    app: Flask,
    *,
    storage: Storage | None = None,
    twilio_base_url: str | None = None,
    share_with_app: bool = True,
    flush_queue: bool = False,
    clock: Callable[[], datetime] = utcnow,
) -> Iterator[Runtime]:
    """A runtime the jobs of this process use (and the app too, unless told otherwise).

    Jobs read `clock` (the wall clock by default, like the rows' own timestamps; a test that
    moves time passes the app's clock or its own).
    """
    settings = app.config["SETTINGS"]
    if twilio_base_url:
        settings = replace(settings, twilio_api_base_url=twilio_base_url)
    runtime = Runtime(settings, storage=storage, clock=clock)
    if share_with_app:
        app.extensions["runtime"] = runtime
    if flush_queue:
        redis_connection(settings).flushdb()
    use_runtime(runtime)
    try:
        yield runtime
    finally:
        use_runtime(None)
        app.extensions.pop("runtime", None)
        runtime.close()
