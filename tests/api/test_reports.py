"""GET /api/reports/retention: records officers see stored, held, due, overdue and deletions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.domain.holds import place_hold
from app.extensions import db
from tests.retention.factories import T0, add_call, add_recording
from tests.support.staff import staff_headers as headers_for


@pytest.fixture
def at_t0(clock):  # noqa: ANN001, ANN201
    clock["now"] = T0


def test_report_counts(client, app, at_t0, local_storage):
    with db.transaction() as session:
        call = add_call(session, started_at=T0 - timedelta(days=200))
        for hours in (-30, -2, 3):
            add_recording(session, local_storage, call, delete_after=T0 + timedelta(hours=hours))
        other = add_call(session, number="+447700900999")
        add_recording(session, local_storage, other, delete_after=T0 - timedelta(days=3))
        place_hold(
            session, kind="complaint", reason="r", reference="C", call_id=other.id, actor="x"
        )
    reply = client.get("/api/reports/retention", headers=headers_for("records_officer"))
    assert reply.status_code == 200
    body = reply.json
    assert (body["stored"], body["held"], body["held_past_due"]) == (4, 1, 1)
    assert (body["due"], body["overdue"]) == (2, 1)
    assert body["oldest_due"] == (T0 - timedelta(hours=30)).isoformat()
    assert len(body["deletions_per_day"]) == 30


def test_calls_by_language_over_the_reports_thirty_days(client, app, at_t0):
    with db.transaction() as session:
        for language, days_ago in [("cy", 0), ("cy", 29), ("en", 1), (None, 2), ("cy", 30)]:
            add_call(session, started_at=T0 - timedelta(days=days_ago), language=language)
    reply = client.get("/api/reports/retention", headers=headers_for("records_officer"))
    assert reply.json["calls_by_language"] == [
        {"language": "cy", "calls": 2},  # the 30th day back is outside the window
        {"language": "en", "calls": 1},
        {"language": None, "calls": 1},  # hung up before choosing
    ]


@pytest.mark.parametrize("role", ["advisor", "supervisor", "admin"])
def test_only_records_officers(client, app, role):
    reply = client.get("/api/reports/retention", headers=headers_for(role))
    assert reply.status_code == 403
