"""Browser tests of the console: staff who sign in with a password, Twilio's webhooks signed
as Twilio signs them, and a stub of the Voice SDK that lets a test ring the softphone."""

from __future__ import annotations

from pathlib import Path

import requests
from playwright.sync_api import Page

from app.domain.staff import hash_password
from app.extensions import db
from app.models import Staff
from tests.conftest import IN_HOURS, sign

PASSWORD = "a long enough test password"  # noqa: S105
SHOTS = Path("/tmp/shots-console-desk")

# Stands in for twilio.min.js: a Device that registers at once, and window.ringSoftphone()
# which fires "incoming" with a call recording what the page did with it.
STUB_VOICE_SDK = """
window.softphone = {accepted: false, rejected: false, tokens: []};
class StubCall {
  constructor() { this.handlers = {}; }
  on(name, handler) { (this.handlers[name] = this.handlers[name] || []).push(handler); }
  accept() { window.softphone.accepted = true; }
  reject() { window.softphone.rejected = true; }
  disconnect() {}
}
class StubDevice {
  constructor(token) {
    this.handlers = {};
    window.softphone.tokens.push(token);
    window.softphone.device = this;
  }
  on(name, handler) { (this.handlers[name] = this.handlers[name] || []).push(handler); }
  emit(name, arg) { (this.handlers[name] || []).forEach((handler) => handler(arg)); }
  register() { setTimeout(() => this.emit("registered"), 0); return Promise.resolve(); }
  updateToken(token) { window.softphone.tokens.push(token); }
}
window.Twilio = {Device: StubDevice};
window.ringSoftphone = () => { window.softphone.device.emit("incoming", new StubCall()); };
"""


def stub_voice_sdk(page: Page) -> None:
    """Serve the stub instead of the vendored Voice SDK."""
    page.route(
        "**/twilio.min.js",
        lambda route: route.fulfill(body=STUB_VOICE_SDK, content_type="text/javascript"),
    )


def add_staff_with_password(email: str, role: str, **fields: object) -> int:
    """A member of staff who can sign in with PASSWORD; returns the id."""
    with db.transaction() as session:
        staff = Staff(
            email=email,
            name=email.split("@")[0].capitalize(),
            role=role,
            password_hash=hash_password(PASSWORD),
            status_changed_at=IN_HOURS,
            **fields,
        )
        session.add(staff)
        session.flush()
        return staff.id


def sign_in(page: Page, base: str, email: str) -> None:
    """Sign in through the console's sign-in page, as a person would."""
    page.goto(f"{base}/console/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()


def twilio_webhook(base: str, path: str, **form: str) -> requests.Response:
    """POST a webhook to the live app as Twilio would, signed for its public URL."""
    signature = sign(base + path, form)
    reply = requests.post(
        base + path, data=form, headers={"X-Twilio-Signature": signature}, timeout=10
    )
    assert reply.status_code < 300, reply.text
    return reply


def fits_the_width(page: Page) -> bool:
    """True when nothing makes the page scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shot(page: Page, name: str) -> None:
    """A full-page screenshot into SHOTS, for people to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
