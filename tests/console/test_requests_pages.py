"""The records officer's access-request pages: list, register, the request's steps (SPEC §14)."""

from __future__ import annotations

import html
from datetime import UTC, datetime

import pytest

from app.models import AccessRequest, AuditEntry, LegalHold, Role
from tests.access.support import call_from, register_request
from tests.console.workbench_support import csrf_token, sign_in
from tests.support.rows import one, rows
from tests.support.staff import staff_headers

E164 = "+447700900123"
PAGES = ["/console/requests", "/console/requests/new"]


@pytest.fixture
def api(app):  # noqa: ANN001, ANN201
    return staff_headers(Role.RECORDS_OFFICER)


def form(client, path: str, **fields: str):  # noqa: ANN201
    token = csrf_token(client, "/console/requests/new")
    return client.post(path, data={"csrf_token": token, **fields})


def registration(**changes: str) -> dict[str, str]:
    return {
        "channel": "phone",
        "requester_name": "Pat Example",
        "relationship": "data_subject",
        "phone_numbers": "07700 900123",
        **changes,
    }


@pytest.mark.parametrize("path", [*PAGES, "/console/requests/1"])
@pytest.mark.parametrize("role", [Role.ADVISOR, Role.SUPERVISOR, Role.ADMIN])
def test_other_roles_are_refused(client, clock, api, path, role):
    register_request(client, api, E164)
    sign_in(client, role, clock["now"])
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_signed_out_goes_to_sign_in(client, path):
    reply = client.get(path)
    assert reply.status_code == 302 and "/console/login" in reply.location


def test_registering_by_phone_holds_the_calls(officer):
    call_from(E164, datetime(2026, 11, 1, 9, tzinfo=UTC))
    reply = form(officer, "/console/requests/new", **registration(identity_pending="y"))
    assert reply.status_code == 302, reply.get_data(as_text=True)
    item = one(AccessRequest)
    assert (item.channel, item.identity_pending, item.phone_numbers) == ("phone", True, [E164])
    assert len(rows(LegalHold)) == 1
    page = officer.get(reply.location).get_data(as_text=True)
    assert "Pat Example" in page and "Identity verified" in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"requester_name": " "}, "requester_name", "&#39;requester_name&#39; is required."),
        ({"phone_numbers": "banana"}, "phone_numbers", "is not a phone number"),
        ({"nhs_number": "943 476 5918"}, "nhs_number", "Invalid NHS number"),
        ({"received_on": "23/11/2026"}, "received_on", "e.g. 2026-11-23"),
        ({"received_on": "2026-12-01"}, "received_on", "cannot be in the future"),
        ({"channel": ""}, "channel", "Select how the request reached us"),
    ],
)
def test_bad_registrations_say_why_beside_the_field(officer, changes, field, message):
    reply = form(officer, "/console/requests/new", **registration(**changes))
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert f'id="{field}-error"' in page and message in page
    assert f'href="#{field}"' in page  # the error summary links to it
    assert rows(AccessRequest) == []


def test_the_api_refuses_the_same_with_the_same_words(client, api):
    reply = client.post(
        "/api/access-requests",
        json={"requester_name": "P", "relationship": "data_subject", "phone_numbers": ["banana"]},
        headers=api,
    )
    assert reply.json["error"]["message"] == "'banana' in 'phone_numbers' is not a phone number."


def test_posting_without_the_csrf_token_is_refused(officer):
    reply = officer.post("/console/requests/new", data=registration())
    assert reply.status_code == 400
    assert rows(AccessRequest) == []


def test_the_list_flags_and_puts_new_online_requests_first(officer, api):
    overdue = register_request(officer, api, E164, received_on="2026-09-01")["id"]
    soon = register_request(officer, api, E164, received_on="2026-10-26")["id"]
    online = register_request(officer, api, E164, identity_pending=True)["id"]
    from app.extensions import db

    with db.transaction() as session:
        session.get(AccessRequest, online).channel = "online"
    page = officer.get("/console/requests").get_data(as_text=True)
    assert page.index(f"SAR-{online:06d}") < page.index(f"SAR-{overdue:06d}")
    assert "Overdue" in page and "Due within 7 days" in page and "New online" in page
    assert "Identity pending" in page
    only = officer.get("/console/requests?show=overdue").get_data(as_text=True)
    assert f"SAR-{overdue:06d}" in only and f"SAR-{soon:06d}" not in only


