"""A citizen fills in the access-request form in Chromium, in English and Welsh (SPEC §15); a
download link that opens nothing says so in the request's language, or in both."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app.domain.access_requests import token_digest
from app.extensions import db
from app.integrations.queue import get_queue
from app.models import AccessPackage, AccessRequest, AccessRequestCall, Call, LegalHold
from app.public.text import catalogue
from tests.fixtures.browser import PHONE_VIEWPORT, assert_accessible
from tests.support.runtime import job_runtime
from workers.mail import send_request_confirmation

ALL_IMPACTS = ("minor", "moderate", "serious", "critical")
SHOTS = Path("/tmp/shots-public-form")
CALLER = "+441632960001"


@pytest.fixture
def settings(settings, smtp_server):  # noqa: ANN001, ANN201
    """The suite's settings, mailing the test SMTP server."""
    return replace(settings, smtp_url=smtp_server.url)


@pytest.fixture
def site(app, live_app) -> str:  # noqa: ANN001
    """The live app (`app`: its tables are emptied afterwards)."""
    return live_app


def count(model: type) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def checked(page: Page, shot: str | None = None) -> None:
    """No axe violation of any impact; a screenshot at 1280 and 390 px when named."""
    assert_accessible(page, impacts=ALL_IMPACTS)
    if shot:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.screenshot(path=SHOTS / f"{shot}-1280.png", full_page=True)
        page.set_viewport_size(PHONE_VIEWPORT)
        page.screenshot(path=SHOTS / f"{shot}-390.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def complete(
    page: Page,
    base: str,
    lang: str,
    name: str = "Pat Example",
    axe: bool = False,
    shots: bool = False,
) -> None:
    """Answer every question and reach 'check your answers'."""
    t = catalogue(lang)
    prefix = "/cy" if lang == "cy" else ""

    def step(shot: str, title: str | None = None) -> None:
        """On the page whose h1 is `title` (the click's navigation done), check and shoot."""
        if title:
            expect(page.get_by_role("heading", level=1)).to_have_text(t[title])
        if axe:
            checked(page, f"{lang}-{shot}" if shots else None)

    page.goto(f"{base}{prefix}/access-request")
    step("start", "start_title")
    page.get_by_role("button", name=t["start_button"]).click()
    page.get_by_label(t["name_title"]).fill(name)
    step("name", "name_title")
    page.get_by_role("button", name=t["continue"]).click()
    page.get_by_label(t["who_myself"]).check()
    step("who", "who_title")
    page.get_by_role("button", name=t["continue"]).click()
    page.get_by_label(t["phone_label"].format(n=1)).fill("01632 960001")
    step("phones", "phones_title")
    page.get_by_role("button", name=t["continue"]).click()
    step("when", "when_title")
    page.get_by_role("button", name=t["continue"]).click()
    page.get_by_label(t["reply_email"]).check()
    page.get_by_label(t["email_label"]).fill("pat@example.org")
    step("reply", "reply_title")
    page.get_by_role("button", name=t["continue"]).click()
    expect(page.get_by_label(t[f"language_{lang}"])).to_be_checked()
    step("language", "language_title")
    page.get_by_role("button", name=t["continue"]).click()
    step("note", "note_title")
    page.get_by_role("button", name=t["continue"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(t["check_title"])
    step("check")


def send(page: Page, lang: str) -> str:
    """Send from the check page; the reference shown."""
    page.get_by_role("button", name=catalogue(lang)["check_submit"]).click()
    expect(page.get_by_role("heading", name=catalogue(lang)["done_title"])).to_be_visible()
    return re.search(r"SAR-\d{6}", page.content()).group(0)


def held_request(reference: str) -> AccessRequest:
    with db.transaction() as session:
        (item,) = session.scalars(select(AccessRequest)).all()
        session.expunge(item)
    assert item.reference == reference and item.identity_pending and item.channel == "online"
    assert count(AccessRequestCall) == 1 and count(LegalHold) == 1
    return item


@pytest.fixture
def a_call(app) -> None:  # noqa: ANN001
    """The caller's earlier call, which the request must find and hold."""
    with db.transaction() as session:
        session.add(
            Call(
                call_sid="CA" + "b" * 32,
                from_number=CALLER,
                started_at=datetime(2026, 11, 2, 9, 30, tzinfo=UTC),
            )
        )


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_citizen_sends_a_request_and_gets_a_reference_and_an_email(
    site, a_call, page, smtp_server, app, lang
) -> None:
    complete(page, site, lang, axe=True, shots=True)
    assert page.locator("html").get_attribute("lang") == lang
    reference = send(page, lang)
    checked(page, f"{lang}-confirmation")
    item = held_request(reference)
    assert item.language == lang and item.phone_numbers == [CALLER]
    (job,) = get_queue(app.config["SETTINGS"]).get_jobs()
    with job_runtime(app):
        send_request_confirmation(*job.args)
    (message,) = smtp_server.wait_for(1)
    assert reference in message.get_content() and message["To"] == "pat@example.org"


def test_the_form_works_without_javascript(site, a_call, new_context) -> None:
    page = new_context(java_script_enabled=False).new_page()
    complete(page, site, "en")
    held_request(send(page, "en"))


def test_switching_to_welsh_keeps_the_answers(site, page) -> None:
    page.goto(f"{site}/access-request/name")
    page.get_by_label("What is your full name?").fill("Siân Ŵyn")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(catalogue("cy")["who_title"])
    page.get_by_role("link", name=catalogue("cy")["back"]).click()
    expect(page.get_by_label(catalogue("cy")["name_title"])).to_have_value("Siân Ŵyn")


def test_enter_in_a_phone_number_continues_rather_than_adding_a_field(site, page) -> None:
    t = catalogue("en")
    page.goto(f"{site}/access-request/phone-numbers")
    page.get_by_label(t["phone_label"].format(n=1)).fill("01632 960001")
    page.get_by_role("button", name=t["phone_add"]).click()
    page.get_by_label(t["phone_label"].format(n=2)).fill("07700 900123")
    checked(page, "en-phones-added")
    page.get_by_label(t["phone_label"].format(n=2)).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(t["when_title"])
    page.get_by_role("link", name=t["back"]).click()
    expect(page.get_by_label(t["phone_label"].format(n=2))).to_have_value("07700 900123")


def test_a_missing_phone_number_is_shown_and_nothing_is_written(site, page) -> None:
    page.goto(f"{site}/access-request/phone-numbers")
    page.get_by_role("button", name="Continue").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(
        summary.get_by_role("link", name="Enter a phone number you called us from")
    ).to_be_visible()
    expect(page.locator("#phone-1-error")).to_contain_text(
        "Enter a phone number you called us from"
    )
    checked(page, "en-error")
    assert count(AccessRequest) == 0


def test_the_sixth_submission_in_an_hour_gets_the_limit_page(site, page) -> None:
    for attempt in range(5):
        complete(page, site, "cy", name=f"Pat Example {attempt}")
        send(page, "cy")
    complete(page, site, "cy", name="Pat Example 6")
    page.get_by_role("button", name=catalogue("cy")["check_submit"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(catalogue("cy")["limit_title"])
    checked(page, "cy-rate-limit")
    assert count(AccessRequest) == 5


def withdrawn_link(language: str) -> str:
    """The token of a package made for a request in `language`, its link since withdrawn."""
    secret = "0" * 32 + ".a-withdrawn-link"
    request = AccessRequest(
        requester_name="Siân Ŵyn",
        requester_relationship="data_subject",
        received_on=date(2026, 11, 2),
        created_by="dpo@sthelens.gov.uk",
        language=language,
    )
    package = AccessPackage(
        storage_key="access-packages/withdrawn.enc",
        token_hash=token_digest(secret),
        revoked_at=datetime(2026, 11, 20, tzinfo=UTC),
    )
    with db.transaction() as session:
        session.add(request)
        session.flush()
        package.access_request_id = request.id
        session.add(package)
    return secret


def test_a_withdrawn_link_to_a_welsh_request_is_an_accessible_welsh_page(site, page) -> None:
    secret = withdrawn_link("cy")
    reply = page.goto(f"{site}/access/{secret}")
    assert reply is not None and reply.status == 410
    assert page.locator("html").get_attribute("lang") == "cy"
    expect(page.get_by_role("heading", level=1)).to_have_text(catalogue("cy")["link_revoked_title"])
    checked(page, "cy-link-withdrawn")


def test_an_unknown_link_is_an_accessible_page_in_english_then_welsh(site, page) -> None:
    reply = page.goto(f"{site}/access/not-a-real-token")
    assert reply is not None and reply.status == 404
    expect(page.locator('[lang="cy"]').get_by_role("heading")).to_have_text(
        catalogue("cy")["link_unknown_title"]
    )
    checked(page, "en-cy-link-unknown")
