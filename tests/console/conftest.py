"""Console tests: the app talks to the fake Twilio REST API; a caller on a call with amy."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from app.models import Role
from tests.console.workbench_support import sign_in as workbench_sign_in
from tests.routing.support import caller_on_call_with_amy
from tests.support.sids import numbered_sid as sid

CALLER = sid(1)
OFFICER_NOW = NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)  # the workbench tests sign in at NOW


@pytest.fixture
def settings(settings, app_twilio):  # noqa: ANN001, ANN201
    """The app's REST client points at the fake Twilio API; wrap-up lasts a minute."""
    return replace(settings, twilio_api_base_url=app_twilio.base_url, wrap_up_seconds=60)


@pytest.fixture
def on_call(twilio_post, app_twilio):  # noqa: ANN001, ANN201
    """Caller 1 (waited a minute) talking to amy, whose leg is recorded; returns amy's id."""
    return caller_on_call_with_amy(twilio_post, app_twilio)


@pytest.fixture
def officer(client, clock):  # noqa: ANN001, ANN201
    """A records officer signed in to the console at a fixed moment."""
    clock["now"] = OFFICER_NOW
    workbench_sign_in(client, Role.RECORDS_OFFICER, OFFICER_NOW, "dpo@sthelens.gov.uk")
    return client
