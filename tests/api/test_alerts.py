"""Closing privacy alerts through PATCH /api/alerts/{id} (SPEC §6, §12)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.models import AuditEntry, PrivacyAlert, Role
from tests.console.workbench_support import add_alert
from tests.support.rows import one, rows
from tests.support.staff import staff_headers

RAISED = datetime(2026, 11, 20, 9, tzinfo=UTC)


@pytest.fixture
def officer(app):  # noqa: ANN001, ANN201
    return staff_headers(Role.RECORDS_OFFICER, "dpo@sthelens.gov.uk")


@pytest.fixture
def alert_id(app) -> int:  # noqa: ANN001
    return add_alert(RAISED, reason="complaint")


def patch(client, officer, alert_id, **body):  # noqa: ANN001, ANN201
    return client.patch(f"/api/alerts/{alert_id}", json=body, headers=officer)


def test_closed_as_legitimate_with_a_note(client, officer, alert_id):
    reply = patch(client, officer, alert_id, outcome="legitimate", note="Complaint ref C-12")
    assert reply.status_code == 200, reply.json
    assert (reply.json["outcome"], reply.json["outcome_note"]) == (
        "legitimate",
        "Complaint ref C-12",
    )
    assert reply.json["closed_by"] == "dpo@sthelens.gov.uk"
    assert reply.json["ico_deadline"] is None
    entry = rows(AuditEntry)[-1]
    assert (entry.action, entry.subject_id) == ("privacy_alert.close", str(alert_id))


def test_a_breach_has_an_ico_deadline_72_hours_after_it_was_raised(client, officer, alert_id):
    reply = patch(client, officer, alert_id, outcome="breach", note="No reason to listen")
    assert reply.json["ico_deadline"] == "2026-11-23T09:00:00+00:00"


def test_a_breach_records_the_ico_report_and_the_caller_told_later(
    client, officer, clock, alert_id
):
    patch(client, officer, alert_id, outcome="breach", note="No reason to listen")
    reported = patch(client, officer, alert_id, ico_reported=True, ico_report_note="ICO ref 1")
    assert reported.json["ico_reported_at"] == clock["now"].isoformat()
    told = patch(client, officer, alert_id, subject_told=False, subject_told_note="Low risk")
    assert (told.json["subject_told_at"], told.json["subject_told_note"]) == (None, "Low risk")
    actions = [e.action for e in rows(AuditEntry)][-3:]
    assert actions == [
        "privacy_alert.close",
        "privacy_alert.ico_report",
        "privacy_alert.subject_told",
    ]


def test_not_telling_the_caller_needs_a_reason(client, officer, alert_id):
    patch(client, officer, alert_id, outcome="breach", note="No reason to listen")
    assert patch(client, officer, alert_id, subject_told=False).status_code == 422
    assert one(PrivacyAlert).subject_told_note is None


def test_a_failed_step_undoes_the_whole_patch(client, officer, alert_id):
    reply = patch(client, officer, alert_id, outcome="breach", note="x", ico_reported=False)
    assert reply.status_code == 422
    assert one(PrivacyAlert).outcome is None


def test_ico_steps_need_a_breach(client, officer, alert_id):
    assert patch(client, officer, alert_id, ico_reported=True).status_code == 409
    patch(client, officer, alert_id, outcome="legitimate", note="fine")
    assert patch(client, officer, alert_id, subject_told=True).status_code == 409


def test_an_alert_is_closed_once(client, officer, alert_id):
    patch(client, officer, alert_id, outcome="legitimate", note="fine")
    reply = patch(client, officer, alert_id, outcome="breach", note="changed my mind")
    assert (reply.status_code, reply.json["error"]["code"]) == (409, "conflict")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"outcome": "maybe", "note": "x"},
        {"outcome": "breach"},
        {"outcome": "breach", "note": " "},
        {"ico_reported": "yes"},
    ],
)
def test_bad_patches_are_422(client, officer, alert_id, body):
    assert client.patch(f"/api/alerts/{alert_id}", json=body, headers=officer).status_code == 422
    assert one(PrivacyAlert).outcome is None


def test_unknown_alert_is_404(client, officer):
    assert patch(client, officer, 999999, outcome="legitimate", note="x").status_code == 404


def test_the_list_shows_the_outcome(client, officer, alert_id):
    patch(client, officer, alert_id, outcome="legitimate", note="fine")
    listed = client.get("/api/alerts", headers=officer).json["alerts"][0]
    assert listed["outcome"] == "legitimate"