@pytest.mark.parametrize("query", ["?sort=received&order=desc", "?show=closed", "?page=99"])
def test_sorting_and_filtering_work(officer, api, query):
    register_request(officer, api, E164)
    assert officer.get(f"/console/requests{query}").status_code == 200


def test_unknown_sort_is_400(officer):
    assert officer.get("/console/requests?sort=drop").status_code == 400


def test_answered_on_time_this_year(officer, api):
    rid = register_request(officer, api, E164, received_on="2026-11-20")["id"]
    officer.post(f"/api/access-requests/{rid}/close", headers=api)
    assert "1 of 1 (100%)" in officer.get("/console/requests").get_data(as_text=True)


def step(client, rid: int, path: str, **fields: str):  # noqa: ANN201
    token = csrf_token(client, f"/console/requests/{rid}")
    return client.post(
        f"/console/requests/{rid}/{path}",
        data={"csrf_token": token, **fields},
        follow_redirects=True,
    )


def test_the_request_page_is_audited(officer, api):
    rid = register_request(officer, api, E164)["id"]
    officer.get(f"/console/requests/{rid}")
    assert rows(AuditEntry)[-1].action == "console.access_request_view"


def test_verify_pause_resume_extend_from_the_page(officer, api, clock):
    rid = register_request(officer, api, E164, identity_pending=True)["id"]
    assert "Identity verified" in step(officer, rid, "verify").get_data(as_text=True)
    assert "The clock is paused" in step(officer, rid, "pause", reason="Which dates?").get_data(
        as_text=True
    )
    page = step(officer, rid, "resume").get_data(as_text=True)
    assert "The clock restarted" in page
    page = step(officer, rid, "extend", months="2", reason="Many recordings").get_data(as_text=True)
    assert "Extended" in page
    assert one(AccessRequest).extended_by_months == 2


def test_a_refused_step_says_why(officer, api):
    rid = register_request(officer, api, E164)["id"]
    page = step(officer, rid, "resume").get_data(as_text=True)
    assert "the clock is not paused" in page
    assert step(officer, rid, "pause", reason=" ").status_code == 200
    assert one(AccessRequest).paused_at is None


def test_refusing_from_the_page_releases_holds_and_shows_the_notice(officer, api):
    call_from(E164, datetime(2026, 11, 1, 9, tzinfo=UTC))
    rid = register_request(officer, api, E164)["id"]
    page = step(officer, rid, "refuse", ground="manifestly_unfounded", reason="No calls.")
    text = page.get_data(as_text=True)
    assert "Refused and closed" in text and "ico.org.uk" in text
    assert all(h.released_at for h in rows(LegalHold))


def test_a_welsh_requests_refusal_notice_is_shown_in_welsh(officer, api):
    rid = register_request(officer, api, E164, language="cy")["id"]
    page = step(officer, rid, "refuse", ground="manifestly_unfounded", reason="Dim galwadau.")
    text = html.unescape(page.get_data(as_text=True))
    assert '<div class="govuk-inset-text" lang="cy">Mae eich cais gwrthrych am wybodaeth' in text
    assert "yn amlwg yn ddi-sail. Ein rhesymau: Dim galwadau." in text


def test_closing_from_the_page_releases_holds(officer, api):
    call_from(E164, datetime(2026, 11, 1, 9, tzinfo=UTC))
    rid = register_request(officer, api, E164)["id"]
    assert "Closed; its holds are released" in step(officer, rid, "close").get_data(as_text=True)
    assert all(h.released_at for h in rows(LegalHold))


def test_authority_for_a_third_party(officer, api):
    rid = register_request(officer, api, E164, relationship="third_party")["id"]
    page = step(officer, rid, "authority", authority="consent", authority_evidence="DOC-1")
    assert "Authority recorded" in page.get_data(as_text=True)
    assert one(AccessRequest).authority_evidence == "DOC-1"


def test_progress_fragment(officer, api):
    rid = register_request(officer, api, E164)["id"]
    reply = officer.get(f"/console/requests/{rid}/progress")
    assert reply.status_code == 200 and "Not packaged yet" in reply.get_data(as_text=True)


def test_unknown_request_is_404(officer):
    assert officer.get("/console/requests/999999").status_code == 404


def test_htmx_reloads_the_page_once_packaging_is_over(officer, api):
    rid = register_request(officer, api, E164)["id"]
    reply = officer.get(f"/console/requests/{rid}/progress", headers={"HX-Request": "true"})
    assert reply.headers["HX-Refresh"] == "true"
