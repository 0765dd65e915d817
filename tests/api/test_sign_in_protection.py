"""POST/DELETE /api/auth/token and deactivation (SPEC §12, §16): lockout, limits, passwords."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.models import ApiToken, AuditEntry, Staff
from tests.conftest import IN_HOURS
from tests.console.sign_in_support import PASSWORD, add_member, code_at
from tests.support.rows import count, one, rows

AMY = "amy@sthelens.gov.uk"


def token_for(client, email: str = AMY, password: str = PASSWORD, **extra: str):  # noqa: ANN001, ANN201
    return client.post("/api/auth/token", json={"email": email, "password": password, **extra})


def test_ten_failures_lock_the_account_on_the_api_too(client, clock):
    add_member(AMY)
    for _ in range(10):
        assert token_for(client, password="wrong wrong wrong").status_code == 401
    locked = token_for(client)
    assert locked.status_code == 401 and locked.json["error"]["code"] == "invalid_credentials"
    assert count(AuditEntry, AuditEntry.action == "sign_in.locked") == 1
    clock["now"] = IN_HOURS + timedelta(minutes=15)
    assert token_for(client).status_code == 201


def test_too_many_attempts_are_429_with_retry_after(make_app):
    client = make_app(sign_in_address_limit="2 per minute").test_client()
    replies = [token_for(client, f"user{n}@sthelens.gov.uk") for n in range(3)]
    assert [r.status_code for r in replies] == [401, 401, 429]
    assert int(replies[-1].headers["Retry-After"]) > 0
    assert set(replies[-1].json["error"]) == {"code", "message"}


def test_an_enrolled_account_needs_its_code(client):
    add_member("sue@sthelens.gov.uk", "supervisor", enrolled=True)
    assert token_for(client, "sue@sthelens.gov.uk").status_code == 401
    reply = token_for(client, "sue@sthelens.gov.uk", code=code_at(IN_HOURS))
    assert reply.status_code == 201


@pytest.mark.parametrize("role", ["supervisor", "records_officer", "admin"])
def test_a_role_needing_a_code_gets_no_token_by_password_before_an_authenticator(client, role):
    add_member(AMY, role)  # no authenticator set up yet
    reply = token_for(client)
    assert reply.status_code == 403
    assert reply.json["error"]["code"] == "second_factor_not_set_up"
    assert "console" in reply.json["error"]["message"]
    assert count(ApiToken) == 0
    (entry,) = [e for e in rows(AuditEntry) if e.action == "sign_in.failed"]
    assert entry.details["reason"] == "second_factor_not_set_up"
    assert one(Staff).failed_sign_ins == 0  # the password was right: no step towards a lockout


def test_an_advisor_without_an_authenticator_signs_in_with_the_password(client):
    add_member(AMY)
    assert token_for(client).status_code == 201


def test_sign_out_revokes_the_token(client):
    add_member(AMY)
    headers = {"Authorization": f"Bearer {token_for(client).json['token']}"}
    assert client.delete("/api/auth/token", headers=headers).status_code == 204
    assert client.get("/api/me", headers=headers).status_code == 401
    assert client.delete("/api/auth/token", headers=headers).status_code == 401
    assert one(ApiToken).revoked_at == IN_HOURS


@pytest.mark.parametrize("role", ["supervisor", "records_officer", "admin", "advisor"])
def test_any_member_of_staff_can_be_deactivated(client, staff_headers, role):
    member = add_member(AMY, role, enrolled=True)
    token = token_for(client, code=code_at(IN_HOURS)).json["token"]
    reply = client.post(f"/api/staff/{member}/deactivate", headers=staff_headers("admin"))
    assert reply.status_code == 200 and reply.json["active"] is False
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert count(AuditEntry, AuditEntry.action == "staff.deactivate") == 1


def test_deactivation_is_for_good(client, staff_headers):
    member = add_member(AMY)
    admin = staff_headers("admin")
    client.post(f"/api/staff/{member}/deactivate", headers=admin)
    assert client.post(f"/api/staff/{member}/deactivate", headers=admin).status_code == 409
    reply = client.patch(f"/api/advisors/{member}", json={"active": True}, headers=admin)
    assert reply.status_code == 409
    assert one(Staff, Staff.id == member).active is False


def test_patching_an_advisor_inactive_ends_their_tokens(client, staff_headers):
    member = add_member(AMY)
    headers = {"Authorization": f"Bearer {token_for(client).json['token']}"}
    client.patch(f"/api/advisors/{member}", json={"active": False}, headers=staff_headers("admin"))
    assert client.get("/api/me", headers=headers).status_code == 401


def test_deactivation_needs_an_admin(client, staff_headers):
    member = add_member(AMY)
    reply = client.post(f"/api/staff/{member}/deactivate", headers=staff_headers("supervisor"))
    assert reply.status_code == 403


@pytest.mark.parametrize("password", ["x", "short pass1", "password1234", "Qwerty123456!"])
def test_weak_passwords_are_refused_by_the_api(client, staff_headers, password):
    body = {"email": "new@sthelens.gov.uk", "password": password}
    reply = client.post("/api/advisors", json=body, headers=staff_headers("admin"))
    assert reply.status_code == 422 and "assword" in reply.json["error"]["message"]


@pytest.mark.parametrize("password", ["x", "password1234"])
def test_weak_passwords_are_refused_by_the_cli(runner, password):
    result = runner.invoke(args=["staff", "create", AMY, "--role", "admin", "--password", password])
    assert result.exit_code != 0 and "--password" in result.output
    assert count(Staff) == 0


def test_the_cli_creates_and_deactivates(runner, client):
    args = ["staff", "create", AMY, "--role", "advisor", "--password", PASSWORD]
    assert runner.invoke(args=args).exit_code == 0
    token = token_for(client).json["token"]
    result = runner.invoke(args=["staff", "deactivate", AMY])
    assert result.exit_code == 0, result.output
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert runner.invoke(args=["staff", "deactivate", AMY]).exit_code != 0
