"""The advisors API and the Voice SDK token: roles, validation, audit."""

from __future__ import annotations

from dataclasses import replace

import jwt
import pytest

from app.models import AuditEntry, Staff
from tests.routing.support import add_staff, bearer
from tests.support.rows import one, rows

KEY_SECRET = "x" * 32  # a real API key secret is 32 characters
ADVISOR = {"email": "cat@x.gov.uk", "skills": ["careline"], "endpoint": "client:cat"}


@pytest.fixture
def admin(app):  # noqa: ANN001, ANN201
    return bearer(add_staff("admin@x.gov.uk", role="admin", skills=(), endpoint=None))


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("supervisor", 200), ("advisor", 403)]
)
def test_who_may_list_advisors(client, app, role, status):
    headers = bearer(add_staff("someone@x.gov.uk", role=role))
    assert client.get("/api/advisors", headers=headers).status_code == status


def test_create_advisor_is_audited(client, admin):
    reply = client.post("/api/advisors", json={**ADVISOR, "records_calls": False}, headers=admin)
    assert reply.status_code == 201
    assert (reply.json["role"], reply.json["records_calls"]) == ("advisor", False)
    (entry,) = rows(AuditEntry, AuditEntry.action == "staff.create")
    assert entry.actor == "admin@x.gov.uk" and entry.details["skills"] == ["careline"]


@pytest.mark.parametrize(
    "change",
    [
        {"skills": ["juggling"]},
        {"skills": "careline"},
        {"endpoint": "amy"},
        {"endpoint": "+44123"},
        {"records_calls": "yes"},
        {"email": "not-an-email"},
        {"email": "@"},
        {"colour": "blue"},
        {"name": "x" * 201},  # was cut to 200 characters
        {"name": " "},
        {"endpoint": "sip:@"},
        {"endpoint": "client:amy\n"},
    ],
)
def test_invalid_advisor_is_422(client, admin, change):
    reply = client.post("/api/advisors", json={**ADVISOR, **change}, headers=admin)
    assert reply.status_code == 422 and set(reply.json["error"]) == {"code", "message"}


def test_duplicate_email_is_409(client, admin):
    client.post("/api/advisors", json=ADVISOR, headers=admin)
    assert client.post("/api/advisors", json=ADVISOR, headers=admin).status_code == 409


def test_patch_advisor_normalises_and_audits(client, admin):
    amy = add_staff("amy@x.gov.uk")
    change = {"endpoint": "+44 1744 676700", "skills": ["careline", "crisis_response"]}
    reply = client.patch(f"/api/advisors/{amy}", json=change, headers=admin)
    assert reply.status_code == 200
    assert one(Staff, Staff.id == amy).endpoint == "+441744676700"
    (entry,) = rows(AuditEntry, AuditEntry.action == "staff.update")
    assert "+441744676700" not in str(entry.details)  # numbers masked in the audit log


def test_an_email_is_unique_whatever_its_letters(client, admin):
    body = {"email": "Ana@Ćity.gov.uk", "password": "correct horse"}
    assert client.post("/api/advisors", json=body, headers=admin).status_code == 201
    assert client.post("/api/advisors", json=body, headers=admin).status_code == 409  # was a 500
    assert client.post("/api/auth/token", json=body).status_code == 201


@pytest.mark.parametrize("path", ["/api/advisors/999", "/api/advisors/1"])
def test_unknown_advisor_is_404(client, admin, path):
    # id 1 is the admin: not an advisor
    assert client.patch(path, json={"name": "x"}, headers=admin).status_code == 404


@pytest.mark.parametrize("body", ["{not json", "[1]"])
def test_malformed_json_is_400(client, admin, body):
    headers = {**admin, "Content-Type": "application/json"}
    reply = client.post("/api/advisors", data=body, headers=headers)
    assert reply.status_code == 400 and "error" in reply.json


def test_advisor_cannot_create_advisors(client, app):
    headers = bearer(add_staff("amy@x.gov.uk"))
    assert client.post("/api/advisors", json=ADVISOR, headers=headers).status_code == 403


def test_voice_token_needs_configuration(client, app):
    reply = client.get("/api/voice-token", headers=bearer(add_staff("amy@x.gov.uk")))
    assert reply.status_code == 503
    assert "TWILIO_API_KEY_SID" in reply.json["error"]["message"]


@pytest.fixture
def voice_app(make_app):  # noqa: ANN001, ANN201
    return make_app(
        twilio_api_key_sid="SK" + "2" * 32,
        twilio_api_key_secret=KEY_SECRET,
        twilio_twiml_app_sid="AP" + "3" * 32,
    )


def test_voice_token_for_a_client_endpoint(voice_app, app):
    headers = bearer(add_staff("amy@x.gov.uk", endpoint="client:amy"))
    reply = voice_app.test_client().get("/api/voice-token", headers=headers)
    assert reply.status_code == 200 and reply.json["identity"] == "amy"
    claims = jwt.decode(reply.json["token"], KEY_SECRET, algorithms=["HS256"])
    assert claims["grants"]["identity"] == "amy"
    assert claims["grants"]["voice"]["incoming"] == {"allow": True}


def test_voice_token_refused_for_a_phone_endpoint(voice_app, app):
    headers = bearer(add_staff("amy@x.gov.uk", endpoint="+441744676700"))
    assert voice_app.test_client().get("/api/voice-token", headers=headers).status_code == 409


@pytest.mark.parametrize(
    ("endpoint", "status"),
    [
        ("sip:cat@pbx.sthelens.gov.uk", 201),
        ("+44 7400 123456", 201),
        ("sip:cat@pbx.example.com", 422),
        ("+44 909 879 0000", 422),
        ("+33 1 42 68 53 00", 422),
    ],
)
def test_endpoints_only_on_council_sip_domains_or_uk_numbers(app, client, admin, endpoint, status):
    settings = app.config["SETTINGS"]
    app.config["SETTINGS"] = replace(settings, sip_domains=("pbx.sthelens.gov.uk",))
    reply = client.post("/api/advisors", json={**ADVISOR, "endpoint": endpoint}, headers=admin)
    assert reply.status_code == status, reply.json
    if status == 422:
        assert "endpoint" in reply.json["error"]["message"]
        assert rows(AuditEntry, AuditEntry.action == "staff.create") == []
