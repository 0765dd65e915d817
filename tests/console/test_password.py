"""/console/password (SPEC §16): staff choose their own password; a temporary one opens nothing
else."""

from __future__ import annotations

import re

import pytest

from app.extensions import db
from app.models import AuditEntry, Staff
from tests.conftest import IN_HOURS
from tests.console.sign_in_support import PASSWORD, add_member, code_at, post_form, sign_in
from tests.support.rows import count, one, rows

AMY = "amy@sthelens.gov.uk"
NEW = "four quiet herons"


def _temporary(email: str) -> None:
    with db.transaction() as session:
        session.query(Staff).filter_by(email=email).one().password_must_change = True


def test_a_temporary_password_leads_to_the_password_page_first(client):
    add_member(AMY)
    _temporary(AMY)
    sign_in(client, AMY)
    for page in ("/console/desk", "/console/desk/live", "/console/"):
        assert client.get(page).location.startswith("/console/password?next="), page
    reply = client.get("/console/password")
    assert reply.status_code == 200 and "Choose your own password" in reply.get_data(as_text=True)


def test_changing_the_password_is_audited_and_the_new_one_signs_in(client, app):
    add_member(AMY)
    _temporary(AMY)
    sign_in(client, AMY)
    reply = post_form(client, "/console/password", current=PASSWORD, new=NEW, confirm=NEW)
    assert reply.status_code == 302 and reply.location == "/console/"
    assert client.get("/console/desk").status_code == 200
    (entry,) = rows(AuditEntry, AuditEntry.action == "staff.change_password")
    assert entry.actor == AMY and NEW not in str(entry.details)
    other = app.test_client()
    assert sign_in(other, AMY, PASSWORD).status_code == 400
    assert sign_in(other, AMY, NEW).status_code == 302


def test_changing_the_password_signs_out_everywhere_else(client, app):
    add_member(AMY)
    sign_in(client, AMY)
    elsewhere = app.test_client()
    sign_in(elsewhere, AMY)
    token = client.post("/api/auth/token", json={"email": AMY, "password": PASSWORD}).json["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert elsewhere.get("/console/desk").status_code == 200
    assert client.get("/api/me", headers=bearer).status_code == 200
    reply = post_form(client, "/console/password", current=PASSWORD, new=NEW, confirm=NEW)
    assert reply.status_code == 302
    assert client.get("/console/desk").status_code == 200  # the browser it was changed in
    assert elsewhere.get("/console/desk").location.startswith("/console/login")
    assert client.get("/api/me", headers=bearer).status_code == 401


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"current": "wrong wrong wrong", "new": NEW, "confirm": NEW}, "current", "not right"),
        ({"current": PASSWORD, "new": "short", "confirm": "short"}, "new", "at least 12"),
        ({"current": PASSWORD, "new": "password1234", "confirm": "password1234"}, "new", "common"),
        ({"current": PASSWORD, "new": PASSWORD, "confirm": PASSWORD}, "new", "different"),
        ({"current": PASSWORD, "new": NEW, "confirm": NEW + "!"}, "confirm", "do not match"),
        ({"current": PASSWORD, "new": "", "confirm": ""}, "new", "Enter a new password"),
    ],
)
def test_a_refused_change_says_why_next_to_the_field_and_changes_nothing(
    client, form, field, message
):
    add_member(AMY)
    _temporary(AMY)
    sign_in(client, AMY)
    reply = post_form(client, "/console/password", **form)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert f'id="{field}-error"' in page and message in page
    assert "govuk-error-summary" in page
    assert one(Staff).password_must_change
    assert count(AuditEntry, AuditEntry.action == "staff.change_password") == 0


def test_anyone_signed_in_may_change_theirs_from_their_account(client):
    add_member(AMY)
    sign_in(client, AMY)
    assert 'href="/console/account"' in client.get("/console/desk").get_data(as_text=True)
    account = client.get("/console/account").get_data(as_text=True)
    assert 'href="/console/password"' in account
    page = client.get("/console/password").get_data(as_text=True)
    assert "Change your password" in page


def test_an_advisor_chooses_to_sign_in_with_codes_too(client, app):
    add_member(AMY)
    sign_in(client, AMY)
    account = client.get("/console/account").get_data(as_text=True)
    assert "Not set up" in account and 'href="/console/account/two-factor"' in account
    page = client.get("/console/account/two-factor").get_data(as_text=True)
    secret = re.search(r'id="setup-key">([A-Z2-7]+)<', page)[1]
    wrong = post_form(client, "/console/account/two-factor", code="000000")
    assert wrong.status_code == 400 and "The code is not right" in wrong.get_data(as_text=True)
    done = post_form(client, "/console/account/two-factor", code=code_at(IN_HOURS, secret))
    assert done.location == "/console/account"
    assert "An authenticator app is set up" in client.get("/console/account").get_data(as_text=True)
    assert count(AuditEntry, AuditEntry.action == "staff.set_up_second_factor") == 1
    other = app.test_client()  # from now on the password alone is not enough
    assert post_form(other, "/console/login", email=AMY, password=PASSWORD).location.endswith(
        "/console/two-factor"
    )


def test_a_role_that_needs_codes_sets_them_up_at_sign_in_not_here(client):
    add_member("sue@sthelens.gov.uk", "supervisor", enrolled=True)
    sign_in(client, "sue@sthelens.gov.uk")
    account = client.get("/console/account").get_data(as_text=True)
    assert "An authenticator app is set up" in account
    assert client.get("/console/account/two-factor").location == "/console/account"


def test_no_api_token_for_a_temporary_password(client):
    add_member(AMY)
    _temporary(AMY)
    reply = client.post("/api/auth/token", json={"email": AMY, "password": PASSWORD})
    assert reply.status_code == 403
    assert reply.json["error"]["code"] == "password_change_required"
