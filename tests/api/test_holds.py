"""Legal holds through the staff API: records officers only; one target; audited."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import AuditEntry, LegalHold
from tests.retention.factories import add_call, add_recording
from tests.support.rows import one, rows
from tests.support.sids import new_sid
from tests.support.staff import staff_headers as headers_for


@pytest.fixture
def officer(app):  # noqa: ANN001, ANN201
    return headers_for("records_officer")


@pytest.fixture
def call(app, local_storage):  # noqa: ANN001, ANN201
    from tests.retention.factories import T0

    with db.transaction() as session:
        made = add_call(session)
        add_recording(session, local_storage, made, delete_after=T0)
        return made


def test_officer_places_a_hold_on_a_call(client, officer, call):
    body = {"reason": "complaint about advice", "reference": "CMP-7", "call_sid": call.call_sid}
    reply = client.post("/api/holds", json=body, headers=officer)
    assert reply.status_code == 201, reply.json
    assert reply.json["call_sid"] == call.call_sid and reply.json["active"] is True
    assert reply.json["kind"] == "complaint"  # the default
    assert one(LegalHold).call_id == call.id


def test_a_number_hold_is_stored_in_e164_and_masked_in_the_audit_log(client, officer):
    body = {"reason": "r", "reference": "SAR-1", "number": "07700 900123", "kind": "access_request"}
    reply = client.post("/api/holds", json=body, headers=officer)
    assert reply.json["number"] == "+447700900123"
    entry = one(AuditEntry, AuditEntry.action == "hold.place")
    assert "+447700900123" not in str(entry.details) and entry.reason == "r"


def test_a_recording_hold(client, officer, call):
    from app.models import Recording

    sid = one(Recording).recording_sid
    reply = client.post(
        "/api/holds", json={"reason": "r", "reference": "I", "recording_sid": sid}, headers=officer
    )
    assert reply.status_code == 201 and reply.json["recording_sid"] == sid


@pytest.mark.parametrize("role", ["advisor", "supervisor", "admin"])
def test_other_roles_are_forbidden(client, app, role, call):
    headers = headers_for(role)
    body = {"reason": "r", "reference": "x", "call_sid": call.call_sid}
    assert client.post("/api/holds", json=body, headers=headers).status_code == 403
    assert client.get("/api/holds", headers=headers).status_code == 403
    assert client.delete("/api/holds/1", headers=headers).status_code == 403
    assert rows(LegalHold) == []


def test_no_token_is_401(client):
    assert client.get("/api/holds").status_code == 401


@pytest.mark.parametrize(
    "target", [{"call_sid": "CA" + "0" * 32}, {"recording_sid": "RE" + "0" * 32}]
)
def test_unknown_call_or_recording_is_404(client, officer, target):
    reply = client.post(
        "/api/holds", json={"reason": "r", "reference": "x", **target}, headers=officer
    )
    assert reply.status_code == 404 and reply.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "body",
    [
        {"reason": "r", "reference": "x"},
        {"reason": "r", "reference": "x", "number": "+447700900123", "call_sid": "CA1"},
        {"reason": "r", "reference": "x", "number": "not a number"},
        {"reason": "r", "reference": "x", "number": "+447700900123", "kind": "whim"},
        {"reference": "x", "number": "+447700900123"},
        {"reason": " ", "reference": "x", "number": "+447700900123"},
        {"reason": "r", "reference": "x", "number": 447700900123},
        {"reason": "r", "reference": "x" * 121, "number": "+447700900123"},  # was a 500
        {"reason": "r\x00", "reference": "x", "number": "+447700900123"},  # was a 500
        {"reason": "r", "reference": "x", "call_sid": "CA\x00"},  # was a 500
        {"reason": "r", "reference": "x", "number": "+447700900123", "kind": ""},
    ],
)
def test_invalid_bodies_are_422_and_write_nothing(client, officer, body):
    reply = client.post("/api/holds", json=body, headers=officer)
    assert reply.status_code == 422 and "error" in reply.json
    assert rows(LegalHold) == []


def test_release_then_release_again_is_409(client, officer):
    body = {"reason": "r", "reference": "x", "number": "+447700900123"}
    hold_id = client.post("/api/holds", json=body, headers=officer).json["id"]
    released = client.delete(f"/api/holds/{hold_id}", headers=officer)
    assert released.status_code == 200 and released.json["active"] is False
    assert released.json["released_by"].startswith("records_officer-")
    again = client.delete(f"/api/holds/{hold_id}", headers=officer)
    assert again.status_code == 409
    actions = [e.action for e in rows(AuditEntry)]
    assert actions.count("hold.place") == 1 and actions.count("hold.release") == 1


def test_release_unknown_is_404(client, officer):
    assert client.delete("/api/holds/999", headers=officer).status_code == 404


def test_list_and_filter(client, officer):
    for number in ("+447700900001", "+447700900002"):
        body = {"reason": "r", "reference": "x", "number": number}
        client.post("/api/holds", json=body, headers=officer)
    first = rows(LegalHold)[0].id
    client.delete(f"/api/holds/{first}", headers=officer)
    assert len(client.get("/api/holds", headers=officer).json) == 2
    active = client.get("/api/holds?active=true", headers=officer).json
    assert [h["number"] for h in active] == ["+447700900002"]
    assert client.get("/api/holds?active=maybe", headers=officer).status_code == 422


def test_new_hold_sid_shape_is_not_trusted(client, officer):
    body = {"reason": "r", "reference": "x", "call_sid": new_sid("CA")}
    assert client.post("/api/holds", json=body, headers=officer).status_code == 404
