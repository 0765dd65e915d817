"""/console/calls: search with the API's parsing, a call's recordings, playback behind a reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.models import AuditEntry, Role
from tests.access.support import call_from, store_recording
from tests.console.conftest import NOW
from tests.console.workbench_support import sign_in
from tests.support.rows import rows
from tests.support.runtime import job_runtime

E164 = "+447700900123"


@pytest.fixture
def supervisor(client, clock):  # noqa: ANN001, ANN201
    clock["now"] = NOW
    sign_in(client, Role.SUPERVISOR, NOW)
    return client


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.ADMIN])
def test_advisors_and_admins_are_refused(client, clock, role):
    sign_in(client, role, clock["now"])
    assert client.get("/console/calls").status_code == 403


def test_search_by_number_and_dates(supervisor):
    sid = call_from(E164, datetime(2026, 11, 2, 10, tzinfo=UTC))
    call_from(E164, datetime(2026, 10, 2, 10, tzinfo=UTC))
    page = supervisor.get("/console/calls?number=07700+900123&since=2026-11-01").get_data(
        as_text=True
    )
    assert sid in page and "1 call," in page
    assert E164 not in page  # masked in the list


@pytest.mark.parametrize(
    ("query", "message"),
    [("number=banana", "is not a phone number"), ("since=yesterday", "since")],
)
def test_bad_searches_say_why(supervisor, query, message):
    reply = supervisor.get(f"/console/calls?{query}")
    assert reply.status_code == 400 and message in reply.get_data(as_text=True)


def test_playback_asks_for_a_reason_then_plays_through_the_audited_route(supervisor, app):
    with job_runtime(app) as runtime:
        call_sid, sid = store_recording(
            runtime, number=E164, started_at=datetime(2026, 11, 20, 10, tzinfo=UTC)
        )
        page = supervisor.get(f"/console/calls/{call_sid}").get_data(as_text=True)
        assert "Why do you need to listen?" in page and "<audio" not in page
        reply = supervisor.get(f"/console/calls/{call_sid}?play={sid}&reason=+")
        assert reply.status_code == 400
        page = supervisor.get(f"/console/calls/{call_sid}?play={sid}&reason=Complaint+C1")
        assert f"/console/recordings/{sid}/audio?reason=Complaint+C1" in page.get_data(as_text=True)
        audio = supervisor.get(f"/console/recordings/{sid}/audio?reason=Complaint+C1")
        assert audio.status_code == 200
    assert ("recording.access", "Complaint C1") in [(e.action, e.reason) for e in rows(AuditEntry)]


def test_unknown_call_is_404(supervisor):
    assert supervisor.get("/console/calls/CA" + "0" * 32).status_code == 404
