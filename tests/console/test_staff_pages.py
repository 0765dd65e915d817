"""/console/staff (SPEC §14): admins only; create, change, deactivate, resets; all audited."""

from __future__ import annotations

import re

import pytest

from app.models import AuditEntry, Staff
from tests.console.sign_in_support import add_member, csrf_token, post_form, sign_in
from tests.support.rows import count, one

ADMIN = "ada@sthelens.gov.uk"
NEW = {
    "name": "Nia Jones",
    "email": "nia@sthelens.gov.uk",
    "role": "advisor",
    "skills": ["adult_social_care"],
    "languages": ["cy", "en"],
    "endpoint": "+44 1744 676700",
    "records_calls": "y",
}


@pytest.fixture
def admin(client):  # noqa: ANN001, ANN201
    add_member(ADMIN, "admin", enrolled=True)
    assert sign_in(client, ADMIN).status_code == 302
    return client


@pytest.mark.parametrize("role", ["advisor", "supervisor", "records_officer"])
def test_only_admins_open_the_staff_pages(client, role):
    add_member("someone@sthelens.gov.uk", role, enrolled=True)
    sign_in(client, "someone@sthelens.gov.uk")
    for path in ("/console/staff", "/console/staff/new", "/console/staff/1"):
        assert client.get(path).status_code == 403
    reply = client.post("/console/staff/1/reset-password", data={"csrf_token": csrf_token(client)})
    assert reply.status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get("/console/staff").location.startswith("/console/login?next=/console/staff")


def test_an_admin_creates_a_member_who_can_sign_in(admin, app):
    reply = post_form(admin, "/console/staff/new", **NEW)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200 and "Temporary password for Nia Jones" in page
    password = re.search(r'id="temporary-password">([^<]+)<', page).group(1)
    nia = one(Staff, Staff.email == "nia@sthelens.gov.uk")
    assert (nia.endpoint, nia.languages, nia.skills) == (
        "+441744676700",
        ["cy", "en"],
        ["adult_social_care"],
    )
    entry = one(AuditEntry, AuditEntry.action == "staff.create")
    assert entry.actor == ADMIN and "+441744676700" not in str(entry.details)
    other = app.test_client()
    assert sign_in(other, "nia@sthelens.gov.uk", password).location == "/console/"
    # The temporary password opens nothing but the page where Nia chooses her own.
    assert other.get("/console/").location == "/console/password?next=/console/"
    chosen = post_form(
        other,
        "/console/password?next=/console/",
        current=password,
        new="four quiet herons",
        confirm="four quiet herons",
    )
    assert chosen.status_code == 302 and chosen.location == "/console/"
    assert other.get("/console/").location == "/console/desk"
    assert not one(Staff, Staff.email == "nia@sthelens.gov.uk").password_must_change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"endpoint": "amy"}, "the endpoint must be client:NAME"),
        ({"skills": ["juggling"]}, "unknown service codes: juggling"),
        ({"languages": []}, "Choose English, Welsh or both"),
        ({"email": "not-an-email"}, "Enter an email address"),
        ({"email": ADMIN.upper()}, "already belongs to a member of staff"),
    ],
)
def test_invalid_profiles_are_shown_and_nothing_is_written(admin, change, message):
    reply = post_form(admin, "/console/staff/new", **{**NEW, **change})
    assert reply.status_code == 400 and message in reply.get_data(as_text=True)
    assert count(Staff) == 1


def test_an_admin_changes_a_role_and_it_is_audited(admin):
    amy = add_member("amy@sthelens.gov.uk")
    form = {**NEW, "email": "amy@sthelens.gov.uk", "role": "supervisor"}
    assert post_form(admin, f"/console/staff/{amy}", **form).location == "/console/staff"
    assert one(Staff, Staff.id == amy).role == "supervisor"
    assert one(AuditEntry, AuditEntry.action == "staff.update").details["role"] == "supervisor"


def test_deactivating_asks_first_then_signs_them_out(admin, app):
    amy = add_member("amy@sthelens.gov.uk")
    amys_browser = app.test_client()
    sign_in(amys_browser, "amy@sthelens.gov.uk")
    page = admin.get(f"/console/staff/{amy}/deactivate").get_data(as_text=True)
    assert "cannot be used again" in page
    assert post_form(admin, f"/console/staff/{amy}/deactivate").location == "/console/staff"
    assert amys_browser.get("/console/").location.startswith("/console/login")
    assert one(AuditEntry, AuditEntry.action == "staff.deactivate").actor == ADMIN


def test_resetting_the_authenticator_means_setting_it_up_again(admin, app):
    sue = add_member("sue@sthelens.gov.uk", "supervisor", enrolled=True)
    token = csrf_token(admin, f"/console/staff/{sue}")
    admin.post(f"/console/staff/{sue}/reset-second-factor", data={"csrf_token": token})
    assert one(Staff, Staff.id == sue).totp_secret is None
    reply = sign_in(app.test_client(), "sue@sthelens.gov.uk")
    assert reply.location == "/console/two-factor/set-up"
    assert count(AuditEntry, AuditEntry.action == "staff.reset_second_factor") == 1


def test_a_password_reset_is_shown_once_and_the_old_one_stops_working(admin, app):
    amy = add_member("amy@sthelens.gov.uk")
    token = csrf_token(admin, f"/console/staff/{amy}")
    page = admin.post(f"/console/staff/{amy}/reset-password", data={"csrf_token": token})
    password = re.search(r'id="temporary-password">([^<]+)<', page.get_data(as_text=True))[1]
    other = app.test_client()
    assert sign_in(other, "amy@sthelens.gov.uk").status_code == 400
    assert sign_in(other, "amy@sthelens.gov.uk", password).status_code == 302
    assert count(AuditEntry, AuditEntry.action == "staff.reset_password") == 1
