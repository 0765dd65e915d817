"""An advisor's desk in Chromium: sign in, go available, take a routed call on the softphone,
stop the recording, transfer, watch the wrap-up count down (SPEC §14)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import CallLeg, Staff
from tests.browser.support import (
    add_staff_with_password,
    fits_the_width,
    shot,
    sign_in,
    stub_voice_sdk,
    twilio_webhook,
)
from tests.fixtures.browser import PHONE_VIEWPORT, assert_accessible
from tests.support.rows import one
from tests.support.sids import numbered_sid as sid

CALLER = sid(7)
VOICE_SDK = {
    "twilio_api_key_sid": "SK" + "1" * 32,
    "twilio_api_key_secret": "x" * 32,
    "twilio_twiml_app_sid": "AP" + "1" * 32,
}


@pytest.fixture
def voice_sdk() -> bool:
    """Whether the Voice SDK's credentials are set (a test parametrizes it to False)."""
    return True


@pytest.fixture
def settings(settings, app_twilio, voice_sdk):  # noqa: ANN001, ANN201
    """Twilio's REST API at the fake; the Voice SDK's credentials when `voice_sdk`."""
    changes = {"twilio_api_base_url": app_twilio.base_url, "wrap_up_seconds": 60}
    if voice_sdk:
        changes.update(VOICE_SDK)
    return replace(settings, **changes)


def advisor(email: str = "amy@x.gov.uk", endpoint: str = "client:amy") -> int:
    return add_staff_with_password(
        email, "advisor", skills=["adult_social_care"], endpoint=endpoint, status="offline"
    )


def status_of(staff_id: int) -> str:
    return one(Staff, Staff.id == staff_id).status


def test_an_advisor_takes_a_call_stops_the_recording_and_transfers(
    app, live_app, page: Page, app_twilio, clock
):
    amy, bob = advisor(), advisor("bob@x.gov.uk", "client:bob")
    stub_voice_sdk(page)
    sign_in(page, live_app, "amy@x.gov.uk")
    expect(page.get_by_role("heading", name="Your desk")).to_be_visible()
    expect(page.get_by_text("The softphone is ready for calls.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Go available").click()
    expect(page.get_by_text("You are available for calls.")).to_be_visible()
    assert status_of(amy) == "available"

    # The caller chooses adult social care; amy is free, so Twilio is told to dial her at once.
    twilio_webhook(
        live_app, "/twilio/menu/choice?attempt=1", CallSid=CALLER, From="+447700900123", Digits="1"
    )
    recording = app_twilio.add_recording(call_sid=CALLER, status="in-progress")
    expect(page.get_by_role("heading", name="A call is coming to you")).to_be_visible(timeout=5000)
    page.evaluate("window.ringSoftphone()")
    page.get_by_role("button", name="Accept").click()
    assert page.evaluate("window.softphone.accepted")
    leg = one(CallLeg).id
    twilio_webhook(
        live_app, f"/twilio/connect/answered?leg={leg}", CallSid=sid(70), ParentCallSid=CALLER
    )
    expect(page.get_by_role("heading", name="Your call")).to_be_visible(timeout=5000)
    expect(page.get_by_text("+44 7700 9•••23")).to_be_visible()
    expect(page.get_by_text("Recorded", exact=True)).to_be_visible()
    assert_accessible(page)
    shot(page, "desk-on-call-1280")

    page.get_by_role("button", name="Caller does not want to be recorded").click()
    expect(page.get_by_text("Recording stopped.")).to_be_visible()
    assert app_twilio.recordings[recording].status == "stopped"
    expect(
        page.get_by_text("Not recorded: the caller does not want to be recorded")
    ).to_be_visible()

    with db.transaction() as session:
        session.get(Staff, bob).status = "available"
    expect(page.get_by_label("Transfer to an advisor")).to_be_enabled(timeout=5000)
    page.get_by_label("Transfer to an advisor").select_option(label="Bob")
    page.get_by_role("button", name="Transfer to advisor").click()
    expect(page.get_by_text("Transferred.")).to_be_visible()
    assert (status_of(amy), status_of(bob)) == ("wrap_up", "busy")
    assert page.evaluate("window.softphone.accepted")  # the page never reloaded

    countdown = page.locator("[data-until]")
    expect(countdown).to_have_text(re.compile(r"^(1:00|0:5\d)$"))
    clock["now"] += timedelta(seconds=15)  # the page follows the app's clock, not its own
    expect(countdown).to_have_text(re.compile(r"^0:4[0-5]$"), timeout=5000)
    assert_accessible(page)
    shot(page, "desk-wrap-up-1280")
    page.set_viewport_size(PHONE_VIEWPORT)
    assert fits_the_width(page)
    shot(page, "desk-wrap-up-390")
    page.get_by_role("button", name="End wrap-up now").click()
    expect(page.get_by_text("Wrap-up ended: you are available.")).to_be_visible()
    assert status_of(amy) == "available"


@pytest.mark.parametrize("voice_sdk", [False])
def test_without_credentials_the_softphone_says_why_and_status_still_works(
    app, live_app, phone_page: Page
):
    amy = advisor()
    stub_voice_sdk(phone_page)
    sign_in(phone_page, live_app, "amy@x.gov.uk")
    warning = phone_page.get_by_text("The softphone is not connected: The Voice SDK needs")
    expect(warning).to_be_visible()
    phone_page.get_by_role("button", name="Go available").click()
    expect(phone_page.get_by_text("You are available for calls.")).to_be_visible()
    assert status_of(amy) == "available"
    assert fits_the_width(phone_page)
    assert_accessible(phone_page)
    shot(phone_page, "desk-no-softphone-390")


def test_a_phone_endpoint_has_the_desk_without_a_softphone(app, live_app, page: Page):
    advisor(endpoint="+447700900456")
    sign_in(page, live_app, "amy@x.gov.uk")
    expect(page.get_by_role("heading", name="Your status")).to_be_visible()
    expect(page.get_by_role("heading", name="Softphone")).to_have_count(0)
    assert_accessible(page)
