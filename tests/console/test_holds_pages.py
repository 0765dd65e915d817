"""/console/holds and /console/retention (SPEC §7, §14): roles, CSRF, placing and releasing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.models import AuditEntry, LegalHold, Role
from tests.access.support import call_from
from tests.console.workbench_support import csrf_token, sign_in
from tests.support.rows import one, rows

PAGES = ["/console/holds", "/console/retention"]


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", [Role.ADVISOR, Role.SUPERVISOR, Role.ADMIN])
def test_only_records_officers(client, clock, path, role):
    sign_in(client, role, clock["now"])
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer(officer, path):
    assert officer.get(path).status_code == 200


def place(client, **fields: str):  # noqa: ANN201
    token = csrf_token(client, "/console/holds")
    return client.post(
        "/console/holds", data={"csrf_token": token, **fields}, follow_redirects=True
    )


def test_a_hold_on_a_call_is_placed_audited_and_released(officer):
    sid = call_from("+447700900123", datetime(2026, 11, 2, 10, tzinfo=UTC))
    page = place(officer, target="call_sid", value=sid, reason="Complaint", reference="C-9")
    assert "placed" in page.get_data(as_text=True)
    hold = one(LegalHold)
    assert (hold.reason, hold.created_by) == ("Complaint", "dpo@sthelens.gov.uk")
    token = csrf_token(officer, "/console/holds")
    page = officer.post(
        f"/console/holds/{hold.id}/release", data={"csrf_token": token}, follow_redirects=True
    )
    assert f"Hold {hold.id} released." in page.get_data(as_text=True)
    assert one(LegalHold).released_at is not None
    assert [e.action for e in rows(AuditEntry)][-2:] == ["hold.place", "hold.release"]


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"target": "number", "value": "banana"}, "&#39;number&#39;:"),
        ({"value": "07700 900123"}, "Name exactly one"),
        ({"target": "call_sid", "value": "CA" + "0" * 32}, "No call"),
        ({"target": "number", "value": "07700 900123", "reason": ""}, "&#39;reason&#39;"),
    ],
)
def test_bad_holds_say_why(officer, fields, message):
    page = place(officer, **{"reason": "r", "reference": "x", **fields})
    assert message in page.get_data(as_text=True)
    assert rows(LegalHold) == []


def test_the_list_names_each_holds_target_in_force_first(officer):
    sid = call_from("+447700900123", datetime(2026, 11, 2, 10, tzinfo=UTC))
    place(officer, target="call_sid", value=sid, reason="Complaint", reference="C-1")
    place(officer, target="number", value="07700 900124", reason="Complaint", reference="C-2")
    released = one(LegalHold, LegalHold.reference == "C-1").id
    token = csrf_token(officer, "/console/holds")
    officer.post(f"/console/holds/{released}/release", data={"csrf_token": token})
    page = officer.get("/console/holds").get_data(as_text=True)
    assert sid in page and "+447700900124" in page
    assert page.index("C-2") < page.index("C-1")  # in force first


def test_release_without_csrf_is_refused(officer):
    assert officer.post("/console/holds/1/release").status_code == 400


def test_retention_shows_the_overdue_figure_and_the_table(officer):
    page = officer.get("/console/retention").get_data(as_text=True)
    assert 'id="overdue">0<' in page and 'id="deletions"' in page
