"""Pausing, resuming and refusing access requests through the API (SPEC §8, §12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.models import AuditEntry, LegalHold, Role
from tests.access.support import call_from, register_request
from tests.support.rows import rows
from tests.support.staff import staff_headers

URL = "/api/access-requests"
E164 = "+447700900123"


@pytest.fixture
def officer(app):  # noqa: ANN001, ANN201
    return staff_headers(Role.RECORDS_OFFICER, "dpo@sthelens.gov.uk")


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T12:00:00+00:00")


@pytest.fixture
def request_id(client, officer, clock) -> int:  # noqa: ANN001
    clock["now"] = at("2026-11-02")  # due Wed 2 Dec 2026
    return register_request(client, officer, E164, received_on="2026-11-02")["id"]


def pause(client, officer, rid, reason="Which calls? Asked the requester to clarify"):  # noqa: ANN001, ANN201
    return client.post(f"{URL}/{rid}/pause", json={"reason": reason}, headers=officer)


def resume(client, officer, rid):  # noqa: ANN001, ANN201
    return client.post(f"{URL}/{rid}/resume", headers=officer)


def test_resume_moves_the_due_date_by_the_days_paused(client, officer, clock, request_id):
    clock["now"] = at("2026-11-05")
    paused = pause(client, officer, request_id)
    assert paused.status_code == 200, paused.json
    assert paused.json["paused"] is True
    assert paused.json["pause_reason"] == "Which calls? Asked the requester to clarify"
    clock["now"] = datetime(2026, 11, 12, 23, 30, tzinfo=UTC)  # still 12 Nov in London: 7 days
    resumed = resume(client, officer, request_id)
    assert resumed.status_code == 200, resumed.json
    assert (resumed.json["due_date"], resumed.json["paused_days"]) == ("2026-12-09", 7)
    assert resumed.json["paused"] is False


def test_a_resumed_due_date_lands_on_a_working_day(client, officer, clock, request_id):
    clock["now"] = at("2026-11-05")
    pause(client, officer, request_id)
    clock["now"] = at("2026-11-08")  # 3 days: Sat 5 Dec -> Mon 7 Dec
    assert resume(client, officer, request_id).json["due_date"] == "2026-12-07"


def test_no_resume_without_a_pause(client, officer, request_id):
    reply = resume(client, officer, request_id)
    assert (reply.status_code, reply.json["error"]["code"]) == (409, "conflict")


def test_no_second_pause(client, officer, request_id):
    pause(client, officer, request_id)
    assert pause(client, officer, request_id).status_code == 409


def test_no_pause_while_identity_is_pending(client, officer):
    rid = register_request(client, officer, E164, identity_pending=True)["id"]
    assert pause(client, officer, rid).status_code == 409


def test_no_pause_after_the_due_date(client, officer, clock, request_id):
    clock["now"] = at("2026-12-03")
    assert pause(client, officer, request_id).status_code == 409


@pytest.mark.parametrize("body", [{}, {"reason": "  "}, {"reason": 5}])
def test_a_pause_needs_a_reason(client, officer, request_id, body):
    reply = client.post(f"{URL}/{request_id}/pause", json=body, headers=officer)
    assert reply.status_code == 422


def test_pause_and_resume_are_audited(client, officer, clock, request_id):
    pause(client, officer, request_id)
    clock["now"] = at("2026-11-04")
    resume(client, officer, request_id)
    actions = [e.action for e in rows(AuditEntry)]
    assert actions[-2:] == ["access_request.pause", "access_request.resume"]


def test_no_extension_while_paused(client, officer, request_id):
    pause(client, officer, request_id)
    reply = client.post(
        f"{URL}/{request_id}/extend", json={"months": 1, "reason": "complex"}, headers=officer
    )
    assert reply.status_code == 409


def test_an_extension_keeps_the_days_paused(client, officer, clock, request_id):
    pause(client, officer, request_id)
    clock["now"] = at("2026-11-04")  # paused 2 days
    resume(client, officer, request_id)
    reply = client.post(
        f"{URL}/{request_id}/extend", json={"months": 1, "reason": "complex"}, headers=officer
    )
    assert reply.json["due_date"] == "2027-01-04"  # Sat 2 Jan + 2 days paused: Mon 4 Jan


def test_an_extension_after_the_first_due_date_but_before_the_paused_one(
    client, officer, clock, request_id
):
    clock["now"] = at("2026-11-05")
    pause(client, officer, request_id)
    clock["now"] = at("2026-11-15")  # paused 10 days: due Wed 2 Dec -> Sat 12 -> Mon 14 Dec
    assert resume(client, officer, request_id).json["due_date"] == "2026-12-14"
    clock["now"] = at("2026-12-08")  # past 2 Dec, before 14 Dec
    reply = client.post(
        f"{URL}/{request_id}/extend", json={"months": 1, "reason": "complex"}, headers=officer
    )
    assert reply.status_code == 200, reply.json
    assert reply.json["due_date"] == "2027-01-12"  # Sat 2 Jan + 10 days paused: Tue 12 Jan


def test_no_extension_after_the_paused_due_date(client, officer, clock, request_id):
    clock["now"] = at("2026-11-05")
    pause(client, officer, request_id)
    clock["now"] = at("2026-11-15")
    resume(client, officer, request_id)
    clock["now"] = at("2026-12-15")
    reply = client.post(
        f"{URL}/{request_id}/extend", json={"months": 1, "reason": "complex"}, headers=officer
    )
    assert reply.status_code == 409 and "2026-12-14" in reply.json["error"]["message"]


def test_no_extension_after_the_due_date(client, officer, clock, request_id):
    clock["now"] = at("2026-12-03")
    reply = client.post(
        f"{URL}/{request_id}/extend", json={"months": 1, "reason": "complex"}, headers=officer
    )
    assert reply.status_code == 409


def refuse(client, officer, rid, **changes):  # noqa: ANN001, ANN201
    body = {"ground": "manifestly_excessive", "reason": "The fifth identical request this month."}
    return client.post(f"{URL}/{rid}/refuse", json={**body, **changes}, headers=officer)


def test_refusal_releases_the_holds_and_closes(client, officer, clock):
    call_from(E164, datetime(2026, 11, 1, 9, tzinfo=UTC))
    rid = register_request(client, officer, E164)["id"]
    assert [h.released_at for h in rows(LegalHold)] == [None]
    reply = refuse(client, officer, rid)
    assert reply.status_code == 200, reply.json
    assert reply.json["status"] == "closed"
    assert all(h.released_at is not None for h in rows(LegalHold))
    refusal = reply.json["refusal"]
    assert refusal["ground"] == "manifestly_excessive"
    assert "manifestly excessive" in refusal["notice"]
    assert "The fifth identical request" in refusal["notice"]
    assert "ico.org.uk/make-a-complaint" in refusal["notice"]
    actions = [e.action for e in rows(AuditEntry)]
    assert actions.index("access_request.refuse") < actions.index("access_request.close")


@pytest.mark.parametrize(
    ("language", "refused", "court"),
    [
        ("en", "has been refused because we consider it manifestly excessive", "ask a court"),
        ("cy", "wedi'i wrthod oherwydd ein bod o'r farn ei fod yn amlwg yn ormodol", "ofyn i lys"),
    ],
)
def test_the_refusal_notice_is_in_the_requests_language(client, officer, language, refused, court):
    rid = register_request(client, officer, E164, language=language)["id"]
    reply = refuse(client, officer, rid)
    assert reply.status_code == 200, reply.json
    notice = reply.json["refusal"]["notice"]
    assert refused in notice and court in notice and f"SAR-{rid:06d}" in notice
    assert "The fifth identical request" in notice and "ico.org.uk/make-a-complaint" in notice
    assert client.get(f"{URL}/{rid}", headers=officer).json["refusal"]["notice"] == notice


def test_the_refusal_notice_is_kept(client, officer, request_id):
    refuse(client, officer, request_id)
    shown = client.get(f"{URL}/{request_id}", headers=officer).json
    assert "complain" in shown["refusal"]["notice"]


@pytest.mark.parametrize(
    "changes", [{"ground": "vexatious"}, {"ground": None}, {"reason": " "}, {"reason": None}]
)
def test_bad_refusals_are_422_and_change_nothing(client, officer, request_id, changes):
    assert refuse(client, officer, request_id, **changes).status_code == 422
    assert client.get(f"{URL}/{request_id}", headers=officer).json["status"] == "open"


def test_a_closed_request_cannot_be_refused_paused_or_resumed(client, officer, request_id):
    client.post(f"{URL}/{request_id}/close", headers=officer)
    assert refuse(client, officer, request_id).status_code == 409
    assert pause(client, officer, request_id).status_code == 409
    assert resume(client, officer, request_id).status_code == 409


@pytest.mark.parametrize("step", ["pause", "resume", "refuse"])
def test_unknown_request_is_404(client, officer, step):
    reply = client.post(
        f"{URL}/999999/{step}",
        json={"reason": "x", "ground": "manifestly_excessive"},
        headers=officer,
    )
    assert reply.status_code == 404
