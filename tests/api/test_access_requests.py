"""The access-request API: due dates, extensions, rules, roles, unknown ids, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from app.models import AccessRequest, Call, LegalHold, Role
from app.runtime import Runtime
from tests.access.support import call_from, store_recording
from tests.support.rows import count, one, rows
from tests.support.runtime import job_runtime
from tests.support.staff import staff_headers

NUMBER = "07700 900123"
E164 = "+447700900123"
URL = "/api/access-requests"


@pytest.fixture
def officer(app):  # noqa: ANN001, ANN201
    return staff_headers(Role.RECORDS_OFFICER, "dpo@sthelens.gov.uk")


@pytest.fixture
def runtime(app, settings) -> Iterator[Runtime]:  # noqa: ANN001
    with job_runtime(app) as value:
        yield value


def body(**changes: object) -> dict[str, object]:
    return {
        "requester_name": "Pat Example",
        "relationship": "data_subject",
        "phone_numbers": [NUMBER],
        **changes,
    }


def register(client, officer, **changes):  # noqa: ANN001, ANN201
    return client.post(URL, json=body(**changes), headers=officer)


def created(client, officer, **changes) -> dict:  # noqa: ANN001
    reply = register(client, officer, **changes)
    assert reply.status_code == 201, reply.json
    return reply.json


# --- due dates ------------------------------------------------------------------------------


def test_received_defaults_to_today_in_london(client, officer, clock):
    clock["now"] = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)  # still 22 Nov in London (GMT)
    request = created(client, officer)
    assert (request["received_on"], request["due_date"]) == ("2026-11-22", "2026-12-22")


def test_received_defaults_to_the_london_date_in_summer(client, officer, clock):
    clock["now"] = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # 1 July 00:30 BST
    assert created(client, officer)["received_on"] == "2026-07-01"


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-01-31", "2026-03-02"),  # no 31 Feb: Sat 28 Feb -> Monday
        ("2028-01-30", "2028-02-29"),  # leap year
        ("2026-04-30", "2026-06-01"),  # Sat 30 May -> Mon 1 Jun
        ("2026-12-24", "2027-01-25"),  # Sun 24 Jan -> Monday
        ("2026-04-25", "2026-05-26"),  # Mon 25 May is the spring bank holiday
    ],
)
def test_due_date_follows_the_ico_rule(client, officer, clock, received, due):
    clock["now"] = datetime.fromisoformat(f"{received}T12:00:00+00:00")
    assert created(client, officer, received_on=received)["due_date"] == due


def test_identity_pending_has_no_due_date_until_verified(client, officer, clock):
    request = created(client, officer, received_on="2026-11-02", identity_pending=True)
    assert (request["due_date"], request["flag"], request["clock_started_on"]) == (None, None, None)
    listed = client.get(URL, headers=officer).json[0]
    assert (listed["due_date"], listed["flag"]) == (None, None)
    url = f"{URL}/{request['id']}/identity-verified"
    verified = client.post(url, json={"verified_on": "2026-11-20"}, headers=officer)
    assert verified.status_code == 200
    assert verified.json["due_date"] == "2026-12-21"  # Sun 20 Dec -> Monday
    assert verified.json["identity_pending"] is False
    assert client.post(url, headers=officer).status_code == 409  # already verified


def test_identity_verified_defaults_to_today(client, officer):
    request = created(client, officer, received_on="2026-11-20", identity_pending=True)
    verified = client.post(f"{URL}/{request['id']}/identity-verified", headers=officer)
    assert verified.json["clock_started_on"] == "2026-11-23"


def test_verifying_identity_that_was_not_pending_is_409(client, officer):
    request = created(client, officer)
    assert (
        client.post(f"{URL}/{request['id']}/identity-verified", headers=officer).status_code == 409
    )


def test_extension_once_by_up_to_two_months(client, officer):
    rid = created(client, officer, received_on="2026-11-23")["id"]
    extend = f"{URL}/{rid}/extend"
    assert (
        client.post(extend, json={"months": 3, "reason": "x"}, headers=officer).status_code == 422
    )
    assert client.post(extend, json={"months": 2}, headers=officer).status_code == 422
    reply = client.post(extend, json={"months": 2, "reason": "complex request"}, headers=officer)
    assert reply.status_code == 200
    assert (reply.json["due_date"], reply.json["extended_by_months"]) == ("2027-02-23", 2)
    again = client.post(extend, json={"months": 1, "reason": "more"}, headers=officer)
    assert again.status_code == 409 and "already been extended" in again.json["error"]["message"]


def test_a_whole_number_may_be_written_with_a_fraction(client, officer):
    rid = created(client, officer, received_on="2026-11-23")["id"]
    data = '{"months": 2.0, "reason": "complex request"}'  # JSON has one number type
    headers = {**officer, "Content-Type": "application/json"}
    reply = client.post(f"{URL}/{rid}/extend", data=data, headers=headers)
    assert reply.status_code == 200 and reply.json["extended_by_months"] == 2


def test_no_extension_after_the_due_date(client, officer, clock):
    rid = created(client, officer, received_on="2026-10-01")["id"]  # due Mon 2 Nov
    reply = client.post(
        f"{URL}/{rid}/extend", json={"months": 1, "reason": "late"}, headers=officer
    )
    assert reply.status_code == 409 and "has passed" in reply.json["error"]["message"]


def test_no_extension_while_identity_pending(client, officer):
    rid = created(client, officer, identity_pending=True)["id"]
    reply = client.post(f"{URL}/{rid}/extend", json={"months": 1, "reason": "x"}, headers=officer)
    assert reply.status_code == 409


def test_list_flags_overdue_and_due_soon(client, officer):
    created(client, officer, received_on="2026-10-01")  # due 2 Nov: overdue on 23 Nov
    created(client, officer, received_on="2026-10-27")  # due 27 Nov: within 7 days
    created(client, officer, received_on="2026-11-23")  # due 23 Dec
    listed = client.get(URL, headers=officer).json
    assert [(r["due_date"], r["flag"]) for r in listed] == [
        ("2026-11-02", "overdue"),
        ("2026-11-27", "due_soon"),
        ("2026-12-23", None),
    ]


# --- registration rules ---------------------------------------------------------------------


def test_invalid_nhs_number_is_refused_clearly(client, officer):
    refs = [{"type": "nhs_number", "value": "943 476 5918"}]
    reply = register(client, officer, person_references=refs)
    assert reply.status_code == 422
    assert reply.json["error"]["code"] == "invalid_nhs_number"
    assert "943 476 5918" in reply.json["error"]["message"]
    assert "check digit" in reply.json["error"]["message"]
    assert count(AccessRequest) == 0


def test_valid_nhs_number_is_kept_normalised(client, officer):
    refs = [{"type": "nhs_number", "value": "943 476 5919"}, {"type": "other", "value": "AB/12"}]
    request = created(client, officer, person_references=refs)
    assert request["person_references"] == [
        {"type": "nhs_number", "value": "9434765919"},
        {"type": "other", "value": "AB/12"},
    ]


def test_third_party_without_authority_cannot_be_fulfilled(client, officer):
    request = created(client, officer, relationship="third_party", data_subject_name="Sam")
    assert "no authority" in request["fulfilment_blocker"]
    reply = client.post(f"{URL}/{request['id']}/fulfil", headers=officer)
    assert reply.status_code == 409
    assert "third party" in reply.json["error"]["message"]
    authority = {"authority": "power_of_attorney", "authority_evidence": "LPA-2026-0042"}
    ok = client.post(f"{URL}/{request['id']}/authority", json=authority, headers=officer)
    assert ok.status_code == 200 and ok.json["fulfilment_blocker"] is None


def test_identity_pending_cannot_be_fulfilled(client, officer):
    request = created(client, officer, identity_pending=True)
    assert client.post(f"{URL}/{request['id']}/fulfil", headers=officer).status_code == 409


@pytest.mark.parametrize(
    "changes",
    [
        {"relationship": "third_party", "authority": "consent"},  # no evidence reference
        {"relationship": "third_party", "authority_evidence": "REF-1"},  # evidence of what?
        {"authority": "consent", "authority_evidence": "REF-1"},  # the subject needs none
        {"relationship": "third_party", "authority": "magic", "authority_evidence": "REF-1"},
        {"relationship": "friend"},
        {"phone_numbers": []},
        {"phone_numbers": ["not a number"]},
        {"phone_numbers": "07700900123"},
        {"phone_numbers": [7700900123]},
        {"date_from": "2026-11-30", "date_to": "2026-11-01"},
        {"date_from": "30/11/2026"},
        {"date_from": "20261101"},
        {"date_to": "9999-12-31"},  # was a 500
        {"phone_numbers": ["01234"]},
        {"requester_name": "Ann\x00"},
        {"requester_name": "x" * 201},
        {"received_on": "2026-11-24"},  # tomorrow in London
        {"requester_name": ""},
        {"requester_name": None},
        {"identity_pending": "yes"},
        {"person_references": ["9434765919"]},
        {"person_references": [{"type": "passport", "value": "x"}]},
    ],
)
def test_bad_registrations_are_422_and_write_nothing(client, officer, changes):
    reply = register(client, officer, **changes)
    assert reply.status_code == 422, reply.json
    assert set(reply.json["error"]) == {"code", "message"}
    assert count(AccessRequest) == 0 and count(LegalHold) == 0


@pytest.mark.parametrize("data", ["{not json", "[1, 2]"])
def test_malformed_json_is_400(client, officer, data):
    reply = client.post(URL, data=data, content_type="application/json", headers=officer)
    assert reply.status_code == 400


# --- matching -------------------------------------------------------------------------------


def test_matching_uses_london_dates_and_normalised_numbers(client, officer, runtime):
    late_bst = datetime(2026, 7, 10, 23, 30, tzinfo=UTC)  # 00:30 on 11 July in London
    _, inside = store_recording(runtime, number=E164, started_at=late_bst)
    store_recording(runtime, number=E164, started_at=datetime(2026, 7, 10, 22, 30, tzinfo=UTC))
    store_recording(runtime, number=E164, started_at=datetime(2026, 7, 12, 23, 0, tzinfo=UTC))
    request = created(
        client,
        officer,
        phone_numbers=["+44 (0)7700 900123"],
        date_from="2026-07-11",
        date_to="2026-07-12",
    )
    assert [r["recording_sid"] for r in request["recordings"]] == [inside]
    assert request["phone_numbers"] == [E164]
    assert count(LegalHold, LegalHold.released_at.is_(None)) == 1


def test_registration_holds_each_matching_call_recorded_or_not(client, officer):
    calls = {
        "inside": call_from(E164, datetime(2026, 7, 11, 9, tzinfo=UTC)),
        "last_day": call_from(E164, datetime(2026, 7, 12, 22, 59, tzinfo=UTC)),  # 23:59 BST
        "day_before": call_from(E164, datetime(2026, 7, 10, 22, 59, tzinfo=UTC)),
        "day_after": call_from(E164, datetime(2026, 7, 12, 23, 0, tzinfo=UTC)),  # 13 Jul BST
        "other_number": call_from("+447700900999", datetime(2026, 7, 11, 9, tzinfo=UTC)),
        "withheld": call_from(None, datetime(2026, 7, 11, 9, tzinfo=UTC)),
    }
    request = created(client, officer, date_from="2026-07-11", date_to="2026-07-12")
    assert request["recordings"] == []  # none of them has a recording yet
    holds = rows(LegalHold)
    held = {one(Call, Call.id == h.call_id).call_sid for h in holds}
    assert held == {calls["inside"], calls["last_day"]}
    assert {(h.kind, h.reference, h.recording_id, h.number, h.released_at) for h in holds} == {
        ("access_request", request["reference"], None, None, None)
    }


def test_registration_holds_a_call_once_whatever_its_recordings(client, officer, runtime):
    call_sid, _ = store_recording(
        runtime, number=E164, started_at=datetime(2026, 11, 2, tzinfo=UTC)
    )
    store_recording(
        runtime, number=None, started_at=datetime(2026, 11, 2, tzinfo=UTC), call_sid=call_sid
    )
    request = created(client, officer)
    assert len(request["recordings"]) == 2
    (hold,) = rows(LegalHold)
    assert hold.call_id == one(Call, Call.call_sid == call_sid).id
    assert [r["hold_id"] for r in request["recordings"]] == [hold.id, hold.id]
    assert all(r["held"] for r in request["recordings"])
    closed = client.post(f"{URL}/{request['id']}/close", headers=officer).json
    assert [r["held"] for r in closed["recordings"]] == [False, False]
    assert one(LegalHold).released_at is not None


# --- review ---------------------------------------------------------------------------------


@pytest.fixture
def with_recording(client, officer, runtime):  # noqa: ANN001, ANN201
    _, recording_sid = store_recording(
        runtime, number=E164, started_at=datetime(2026, 11, 2, 10, tzinfo=UTC), seconds=6
    )
    return created(client, officer)["id"], recording_sid


@pytest.mark.parametrize(
    "review",
    [
        {"include": True, "redactions": [[1, 7]]},  # past the end of a 6 s recording
        {"include": True, "redactions": [[3, 2]]},
        {"include": True, "redactions": [[-1, 2]]},
        {"include": True, "redactions": [[1]]},
        {"include": True, "redactions": [["1", "2"]]},
        {"include": True, "redactions": [{"start": 1}]},
        {"include": True, "redactions": [{"start": 1, "end": 2, "reason": 5}]},
        {"include": "yes"},
        {"redactions": [[1, 2]]},
    ],
)
def test_bad_reviews_are_422(client, officer, with_recording, review):
    rid, recording_sid = with_recording
    reply = client.patch(f"{URL}/{rid}/recordings/{recording_sid}", json=review, headers=officer)
    assert reply.status_code == 422, reply.json


def test_review_is_stored_in_order(client, officer, with_recording):
    rid, recording_sid = with_recording
    review = {"include": True, "redactions": [[4, 5], {"start": 0.5, "end": 1.25, "reason": "x"}]}
    reply = client.patch(f"{URL}/{rid}/recordings/{recording_sid}", json=review, headers=officer)
    assert reply.json["recordings"][0]["redactions"] == [
        {"start": 0.5, "end": 1.25, "reason": "x"},
        {"start": 4.0, "end": 5.0, "reason": None},
    ]


def test_review_of_a_recording_outside_the_request_is_404(client, officer, with_recording, runtime):
    rid, _ = with_recording
    _, other = store_recording(runtime, number="+447700900999", started_at=datetime.now(UTC))
    reply = client.patch(f"{URL}/{rid}/recordings/{other}", json={"include": True}, headers=officer)
    assert reply.status_code == 404


# --- roles, unknown ids, states -------------------------------------------------------------

ENDPOINTS = [
    ("post", URL),
    ("get", URL),
    ("get", f"{URL}/1"),
    ("post", f"{URL}/1/identity-verified"),
    ("post", f"{URL}/1/extend"),
    ("post", f"{URL}/1/authority"),
    ("patch", f"{URL}/1/recordings/RE{'0' * 32}"),
    ("post", f"{URL}/1/fulfil"),
    ("get", f"{URL}/1/package"),
    ("delete", f"{URL}/1/package"),
    ("post", f"{URL}/1/close"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("role", [Role.ADVISOR, Role.SUPERVISOR])
def test_only_records_officers(client, method, path, role):
    headers = staff_headers(role, "someone@sthelens.gov.uk")
    assert getattr(client, method)(path, json={}, headers=headers).status_code == 403


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_no_token_is_401(client, method, path):
    assert getattr(client, method)(path, json={}).status_code == 401


@pytest.mark.parametrize(("method", "path"), ENDPOINTS[2:])
def test_unknown_request_is_404(client, officer, method, path):
    payloads = {
        "extend": {"months": 1, "reason": "r"},
        "authority": {"authority": "consent", "authority_evidence": "E"},
        "recordings": {"include": True},
    }
    payload = next((v for k, v in payloads.items() if k in path), {})
    path = path.replace(f"{URL}/1", f"{URL}/999")
    assert getattr(client, method)(path, json=payload, headers=officer).status_code == 404


def test_package_before_fulfilment_is_404(client, officer):
    rid = created(client, officer)["id"]
    assert client.get(f"{URL}/{rid}/package", headers=officer).status_code == 404
    assert client.delete(f"{URL}/{rid}/package", headers=officer).status_code == 404


def test_closed_requests_refuse_changes(client, officer):
    rid = created(client, officer)["id"]
    assert client.post(f"{URL}/{rid}/close", headers=officer).status_code == 200
    assert client.post(f"{URL}/{rid}/close", headers=officer).status_code == 409
    assert client.post(f"{URL}/{rid}/fulfil", headers=officer).status_code == 409
    reply = client.post(f"{URL}/{rid}/extend", json={"months": 1, "reason": "r"}, headers=officer)
    assert reply.status_code == 409


def test_unknown_download_link_is_404_as_a_page_not_json(client):
    reply = client.get("/access/" + "x" * 43)
    assert reply.status_code == 404 and reply.mimetype == "text/html"
