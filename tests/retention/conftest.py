"""Fixtures for retention: the jobs' runtime on the test database, a store, the fake Twilio."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from app.runtime import Runtime
from recordings.storage import Storage
from tests.fakes.twilio_api import FakeTwilio
from tests.support.runtime import job_runtime


@pytest.fixture
def store(local_storage: Storage) -> Storage:
    """The recording store; a module overrides this with `storage` to cover S3 too."""
    return local_storage


@pytest.fixture
def retention_runtime(app: Flask, app_twilio: FakeTwilio, store: Storage) -> Iterator[Runtime]:
    """What the retention job uses: the test database and Redis, `store`, and the fake Twilio."""
    with job_runtime(
        app,
        storage=store,
        twilio_base_url=app_twilio.base_url,
        share_with_app=False,
        flush_queue=True,
    ) as runtime:
        yield runtime
