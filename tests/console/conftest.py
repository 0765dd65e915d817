"""A records officer signed in to the console at a fixed moment."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.models import Role
from tests.console.support import sign_in

NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)


@pytest.fixture
def officer(client, clock):  # noqa: ANN001, ANN201
    clock["now"] = NOW
    sign_in(client, Role.RECORDS_OFFICER, NOW, "dpo@sthelens.gov.uk")
    return client
