"""The records officer's workbench in Chromium (SPEC §14): a phone request from registration to
closing. Covered: register (errors beside fields first), verify identity, fulfil with live
progress, issue and copy the link, download the ZIP without signing in, revoke (410), close
(holds released); on the way, open the matched recording (refused without a reason) and drag a
redaction on its waveform, then find that range silent on both channels of the download. A
privacy alert closed as a breach shows in the audit log. axe on each page; screenshots at
1280 and 390 px.
"""

from __future__ import annotations

import io
import os
import re
import urllib.error
import urllib.request
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from app.console.auth import COOKIE_KEY
from app.domain.sessions import start_session
from app.extensions import db
from app.integrations.queue import get_queue
from app.models import AccessRequest, LegalHold, PrivacyAlert, Recording, Role, Staff
from recordings.audio import AudioSegment, rms_between
from tests.access.support import store_recording
from tests.console.workbench_support import LIMITS
from tests.fixtures.browser import PHONE_VIEWPORT, assert_accessible
from tests.support.rows import one, rows
from tests.support.runtime import job_runtime
from workers.access import package_access_request

E164 = "+447700900123"
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
EDGE = 0.1  # MP3 frames smear a boundary by a few milliseconds
SILENT, AUDIBLE = 50, 5000
SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots-workbench"))


def shoot(page: Page, name: str) -> None:
    """Screenshots of the page as it is, at 1280 and 390 px wide."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width, label in ((1280, "desktop"), (PHONE_VIEWPORT["width"], "phone")):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
    if size:
        page.set_viewport_size(size)


def signed_in(app, context, base: str) -> None:  # noqa: ANN001
    """A records officer's console session, its cookie given to the browser."""
    with db.transaction() as session:
        staff = Staff(email="dpo@sthelens.gov.uk", name="Dee", role=Role.RECORDS_OFFICER, skills=[])
        session.add(staff)
        session.flush()
        token = start_session(session, staff, NOW, LIMITS, second_factor=True)
    value = app.session_interface.get_signing_serializer(app).dumps({COOKIE_KEY: token})
    context.add_cookies([{"name": "contact_console", "value": value, "url": base}])


def mark_a_redaction(page: Page) -> tuple[float, float]:
    """Open the recording (refused without a reason), drag across its waveform, save the range."""
    page.get_by_role("link", name="listen and redact").click()
    page.get_by_role("button", name="Open the recording").click()
    expect(page.get_by_text("State why you need this recording")).to_be_visible()
    page.get_by_label("Why do you need to listen to this recording?").fill("SAR SAR-000001 review")
    page.get_by_role("button", name="Open the recording").click()
    waveform = page.locator("#waveform[data-ready=true]")
    expect(waveform).to_be_visible(timeout=15_000)
    fetched = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    # drawn from the outline the server read: the audio waits until the officer plays it
    assert any("/peaks?" in url for url in fetched) and not any("/audio?" in url for url in fetched)
    assert_accessible(page)
    box = waveform.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.25, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.45, y, steps=10)
    page.mouse.move(box["x"] + box["width"] * 0.55, y, steps=10)
    page.mouse.up()
    expect(page.get_by_role("status")).to_contain_text("Marked")
    start = float(page.get_by_label("Start (seconds)").input_value())
    end = float(page.get_by_label("End (seconds)").input_value())
    assert 1.2 < start < 1.8 and 3.0 < end < 3.6, (start, end)  # of a 6 s recording
    page.get_by_label("Why this range is silenced").fill("A neighbour's name")
    shoot(page, "recording-review")
    page.get_by_role("button", name="Save redaction").click()
    expect(page.get_by_text("will be silenced")).to_be_visible()
    page.get_by_role("link", name="Back to SAR-000001").click()
    expect(page.get_by_role("cell", name="A neighbour's name")).to_be_visible()
    return start, end


def fetch(url: str) -> tuple[int, bytes]:
    """GET without any cookie, as the requester would."""
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:  # noqa: S310  (our live server)
            return reply.status, reply.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


@pytest.fixture
def runtime(app):  # noqa: ANN001, ANN201
    with job_runtime(app) as value:
        yield value


