"""A Welsh council's board in Chromium: today's calls by language, accessible (SPEC §13, §14)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import add_staff_with_password, sign_in, twilio_webhook
from tests.fixtures.browser import assert_accessible
from tests.support.sids import numbered_sid as sid


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    """A Welsh line; supervisors sign in with a password alone here."""
    return replace(settings, languages=("cy", "en"), mfa_required_roles=("records_officer",))


def test_a_welsh_caller_shows_in_todays_figures_by_language(app, live_app, page: Page):
    add_staff_with_password("sue@x.gov.uk", "supervisor")
    sign_in(page, live_app, "sue@x.gov.uk")
    by_language = page.get_by_role("region", name="Today by language")
    expect(by_language.get_by_role("row", name="English")).to_contain_text("0")

    twilio_webhook(live_app, "/twilio/voice", CallSid=sid(9), From="+447700900123")
    twilio_webhook(live_app, "/twilio/language?attempt=1", CallSid=sid(9), Digits="1")
    twilio_webhook(live_app, "/twilio/menu/choice?attempt=1", CallSid=sid(9), Digits="3")
    welsh = by_language.get_by_role("row", name="Welsh (Cymraeg)")
    expect(welsh.get_by_role("cell")).to_have_text(["1", "0", "0"], timeout=5000)
    assert_accessible(page)
