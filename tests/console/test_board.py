"""The supervisor's board: roles, the live fragment, ending a stuck wrap-up."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.models import AuditEntry, Staff
from tests.conftest import IN_HOURS
from tests.console.support import post_form, sign_in_as
from tests.routing.support import add_staff, add_waiting_call
from tests.support.rows import one, rows

BOARD = "/console/board"


@pytest.fixture
def supervisor(client) -> int:  # noqa: ANN001
    staff_id = add_staff("sue@x.gov.uk", role="supervisor", skills=(), endpoint=None)
    sign_in_as(client, staff_id)
    return staff_id


@pytest.mark.parametrize("path", [BOARD, f"{BOARD}/live"])
def test_an_advisor_cannot_open_the_board(client, path):
    sign_in_as(client, add_staff("amy@x.gov.uk"))
    assert client.get(path).status_code == 403


def test_a_records_officer_cannot_open_the_board(client):
    sign_in_as(client, add_staff("rob@x.gov.uk", role="records_officer", skills=(), endpoint=None))
    assert client.get(BOARD).status_code == 403


def test_the_board_shows_queues_advisors_and_today(client, supervisor):
    add_waiting_call(1, waited=timedelta(minutes=2))
    add_staff("amy@x.gov.uk", status="busy", since=IN_HOURS - timedelta(minutes=3))
    page = client.get(BOARD).get_data(as_text=True)
    for shown in (
        "Adult social care and health referrals",
        "2:00",
        "amy",
        "On a call",
        "3:00",
    ):
        assert shown in page
    assert 'data-live-url="/console/board/live"' in page
    assert "Today by language" not in page and "By language" not in page  # an English-only line


def test_the_live_fragment_changes_when_a_caller_joins(client, supervisor, clock):
    first = client.get(f"{BOARD}/live")
    assert first.status_code == 200
    clock["now"] = IN_HOURS + timedelta(seconds=3)
    same = client.get(f"{BOARD}/live", headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304
    add_waiting_call(1, waited=timedelta(seconds=1))
    changed = client.get(f"{BOARD}/live", headers={"If-None-Match": first.headers["ETag"]})
    waiting_one = '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>'
    assert waiting_one not in first.get_data(as_text=True)
    assert changed.status_code == 200 and waiting_one in changed.get_data(as_text=True)


def test_a_supervisor_ends_a_stuck_wrap_up(client, supervisor):
    amy = add_staff("amy@x.gov.uk", status="wrap_up", since=IN_HOURS - timedelta(seconds=10))
    assert "End wrap-up" in client.get(BOARD).get_data(as_text=True)
    reply = post_form(client, BOARD, f"{BOARD}/advisors/{amy}/end-wrap-up")
    assert reply.status_code == 302 and reply.location.endswith(BOARD)
    assert one(Staff, Staff.id == amy).status == "available"
    (entry,) = rows(AuditEntry, AuditEntry.action == "advisor.wrap_up_ended")
    assert (entry.actor, entry.subject_id) == ("sue@x.gov.uk", str(amy))
    assert "Wrap-up ended" in client.get(BOARD).get_data(as_text=True)


def test_ending_a_wrap_up_that_is_not_one_changes_nothing(client, supervisor):
    amy = add_staff("amy@x.gov.uk", status="busy")
    post_form(client, BOARD, f"{BOARD}/advisors/{amy}/end-wrap-up")
    assert one(Staff, Staff.id == amy).status == "busy"
    assert rows(AuditEntry, AuditEntry.action == "advisor.wrap_up_ended") == []


def test_end_wrap_up_without_the_csrf_token_is_refused(client, supervisor):
    amy = add_staff("amy@x.gov.uk", status="wrap_up", since=IN_HOURS)
    assert client.post(f"{BOARD}/advisors/{amy}/end-wrap-up").status_code == 400
    assert one(Staff, Staff.id == amy).status == "wrap_up"


@pytest.mark.parametrize("advisor_id", ["999", "0"])
def test_end_wrap_up_of_nobody_is_harmless(client, supervisor, advisor_id):
    reply = post_form(client, BOARD, f"{BOARD}/advisors/{advisor_id}/end-wrap-up")
    assert reply.status_code in (302, 404)


def test_the_fragment_never_fails_on_odd_rows(client, supervisor):
    add_waiting_call(1, service="no_longer_offered")
    add_staff("nameless@x.gov.uk", status="wrap_up", since=IN_HOURS + timedelta(minutes=5))
    assert client.get(f"{BOARD}/live").status_code == 200
    assert client.get(BOARD).status_code == 200
