"""`flask --app wsgi retention run|report`: the same sweep in the foreground, and its figures."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.domain.holds import place_hold
from app.extensions import db
from recordings.storage import storage_from_url
from tests.retention.factories import T0, add_call, add_recording


@pytest.fixture
def cli(make_app, app, app_twilio, clock):  # noqa: ANN001, ANN201
    """A CLI runner whose app talks to the fake Twilio, at T0."""
    clock["now"] = T0
    return make_app(twilio_api_base_url=app_twilio.base_url).test_cli_runner()


@pytest.fixture
def app_store(settings):  # noqa: ANN001, ANN201
    return storage_from_url(settings.storage_url)


def recordings_due_in(app_store, *offsets_hours: int) -> list[str]:  # noqa: ANN001
    with db.transaction() as session:
        call = add_call(session, started_at=T0 - timedelta(days=200))
        made = [
            add_recording(session, app_store, call, delete_after=T0 + timedelta(hours=h))
            for h in offsets_hours
        ]
        return [r.recording_sid for r in made]


def test_run_prints_what_it_deleted(cli, app_store):
    due, _ = recordings_due_in(app_store, -1, 1)
    result = cli.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert f"deleted recording {due}" in result.output
    assert "recordings_deleted: 1" in result.output


def test_run_exits_non_zero_when_a_deletion_fails(cli, app_store, app_twilio):
    with db.transaction() as session:
        call = add_call(session, started_at=T0 - timedelta(days=200))
        add_recording(session, app_store, call, delete_after=T0, twilio_deleted=False)
    app_twilio.fail_next("DELETE", r"/Recordings/RE", status=503)
    result = cli.invoke(args=["retention", "run"])
    assert result.exit_code == 1
    assert "deletions failed" in result.output


def test_report_shows_stored_held_due_and_overdue(cli, app_store):
    recordings_due_in(app_store, -48, -1, 5)
    held, *_ = recordings_due_in(app_store, -72)
    with db.transaction() as session:
        from app.models import Recording

        recording = session.query(Recording).filter_by(recording_sid=held).one()
        place_hold(
            session,
            kind="complaint",
            reason="r",
            reference="C",
            recording_id=recording.id,
            actor="ro",
        )
    result = cli.invoke(args=["retention", "report", "--json"])
    body = json.loads(result.output)
    assert (body["stored"], body["held"], body["due"], body["overdue"]) == (4, 1, 2, 1)
    assert result.exit_code == 0  # --json only reports
    plain = cli.invoke(args=["retention", "report"])
    assert plain.exit_code == 1 and "1 recordings are overdue" in plain.output
    assert "calls by language (same days): no calls\n" in plain.output  # 200 days ago
    cli.invoke(args=["retention", "run"])
    after = json.loads(cli.invoke(args=["retention", "report", "--json"]).output)
    assert (after["due"], after["overdue"]) == (0, 0)
    assert after["deletions_per_day"][0] == {
        "date": T0.date().isoformat(),
        "recordings": 2,
        "twilio_copies": 0,
        "calls_anonymised": 0,
    }
