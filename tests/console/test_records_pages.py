"""Privacy alerts and the audit log pages (SPEC §14): roles, CSRF, closing alerts, filters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.models import AuditEntry, PrivacyAlert, Recording, Role
from tests.console.workbench_support import add_alert, csrf_token, sign_in
from tests.support.rows import one, rows

PAGES = ["/console/alerts", "/console/audit"]


@pytest.fixture
def alert_id(app) -> int:  # noqa: ANN001
    return add_alert(datetime(2026, 11, 22, 9, tzinfo=UTC))


def post(client, alert_id: int, **fields: str):  # noqa: ANN201
    token = csrf_token(client, "/console/alerts")
    return client.post(
        f"/console/alerts/{alert_id}", data={"csrf_token": token, **fields}, follow_redirects=True
    )


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("role", [Role.ADVISOR, Role.SUPERVISOR, Role.ADMIN])
def test_only_records_officers(client, clock, path, role):
    sign_in(client, role, clock["now"])
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PAGES)
def test_pages_answer(officer, alert_id, path):
    assert officer.get(path).status_code == 200


def test_a_breach_shows_its_deadline_and_the_caller_to_tell(officer, alert_id):
    page = post(officer, alert_id, step="close", outcome="breach", note="No reason").get_data(
        as_text=True
    )
    assert "Report to the ICO by 25 Nov 2026 09:00 UTC" in page
    assert "tell the caller" in page
    assert one(PrivacyAlert).closed_by == "dpo@sthelens.gov.uk"
    page = post(officer, alert_id, step="ico_report", done="yes").get_data(as_text=True)
    assert "Reported to the ICO" in page
    page = post(officer, alert_id, step="subject_told", done="no", note="Low risk").get_data(
        as_text=True
    )
    assert "Telling the caller not required: Low risk" in page


def test_not_required_needs_a_note(officer, alert_id):
    post(officer, alert_id, step="close", outcome="breach", note="No reason")
    page = post(officer, alert_id, step="subject_told", done="no").get_data(as_text=True)
    assert "needs a note" in page
    assert one(PrivacyAlert).subject_told_note is None


def test_closing_needs_an_outcome_and_note(officer, alert_id):
    page = post(officer, alert_id, step="close", note="x").get_data(as_text=True)
    assert "&#39;outcome&#39; is required." in page
    assert one(PrivacyAlert).outcome is None


def test_without_csrf_nothing_changes(officer, alert_id):
    reply = officer.post(f"/console/alerts/{alert_id}", data={"step": "close"})
    assert reply.status_code == 400


def test_alerts_are_listed_open_first_each_with_its_recording(officer, alert_id):
    newer = add_alert(datetime(2026, 11, 22, 10, tzinfo=UTC), reason="newer")
    post(officer, newer, step="close", outcome="legitimate", note="Checked with the manager")
    page = officer.get("/console/alerts").get_data(as_text=True)
    for alert in rows(PrivacyAlert):
        sid = one(Recording, Recording.id == alert.recording_id).recording_sid
        assert page.count(sid) >= 1
    assert page.index(f'id="alert-{alert_id}"') < page.index(f'id="alert-{newer}"')


def test_a_breach_appears_in_the_audit_log(officer, alert_id):
    post(officer, alert_id, step="close", outcome="breach", note="No reason")
    page = officer.get("/console/audit?action=privacy_alert").get_data(as_text=True)
    assert "privacy_alert.close" in page and "dpo@sthelens.gov.uk" in page
    assert rows(AuditEntry)[-1].action == "privacy_alert.close"


@pytest.mark.parametrize("query", ["?actor=nobody@x", "?on=2026-11-23", "?on=junk", "?action=%25"])
def test_audit_filters(officer, alert_id, query):
    assert officer.get(f"/console/audit{query}").status_code == 200


def test_the_chain_is_verified_by_a_job_and_shown_when_done(officer, app, alert_id):
    from app.integrations.queue import get_queue
    from tests.support.runtime import job_runtime

    assert "Not verified yet" in officer.get("/console/audit").get_data(as_text=True)
    token = csrf_token(officer, "/console/audit")
    page = officer.post("/console/audit/verify", data={"csrf_token": token}, follow_redirects=True)
    assert "Verification queued" in page.get_data(as_text=True)
    with job_runtime(app) as runtime:
        queue = get_queue(runtime.settings)
        job = queue.jobs[0]
        assert job.func_name == "workers.audit.verify_audit_chain"
        job.perform()
    page = officer.get("/console/audit").get_data(as_text=True)
    assert "Intact" in page and "entries check out" in page