def test_a_phone_request_from_registration_to_close(app, clock, live_app, runtime, new_context):
    clock["now"] = NOW
    store_recording(runtime, number=E164, started_at=datetime(2026, 11, 2, 10, tzinfo=UTC))
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    signed_in(app, context, live_app)
    page = context.new_page()

    page.goto(f"{live_app}/console/requests/new")
    page.get_by_role("button", name="Register request").click()
    expect(page.get_by_role("alert")).to_contain_text("Select how the request reached us")
    assert_accessible(page)
    shoot(page, "requests-new-errors")
    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Requester's full name").fill("Pat Example")
    page.get_by_label("The person the recordings are about", exact=True).check()
    page.get_by_label("Phone numbers they called from").fill("07700 900123")
    page.get_by_label("Identity still has to be verified").check()
    page.get_by_role("button", name="Register request").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Pat Example")
    rid = one(AccessRequest).id
    assert [h.released_at for h in rows(LegalHold)] == [None]

    page.get_by_role("button", name="Identity verified").click()
    expect(page.get_by_text("Identity verified. Due")).to_be_visible()
    assert_accessible(page)

    start, end = mark_a_redaction(page)

    page.get_by_role("button", name="Fulfil: make the package").click()
    expect(page.get_by_text("Packaging started.")).to_be_visible()
    get_queue(runtime.settings).empty()  # run the job here, in-process
    package_access_request(rid)
    expect(page.locator("#package-progress")).to_contain_text("Ready", timeout=10_000)
    expect(page.locator("#package-progress")).to_contain_text("1 of 1 recordings done")

    page.get_by_role("button", name="Issue a new link").click()
    link = page.locator("#download-link").inner_text().strip()
    assert re.fullmatch(rf"{re.escape(live_app)}/access/[\w.-]+", link)
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert_accessible(page)
    shoot(page, "request-link")

    status, body = fetch(link)
    assert status == 200
    archive = zipfile.ZipFile(io.BytesIO(body))
    mp3 = next(name for name in archive.namelist() if name.endswith(".mp3"))
    audio = AudioSegment.from_file(io.BytesIO(archive.read(mp3)), format="mp3", codec="mp3")
    for channel in (0, 1):  # caller and advisor
        assert rms_between(audio, start + EDGE, end - EDGE, channel) < SILENT
        assert rms_between(audio, 0, max(start - EDGE, 0.1), channel) > AUDIBLE

    page.get_by_role("button", name="Revoke the link").click()
    expect(page.get_by_text("The download link no longer works.")).to_be_visible()
    assert fetch(link)[0] == 410

    page.get_by_role("button", name="Close the request and release its holds").click()
    expect(page.get_by_text("Closed; its holds are released.")).to_be_visible()
    assert all(h.released_at is not None for h in rows(LegalHold))
    assert_accessible(page)
    shoot(page, "request-closed")

    page.goto(f"{live_app}/console/requests?show=all")
    expect(page.get_by_role("link", name=f"SAR-{rid:06d}")).to_be_visible()
    assert_accessible(page)
    shoot(page, "requests-list")


def test_a_privacy_alert_closed_as_a_breach_is_in_the_audit_log(app, clock, live_app, new_context):
    clock["now"] = NOW
    with db.transaction() as session:
        recording = Recording(recording_sid="RE" + "1" * 32, call_sid="CA" + "1" * 32)
        session.add(recording)
        session.flush()
        session.add(
            PrivacyAlert(
                recording_id=recording.id,
                staff_email="sup@sthelens.gov.uk",
                reason="curious",
                rule="older_than_30_days",
                raised_at=NOW,
            )
        )
    context = new_context()
    signed_in(app, context, live_app)
    page = context.new_page()
    page.goto(f"{live_app}/console/alerts")
    assert_accessible(page)
    page.get_by_label("Breach", exact=True).check()
    page.get_by_label("Note", exact=True).fill("No business reason to listen")
    page.get_by_role("button", name="Close alert").click()
    expect(page.get_by_text("Report to the ICO by 26 Nov 2026 10:00 UTC")).to_be_visible()
    assert_accessible(page)
    shoot(page, "alerts-breach")
    page.goto(f"{live_app}/console/audit")
    row = page.get_by_role("row").filter(has_text="privacy_alert.close")
    expect(row).to_contain_text("dpo@sthelens.gov.uk")
    assert_accessible(page)
    shoot(page, "audit")


def test_calls_search_and_playback_behind_a_reason(app, clock, live_app, runtime, new_context):
    clock["now"] = NOW
    store_recording(runtime, number=E164, started_at=datetime(2026, 11, 20, 10, tzinfo=UTC))
    context = new_context()
    signed_in(app, context, live_app)
    page = context.new_page()
    page.goto(f"{live_app}/console/calls")
    page.get_by_label("Caller number").fill("07700 900123")
    page.get_by_role("button", name="Search").click()
    assert_accessible(page)
    page.get_by_role("link", name="20 Nov 2026 10:00").click()
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_text("State why you need this recording")).to_be_visible()
    page.get_by_label("Why do you need to listen?").fill("Complaint C-1")
    page.get_by_role("button", name="Play").click()
    audio = page.locator("audio")
    expect(audio).to_have_attribute("src", re.compile(r"/audio\?reason=Complaint"))
    assert_accessible(page)
    shoot(page, "call-playback")


def test_holds_and_retention_pages(app, clock, live_app, new_context):
    clock["now"] = NOW
    context = new_context()
    signed_in(app, context, live_app)
    page = context.new_page()
    page.goto(f"{live_app}/console/holds")
    page.get_by_label("Every call from a number").check()
    page.get_by_label("CallSid, RecordingSid or number").fill("07700 900123")
    page.get_by_label("Reason", exact=True).fill("Complaint about a call")
    page.get_by_label("Reference").fill("C-12")
    page.get_by_role("button", name="Place hold").click()
    expect(page.get_by_role("cell", name="In force")).to_be_visible()
    assert_accessible(page)
    shoot(page, "holds")
    page.get_by_role("button", name="Release hold").click()
    expect(page.get_by_text("Released by dpo@sthelens.gov.uk")).to_be_visible()
    page.goto(f"{live_app}/console/retention")
    expect(page.locator("#overdue")).to_have_text("0")
    page.wait_for_function("window.Chart && Chart.getChart('deletions-chart') !== undefined")
    assert_accessible(page)
    shoot(page, "retention")
