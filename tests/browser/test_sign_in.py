"""Signing in to the console in Chromium (SPEC §14, §16): TOTP set-up and codes, sign-out,
/console/staff, single sign-on against a real OpenID Connect provider, axe on every page.

Set SCREENSHOTS_DIR to keep a screenshot of each page checked.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import Page, expect

from tests.console.sign_in_support import PASSWORD, SECRET, add_member
from tests.fixtures.browser import assert_accessible


@pytest.fixture
def settings(settings, oidc_provider):  # noqa: ANN001, ANN201
    """Single sign-on configured against the test provider."""
    return replace(
        settings,
        oidc_issuer=oidc_provider.issuer,
        oidc_client_id=oidc_provider.client_id,
        oidc_client_secret=oidc_provider.client_secret,
    )


@pytest.fixture
def console(app, live_app: str) -> str:  # noqa: ANN001
    """The live app's console URL (`app` empties the tables afterwards)."""
    return f"{live_app}/console"


def checked(page: Page, name: str) -> None:
    """axe finds no serious or critical violation (and a screenshot is kept, if asked)."""
    assert_accessible(page, name=name)


def enter_password(page: Page, console: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{console}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()


def test_a_supervisor_sets_up_totp_signs_out_and_signs_in_with_a_code(page, console, clock):
    add_member("sue@sthelens.gov.uk", "supervisor")
    page.goto(f"{console}/login")
    checked(page, "sign-in")
    enter_password(page, console, "sue@sthelens.gov.uk")
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    checked(page, "set-up-two-factor")
    secret = page.locator("#setup-key").inner_text().strip()
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(clock["now"]))
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(
        page.get_by_text("sue@sthelens.gov.uk (supervisor)").or_(
            page.get_by_text("Sue (supervisor)")
        )
    ).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()

    clock["now"] += timedelta(seconds=30)  # the next code
    enter_password(page, console, "sue@sthelens.gov.uk")
    expect(
        page.get_by_role("heading", name="Enter the code from your authenticator app")
    ).to_be_visible()
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The code is not right")
    checked(page, "two-factor-error")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(clock["now"]))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_an_admin_creates_a_member_of_staff(page, console, clock):
    add_member("ada@sthelens.gov.uk", "admin", enrolled=True)
    enter_password(page, console, "ada@sthelens.gov.uk")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(SECRET).at(clock["now"]))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Staff", exact=True)).to_be_visible()
    checked(page, "staff-list")

    page.get_by_role("button", name="Add a member of staff").click()
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter a name")
    checked(page, "staff-new-errors")
    page.get_by_label("Full name").fill("Nia Jones")
    page.get_by_label("Email address").fill("nia@sthelens.gov.uk")
    page.get_by_label("Role").select_option("advisor")
    page.get_by_role("group", name="Services they answer").get_by_role("checkbox").first.check()
    page.get_by_label("Welsh (Cymraeg)").check()
    page.get_by_label("Endpoint").fill("client:nia")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Temporary password for Nia Jones")).to_be_visible()
    checked(page, "staff-password")
    password = page.locator("#temporary-password").inner_text().strip()
    assert len(password) >= 12
    nia = page.context.browser.new_page()  # Nia, at her own desk, with the temporary password
    enter_password(nia, console, "nia@sthelens.gov.uk", password)
    expect(nia.get_by_role("heading", name="Choose your own password")).to_be_visible()
    nia.get_by_label("Current password").fill(password)
    nia.get_by_label("New password", exact=True).fill("four quiet herons")
    nia.get_by_label("New password again").fill("four quiet herons!")
    nia.get_by_role("button", name="Save and continue").click()
    expect(nia.locator("#confirm-error")).to_contain_text("The passwords do not match")
    checked(nia, "staff-choose-password")
    nia.get_by_label("Current password").fill(password)
    nia.get_by_label("New password", exact=True).fill("four quiet herons")
    nia.get_by_label("New password again").fill("four quiet herons")
    nia.get_by_role("button", name="Save and continue").click()
    expect(nia.get_by_text("Your password has been changed.")).to_be_visible()
    nia.get_by_role("link", name="Your account").click()
    checked(nia, "staff-account")
    nia.get_by_role("link", name="Set up an authenticator app").click()
    expect(nia.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    checked(nia, "staff-account-codes")
    nia.close()

    page.get_by_role("link", name="Back to staff").click()
    page.get_by_role("link", name="Nia Jones").click()
    expect(page.get_by_label("Endpoint")).to_have_value("client:nia")
    checked(page, "staff-edit")
    page.get_by_role("button", name="Deactivate").click()
    checked(page, "staff-deactivate")
    page.get_by_role("button", name="Deactivate Nia Jones").click()
    expect(page.get_by_text("Nia Jones is deactivated")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Nia Jones"))).to_contain_text("Deactivated")


def test_single_sign_on_with_the_council_account(page, console, live_app, oidc_provider):
    oidc_provider.add_redirect_uri(f"{live_app}/console/sso/callback")
    add_member("rita@sthelens.gov.uk", "records_officer")
    login = oidc_provider.add_account("Rita@sthelens.gov.uk", name="Rita")
    page.goto(f"{console}/login")
    page.get_by_role("button", name="Sign in with your council account").click()
    oidc_provider.sign_in(page, login)
    page.wait_for_url(f"{console}/**")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # no code: the IdP did MFA


def test_single_sign_on_refuses_an_unknown_or_unverified_email(
    page, console, live_app, oidc_provider
):
    oidc_provider.add_redirect_uri(f"{live_app}/console/sso/callback")
    add_member("vic@sthelens.gov.uk", "advisor")
    login = oidc_provider.add_account(
        "vic@sthelens.gov.uk", email_verified=False, id="vic-unverified"
    )
    page.goto(f"{console}/sso")
    oidc_provider.sign_in(page, login)
    expect(page.get_by_role("heading", name="You cannot sign in with this account")).to_be_visible()
    expect(page.get_by_text("did not confirm its email address")).to_be_visible()
    checked(page, "sso-refused")


def test_the_sign_in_page_at_phone_width(phone_page, console):
    phone_page.goto(f"{console}/login")
    expect(
        phone_page.get_by_role("button", name="Sign in with your council account")
    ).to_be_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    checked(phone_page, "sign-in-phone")
