"""Fixtures for retention: the jobs' runtime on the test database, a store, the fake Twilio."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask import Flask

from app.queueing import redis_connection
from recordings.storage import Storage
from tests.fakes.twilio_api import FakeTwilio
from workers.runtime import Runtime, use_runtime


@pytest.fixture
def store(local_storage: Storage) -> Storage:
    """The recording store; a module overrides this with `storage` to cover S3 too."""
    return local_storage


@pytest.fixture
def retention_runtime(app: Flask, app_twilio: FakeTwilio, store: Storage) -> Iterator[Runtime]:
    """What the retention job uses: the test database and Redis, `store`, and the fake Twilio."""
    settings = replace(app.config["SETTINGS"], twilio_api_base_url=app_twilio.base_url)
    runtime = Runtime(settings)
    runtime.__dict__["storage"] = store
    redis_connection(settings).flushdb()
    use_runtime(runtime)
    yield runtime
    use_runtime(None)
    if "db" in runtime.__dict__:
        runtime.db.engine.dispose()  # type: ignore[union-attr]
