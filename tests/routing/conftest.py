"""Routing tests talk to the fake Twilio REST API with the app's own credentials."""

from __future__ import annotations

from dataclasses import replace

import pytest


@pytest.fixture
def settings(settings, app_twilio):  # noqa: ANN001, ANN201
    """The app's REST client points at the fake Twilio API; wrap-up lasts a minute."""
    return replace(settings, twilio_api_base_url=app_twilio.base_url, wrap_up_seconds=60)
