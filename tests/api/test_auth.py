"""Staff sign-in: argon2 passwords, tokens that expire and can be revoked, role checks."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from app.domain import staff as auth
from app.extensions import db
from app.models import ApiToken, Staff


@pytest.fixture
def advisor(runner):  # noqa: ANN201
    result = runner.invoke(
        args=[
            "staff",
            "create",
            "amy@sthelens.gov.uk",
            "--role",
            "advisor",
            "--skills",
            "adult_social_care,crisis_response",
            "--endpoint",
            "client:amy",
            "--password",
            "correct horse",
        ]
    )
    assert result.exit_code == 0, result.output
    return "amy@sthelens.gov.uk"


def token_for(client, email: str, password: str = "correct horse"):  # noqa: ANN201
    return client.post("/api/auth/token", json={"email": email, "password": password})


def test_password_is_stored_as_argon2(app, advisor):
    from tests.support.rows import one

    assert one(Staff).password_hash.startswith("$argon2")


def test_token_gives_access_to_me(client, advisor):
    reply = token_for(client, advisor)
    assert reply.status_code == 201
    me = client.get("/api/me", headers={"Authorization": f"Bearer {reply.json['token']}"})
    assert me.json["skills"] == ["adult_social_care", "crisis_response"]
    assert me.json["status"] == "offline"


@pytest.mark.parametrize(
    ("email", "password"),
    [("amy@sthelens.gov.uk", "wrong"), ("nobody@sthelens.gov.uk", "correct horse")],
)
def test_bad_credentials_are_401(client, advisor, email, password):
    reply = token_for(client, email, password)
    assert reply.status_code == 401 and reply.json["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize("body", [None, "text", {"email": "a"}, {"email": 1, "password": "x"}])
def test_malformed_sign_in_is_400_or_422(client, body):
    reply = (
        client.post("/api/auth/token", json=body)
        if body is not None
        else client.post("/api/auth/token", data="{not json")
    )
    assert reply.status_code in (400, 422)
    assert set(reply.json["error"]) == {"code", "message"}


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer not-a-token"])
def test_no_or_bad_token_is_401(client, header):
    headers = {"Authorization": header} if header else {}
    assert client.get("/api/me", headers=headers).status_code == 401


def test_expired_token_is_401(client, advisor, clock):
    token = token_for(client, advisor).json["token"]
    with db.transaction() as session:
        session.execute(update(ApiToken).values(expires_at=clock["now"] - timedelta(seconds=1)))
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_revoked_token_is_401(client, advisor):
    token = token_for(client, advisor).json["token"]
    with db.transaction() as session:
        assert auth.revoke_token(session, token)
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_cli_token_works(runner, client, advisor):
    token = runner.invoke(args=["staff", "token", advisor]).output.strip()
    assert client.get("/api/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_advisor_sets_own_status(client, advisor):
    headers = {"Authorization": f"Bearer {token_for(client, advisor).json['token']}"}
    reply = client.put("/api/me/status", json={"status": "available"}, headers=headers)
    assert reply.status_code == 200 and reply.json["status"] == "available"
    bad = client.put("/api/me/status", json={"status": "asleep"}, headers=headers)
    assert bad.status_code == 422


def test_services_are_listed(client, advisor):
    headers = {"Authorization": f"Bearer {token_for(client, advisor).json['token']}"}
    services = client.get("/api/services", headers=headers).json
    assert {
        "code": "crisis_response",
        "key": "4",
        "name": "urgent crisis response",
        "names": {"en": "urgent crisis response", "cy": "ymateb brys mewn argyfwng"},
        "priority": 1,
    } in services


@pytest.mark.parametrize(
    "args", [["--role", "wizard"], ["--role", "advisor", "--skills", "juggling"]]
)
def test_staff_create_rejects_bad_input(runner, args):
    result = runner.invoke(args=["staff", "create", "x@sthelens.gov.uk", *args])
    assert result.exit_code != 0


def test_staff_create_refuses_duplicates(runner, advisor):
    result = runner.invoke(args=["staff", "create", advisor.upper(), "--role", "advisor"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_staff_commands_find_emails_whatever_their_non_ascii_case(runner):
    assert (
        runner.invoke(
            args=["staff", "create", "ćma@sthelens.gov.uk", "--role", "advisor"]
        ).exit_code
        == 0
    )
    again = runner.invoke(args=["staff", "create", "ĆMA@sthelens.gov.uk", "--role", "advisor"])
    assert again.exit_code != 0 and "already exists" in again.output
    status = runner.invoke(args=["staff", "status", "ĆMA@sthelens.gov.uk", "available"])
    assert status.exit_code == 0, status.output
