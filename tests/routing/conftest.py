"""Routing tests talk to the fake Twilio REST API with the app's own credentials."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from rq import SimpleWorker

from app.integrations.queue import get_queue, redis_connection
from tests.routing.support import CALLER, QUEUE_SID


@pytest.fixture
def settings(settings, app_twilio):  # noqa: ANN001, ANN201
    """The app's REST client points at the fake Twilio API; wrap-up lasts a minute."""
    return replace(settings, twilio_api_base_url=app_twilio.base_url, wrap_up_seconds=60)


@pytest.fixture
def in_queue(app_twilio) -> Callable[..., None]:  # noqa: ANN001
    """Put a call into Twilio's (fake) queue, as Twilio does after <Enqueue>."""
    if QUEUE_SID not in app_twilio.queues:
        app_twilio.add_queue("adult_social_care", sid=QUEUE_SID)

    def put(call_sid: str = CALLER) -> None:
        app_twilio.add_queue_member(QUEUE_SID, call_sid)

    return put


@pytest.fixture
def run_jobs(runtime) -> Callable[[], None]:  # noqa: ANN001
    """Run every queued job now, in this process, as the `rq worker` would."""

    def run() -> None:
        connection = redis_connection(runtime.settings)
        SimpleWorker([get_queue(runtime.settings)], connection=connection).work(burst=True)

    return run
