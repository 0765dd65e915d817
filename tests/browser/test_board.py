"""The supervisor's board in Chromium: a caller joining a queue shows within 5 s (SPEC §11)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    add_staff_with_password,
    fits_the_width,
    shot,
    sign_in,
    twilio_webhook,
)
from tests.fixtures.browser import assert_accessible
from tests.support.sids import numbered_sid as sid


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    """Supervisors sign in with a password alone here (the second factor is tested elsewhere)."""
    return replace(settings, mfa_required_roles=("records_officer", "admin"))


def test_a_caller_joining_the_queue_reaches_an_open_board(
    app, live_app, page: Page, phone_page: Page
):
    add_staff_with_password("sue@x.gov.uk", "supervisor")
    add_staff_with_password("amy@x.gov.uk", "advisor", skills=["careline"], status="wrap_up")
    sign_in(page, live_app, "sue@x.gov.uk")
    expect(page.get_by_role("heading", name="Board")).to_be_visible()
    careline = page.get_by_role("row", name="Careline and telecare")
    expect(careline).to_contain_text("–")
    assert_accessible(page)

    twilio_webhook(live_app, "/twilio/menu/choice?attempt=1", CallSid=sid(9), Digits="3")
    expect(careline.get_by_role("cell").first).to_have_text("1", timeout=5000)
    expect(page.locator("#figure-offered")).to_have_text("1")
    assert_accessible(page)
    shot(page, "board-1280")

    sign_in(phone_page, live_app, "sue@x.gov.uk")
    phone_careline = phone_page.get_by_role("row", name="Careline and telecare")
    expect(phone_careline.get_by_role("cell").first).to_have_text("1")
    assert fits_the_width(phone_page)
    assert_accessible(phone_page)
    shot(phone_page, "board-390")

    page.get_by_role("button", name="End wrap-up of Amy").click()
    expect(page.get_by_text("Wrap-up ended: the advisor is available for calls.")).to_be_visible()
