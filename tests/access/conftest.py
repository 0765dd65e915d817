"""Fixtures for access requests: officers' tokens, the worker runtime, stored recordings."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from app.models import Role
from app.runtime import Runtime
from tests.support.runtime import job_runtime
from tests.support.staff import staff_headers


@pytest.fixture
def officer(app) -> dict[str, str]:  # noqa: ANN001
    """Authorization headers of a records officer."""
    return staff_headers(Role.RECORDS_OFFICER, "dpo@sthelens.gov.uk")


@pytest.fixture
def headers_for(app) -> Callable[[Role], dict[str, str]]:  # noqa: ANN001
    """Authorization headers for a new member of staff with `role`."""
    return lambda role: staff_headers(role, f"{role.value}@sthelens.gov.uk")


@pytest.fixture(params=["local", "s3"])
def runtime(request, app, settings) -> Iterator[Runtime]:  # noqa: ANN001
    """The worker runtime jobs use in this process, sharing the app's store and keys."""
    store = request.getfixturevalue("s3_storage") if request.param == "s3" else None
    with job_runtime(app, storage=store) as value:
        yield value


@pytest.fixture
def local_runtime(app, settings, app_twilio) -> Iterator[Runtime]:  # noqa: ANN001
    """The worker runtime on the app's local store only (for tests that need no S3).

    Twilio's REST API is the fake, for jobs that ingest or delete there.
    """
    with job_runtime(app, twilio_base_url=app_twilio.base_url) as value:
        yield value
