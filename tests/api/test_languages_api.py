"""Languages in the staff API and the CLI (SPEC §13): advisors, services, calls."""

from __future__ import annotations

import json

import pytest

from app.models import Staff
from config.services import load_services
from tests.routing.support import add_staff, bearer
from tests.support.rows import one
from tests.support.sids import numbered_sid as sid


@pytest.fixture
def admin(app):  # noqa: ANN001, ANN201
    return bearer(add_staff("admin@x.gov.uk", role="admin", skills=(), endpoint=None))


def test_advisor_created_with_languages_and_listed(client, admin):
    body = {"email": "bryn@x.gov.uk", "skills": ["careline"], "languages": ["cy", "en"]}
    assert client.post("/api/advisors", json=body, headers=admin).json["languages"] == ["cy", "en"]
    (listed,) = [a for a in client.get("/api/advisors", headers=admin).json if a["id"] > 1]
    assert listed["languages"] == ["cy", "en"]


def test_advisor_speaks_english_by_default(client, admin):
    reply = client.post("/api/advisors", json={"email": "amy@x.gov.uk"}, headers=admin)
    assert reply.json["languages"] == ["en"]


def test_patch_changes_languages(client, admin):
    amy = add_staff("amy@x.gov.uk")
    reply = client.patch(f"/api/advisors/{amy}", json={"languages": ["cy"]}, headers=admin)
    assert reply.status_code == 200 and one(Staff, Staff.id == amy).languages == ["cy"]


@pytest.mark.parametrize("languages", [["fr"], [], "cy", [1]])
def test_invalid_languages_are_refused(client, admin, languages):
    amy = add_staff("amy@x.gov.uk")
    reply = client.patch(f"/api/advisors/{amy}", json={"languages": languages}, headers=admin)
    assert reply.status_code == 422


def test_cli_creates_a_welsh_speaking_advisor(runner, app):
    args = ["staff", "create", "bryn@x.gov.uk", "--role", "advisor", "--languages", "cy,en"]
    assert runner.invoke(args=args).exit_code == 0
    assert one(Staff).languages == ["cy", "en"]


def test_cli_refuses_an_unknown_language(runner, app):
    args = ["staff", "create", "bryn@x.gov.uk", "--role", "advisor", "--languages", "fr"]
    result = runner.invoke(args=args)
    assert result.exit_code != 0 and "unknown languages: fr" in result.output


def test_services_list_their_names_per_language(client, app):
    headers = bearer(add_staff("amy@x.gov.uk"))
    services = {s["code"]: s for s in client.get("/api/services", headers=headers).json}
    assert services["children_families"]["names"] == {
        "en": "children and families",
        "cy": "plant a theuluoedd",
    }


def test_services_file_takes_names_per_language(tmp_path):
    path = tmp_path / "services.json"
    row = {"code": "general_advice", "key": "0", "priority": 4}
    path.write_text(json.dumps([{**row, "names": {"en": "advice", "cy": "cyngor"}}]))
    (service,) = load_services(path)
    assert (service.name, service.name_in("cy"), service.name_in("en")) == (
        "advice",
        "cyngor",
        "advice",
    )


def test_calls_api_shows_the_callers_language(client, app, twilio_post):
    twilio_post("/twilio/voice", CallSid=sid(1), From="+447700900123")
    headers = bearer(add_staff("sue@x.gov.uk", role="supervisor"))
    (call,) = client.get("/api/calls", headers=headers).json
    assert (call["language"], call["any_language_since"]) == ("en", None)


@pytest.mark.parametrize(("sent", "stored"), [({}, "en"), ({"language": "cy"}, "cy")])
def test_access_request_records_the_language_to_answer_in(client, app, sent, stored):
    officer = bearer(add_staff("rose@x.gov.uk", role="records_officer", skills=()))
    body = {
        "requester_name": "Ann",
        "relationship": "data_subject",
        "phone_numbers": ["07700 900123"],
    }
    reply = client.post("/api/access-requests", json={**body, **sent}, headers=officer)
    assert reply.status_code == 201, reply.json
    shown = client.get(f"/api/access-requests/{reply.json['id']}", headers=officer).json
    assert (reply.json["language"], shown["language"]) == (stored, stored)


def test_access_request_in_an_unknown_language_is_refused(client, app):
    officer = bearer(add_staff("rose@x.gov.uk", role="records_officer", skills=()))
    body = {
        "requester_name": "Ann",
        "relationship": "data_subject",
        "phone_numbers": ["07700 900123"],
    }
    reply = client.post("/api/access-requests", json={**body, "language": "fr"}, headers=officer)
    assert reply.status_code == 422
