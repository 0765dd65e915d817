"""Console sign-in (SPEC §16): password, TOTP, lockout, limits, sessions, sign-out."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest

from app.models import AuditEntry, Staff
from tests.conftest import IN_HOURS
from tests.console.sign_in_support import (
    PASSWORD,
    add_member,
    code_at,
    csrf_token,
    post_form,
    sign_in,
)
from tests.support.rows import count, one

AMY = "amy@sthelens.gov.uk"
SUE = "sue@sthelens.gov.uk"


def signed_in(client) -> bool:  # noqa: ANN001
    return client.get("/console/").status_code != 302 or not client.get(
        "/console/"
    ).location.startswith("/console/login")


def test_an_advisor_signs_in_with_a_password(client):
    add_member(AMY)
    reply = sign_in(client, AMY)
    assert reply.status_code == 302 and reply.location == "/console/"
    assert signed_in(client)
    assert one(AuditEntry, AuditEntry.action == "console.sign_in").details == {"method": "password"}


@pytest.mark.parametrize("path", ["/console/login", "/console/logout"])
def test_console_posts_without_a_csrf_token_are_refused(client, path):
    add_member(AMY)
    reply = client.post(path, data={"email": AMY, "password": PASSWORD})
    assert reply.status_code == 400
    assert "Traceback" not in reply.get_data(as_text=True)


def test_a_wrong_password_says_so_and_is_audited(client):
    add_member(AMY)
    reply = sign_in(client, AMY, "not the password")
    assert reply.status_code == 400
    assert "The email address or password is not right" in reply.get_data(as_text=True)
    assert one(AuditEntry, AuditEntry.action == "sign_in.failed").details["reason"] == (
        "wrong_password"
    )


def test_an_unknown_email_reads_the_same_and_is_audited(client):
    reply = sign_in(client, "nobody@sthelens.gov.uk")
    assert "The email address or password is not right" in reply.get_data(as_text=True)
    assert one(AuditEntry, AuditEntry.action == "sign_in.failed").subject_id == "unknown"


def test_ten_failures_lock_the_account_for_15_minutes(client, clock):
    add_member(AMY)
    for _ in range(10):
        assert sign_in(client, AMY, "wrong wrong wrong").status_code == 400
    assert count(AuditEntry, AuditEntry.action == "sign_in.locked") == 1
    assert sign_in(client, AMY).status_code == 400  # the right password, but locked
    clock["now"] = IN_HOURS + timedelta(minutes=15)
    assert sign_in(client, AMY).status_code == 302


def test_too_many_attempts_are_429_with_retry_after(make_app):
    app = make_app(sign_in_account_limit="3 per minute")
    client = app.test_client()
    token = csrf_token(client)
    replies = [
        client.post("/console/login", data={"csrf_token": token, "email": AMY, "password": "x"})
        for _ in range(4)
    ]
    assert [r.status_code for r in replies] == [400, 400, 400, 429]
    assert int(replies[-1].headers["Retry-After"]) > 0
    assert "Too many attempts" in replies[-1].get_data(as_text=True)


def test_a_supervisor_sets_up_the_app_on_first_sign_in(client, clock):
    add_member(SUE, "supervisor")
    reply = post_form(client, "/console/login", email=SUE, password=PASSWORD)
    assert reply.location == "/console/two-factor/set-up"
    assert client.get("/console/").location.startswith("/console/login")  # not yet signed in
    page = client.get("/console/two-factor/set-up").get_data(as_text=True)
    assert 'src="data:image/svg+xml;base64,' in page
    secret = one(Staff).totp_secret
    assert secret in page
    wrong = post_form(client, "/console/two-factor/set-up", code="000000")
    assert wrong.status_code == 400
    reply = post_form(client, "/console/two-factor/set-up", code=pyotp.TOTP(secret).at(IN_HOURS))
    assert reply.location == "/console/"
    assert one(Staff).totp_confirmed_at == IN_HOURS


def test_a_code_works_once_and_the_previous_window_is_accepted(client, clock):
    add_member(SUE, "supervisor", enrolled=True)
    assert sign_in(client, SUE, at=IN_HOURS).status_code == 302
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    reused = sign_in(client, SUE, at=IN_HOURS)
    assert reused.status_code == 400 and "used already" in reused.get_data(as_text=True)
    clock["now"] = IN_HOURS + timedelta(seconds=60)
    previous_window = clock["now"] - timedelta(seconds=30)
    reply = post_form(client, "/console/two-factor", code=code_at(previous_window))
    assert reply.status_code == 302


def test_an_old_code_is_refused(client, clock):
    add_member(SUE, "supervisor", enrolled=True)
    post_form(client, "/console/login", email=SUE, password=PASSWORD)
    old = code_at(IN_HOURS - timedelta(seconds=90))
    assert post_form(client, "/console/two-factor", code=old).status_code == 400


def test_wrong_codes_count_towards_lockout(client):
    add_member(SUE, "supervisor", enrolled=True)
    post_form(client, "/console/login", email=SUE, password=PASSWORD)
    for _ in range(10):
        assert post_form(client, "/console/two-factor", code="123456").status_code == 400
    assert one(Staff).locked_until == IN_HOURS + timedelta(minutes=15)
    assert post_form(client, "/console/two-factor", code=code_at(IN_HOURS)).status_code == 400


def test_the_code_step_needs_the_password_step(client):
    add_member(SUE, "supervisor", enrolled=True)
    assert client.get("/console/two-factor").location == "/console/login"


def test_a_session_ends_after_30_idle_minutes(client, clock):
    add_member(AMY)
    sign_in(client, AMY)
    clock["now"] = IN_HOURS + timedelta(minutes=29)
    assert signed_in(client)
    clock["now"] += timedelta(minutes=30)
    assert client.get("/console/").location.startswith("/console/login")


def test_a_session_ends_after_12_hours_however_busy(client, clock):
    add_member(AMY)
    sign_in(client, AMY)
    for _ in range(12 * 3 - 1):
        clock["now"] += timedelta(minutes=20)
        assert signed_in(client)
    clock["now"] += timedelta(minutes=20)
    assert client.get("/console/").location.startswith("/console/login")


def test_sign_out_ends_the_session_on_the_server(client):
    add_member(AMY)
    sign_in(client, AMY)
    cookie = client.get_cookie("contact_console").value
    client.post("/console/logout", data={"csrf_token": csrf_token(client, "/console/")})
    client.set_cookie("contact_console", cookie)  # the old cookie, replayed
    assert client.get("/console/").location.startswith("/console/login")
    assert count(AuditEntry, AuditEntry.action == "console.sign_out") == 1


def test_deactivation_ends_console_session_and_api_token_at_once(client, app, staff_headers):
    add_member(AMY)
    sign_in(client, AMY)
    token = client.post("/api/auth/token", json={"email": AMY, "password": PASSWORD}).json
    amy_id = one(Staff, Staff.email == AMY).id
    admin = staff_headers("admin")
    assert client.post(f"/api/staff/{amy_id}/deactivate", headers=admin).status_code == 200
    assert client.get("/console/").location.startswith("/console/login")
    api = client.get("/api/me", headers={"Authorization": f"Bearer {token['token']}"})
    assert api.status_code == 401
    assert sign_in(client, AMY).status_code == 400
