"""`flask --app wsgi simulate-call`: phone the line as Twilio would, and print what is heard."""

from __future__ import annotations

import secrets
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import formatdate

import click
import requests
from flask import current_app
from flask.cli import with_appcontext
from twilio.request_validator import RequestValidator

from config.settings import DEV_ACCOUNT_SID

MAX_STEPS = 60
WAIT_POLLS = 3


@dataclass
class CallSimulator:
    """Drives the app's webhooks over HTTP with signed requests, following the TwiML."""

    base_url: str
    auth_token: str
    from_number: str
    keys: deque[str]
    to_number: str = "+441744676767"
    account_sid: str = DEV_ACCOUNT_SID
    watch_recording: Callable[[str], str | None] | None = None
    call_sid: str = field(default_factory=lambda: "CA" + secrets.token_hex(16))
    started: float = field(default_factory=time.monotonic)
    echo: bool = True
    heard: list[str] = field(default_factory=list)
    hold_seconds: float = 0.0  # real time between waitUrl polls (Twilio's hold music)

    def say(self, line: str) -> None:
        """Note what the caller hears or does."""
        self.heard.append(line)
        if self.echo:
            click.echo(line)

    def post(self, url: str, **params: str) -> ET.Element:
        """A signed POST to `url`; returns the TwiML root element."""
        if not url.startswith("http"):
            url = self.base_url.rstrip("/") + url
        form = {
            "CallSid": self.call_sid,
            "AccountSid": self.account_sid,
            "From": self.from_number,
            "To": self.to_number,
            "Direction": "inbound",
            "ApiVersion": "2010-04-01",
            **params,
        }
        signature = RequestValidator(self.auth_token).compute_signature(url, form)
        reply = requests.post(url, data=form, headers={"X-Twilio-Signature": signature}, timeout=15)
        if reply.status_code == 204:
            return ET.Element("Response")
        if reply.status_code != 200:
            raise click.ClickException(f"{url} answered HTTP {reply.status_code}: {reply.text}")
        return ET.fromstring(reply.content)  # noqa: S314  (TwiML from the app under test)

    def run(self) -> None:
        """Ring the line and follow the TwiML until the call ends."""
        self.say(f"☎  calling {self.base_url} as {self.call_sid}")
        root = self.post("/twilio/voice", CallStatus="ringing")
        for _ in range(MAX_STEPS):
            root = self.follow(root)
            if root is None or root is LEFT_QUEUE:  # <Leave> outside a queue ends the document
                break
        self.hang_up()

    def follow(self, root: ET.Element) -> ET.Element | object | None:
        """Act on one TwiML document; the next document, or None when the call ends."""
        for verb in root:
            step = getattr(self, f"on_{verb.tag.lower()}", None)
            if step is None:
                self.say(f"   (verb {verb.tag} is not simulated)")
                continue
            nxt = step(verb)
            if nxt is not None:
                return None if nxt is HANG_UP else nxt
        return None

    def on_say(self, verb: ET.Element) -> None:
        """Spoken text."""
        self.say(f"🔊 {verb.text or ''}")

    def on_play(self, verb: ET.Element) -> None:
        """Audio played to the caller."""
        self.say(f"🎵 (plays {verb.text})")

    def on_pause(self, verb: ET.Element) -> None:
        """Silence."""
        self.say(f"…  ({verb.get('length', '1')} s of silence)")

    def on_gather(self, verb: ET.Element) -> ET.Element | None:
        """Prompts, then the next key if the caller has one to press."""
        for child in verb:
            self.follow(_wrap(child))
        if not self.keys:
            self.say("   (caller presses nothing)")
            return None
        key = self.keys.popleft()
        self.say(f"☎  caller presses {key}")
        return self.post(verb.get("action", ""), Digits=key)

    def on_redirect(self, verb: ET.Element) -> ET.Element:
        """Twilio fetches the next TwiML."""
        return self.post(verb.text or "")

    def on_enqueue(self, verb: ET.Element) -> ET.Element | object:
        """Wait in the queue: a few waitUrl polls until one redirects the caller, else give up."""
        self.say(f"⏳ caller waits in queue {verb.text}")
        enqueued = time.monotonic()
        for position in range(WAIT_POLLS, 0, -1):
            if position < WAIT_POLLS:
                time.sleep(self.hold_seconds)
            waited = str(int(time.monotonic() - enqueued))
            hold = self.post(
                verb.get("waitUrl", ""),
                QueuePosition=str(position),
                QueueTime=waited,
                QueueSid="QU" + "0" * 32,
                CurrentQueueSize="3",
                AvgQueueTime="60",
            )
            if self.follow(hold) is LEFT_QUEUE:  # <Leave>: Twilio requests the Enqueue action
                return self.post(
                    verb.get("action", ""),
                    QueueResult="leave",
                    QueueSid="QU" + "0" * 32,
                    QueueTime=str(int(time.monotonic() - enqueued)),
                )
        self.say("☎  caller hangs up while waiting")
        self.post(
            verb.get("action", ""),
            QueueResult="hangup",
            QueueTime=str(int(time.monotonic() - enqueued)),
        )
        return HANG_UP

    def on_leave(self, verb: ET.Element) -> object:
        """Leave the queue: `on_enqueue` then requests the Enqueue action."""
        self.say("   (caller leaves the queue)")
        return LEFT_QUEUE

    def on_dial(self, verb: ET.Element) -> ET.Element | object:
        """Ring an advisor; one with a dial action answers, talks briefly and hangs up."""
        noun = next(iter(verb), None)
        target = "".join(verb.itertext()).strip() or verb.text
        kind = (
            {"Client": "client:", "Sip": "", "Number": ""}.get(noun.tag, "")
            if noun is not None
            else ""
        )
        recorded = "recorded" if verb.get("record") else "not recorded"
        self.say(f"📞 dialling {kind}{target} ({recorded})")
        if not verb.get("action"):
            return HANG_UP
        advisor_leg = "CA" + secrets.token_hex(16)
        if noun is not None and noun.get("url"):
            self.post(noun.get("url", ""), CallSid=advisor_leg, ParentCallSid=self.call_sid)
        self.say("🗣  the advisor answers; caller and advisor talk, then the advisor hangs up")
        if verb.get("recordingStatusCallback"):
            self.report_recording(verb.get("recordingStatusCallback", ""))
        return self.post(
            verb.get("action", ""),
            DialCallStatus="completed",
            DialCallSid=advisor_leg,
            DialCallDuration="5",
        )

    def new_recording_sid(self) -> str:
        """The RecordingSid Twilio gives the advisor leg's recording."""
        return "RE" + secrets.token_hex(16)

    def send_recording_callbacks(self, callback: str, sid: str) -> None:
        """Twilio's recording callbacks for the leg: in-progress, then completed."""
        started = formatdate(usegmt=True)
        for status in ("in-progress", "completed"):
            self.post(
                callback,
                RecordingSid=sid,
                RecordingStatus=status,
                RecordingDuration="5",
                RecordingChannels="2",
                RecordingSource="DialVerb",
                RecordingStartTime=started,
            )

    def report_recording(self, callback: str) -> None:
        """The leg was recorded: tell the app, then watch the recording land in the store."""
        sid = self.new_recording_sid()
        self.send_recording_callbacks(callback, sid)
        self.say(f"🎙  recording {sid} completed; the worker fetches, encrypts and stores it")
        if self.watch_recording is not None:
            self.say(f"🎙  recording {sid}: {self.watch_recording(sid) or 'not seen yet'}")

    def on_hangup(self, verb: ET.Element) -> object:
        """The line is closed."""
        self.say("☎  call ends")
        return HANG_UP

    def hang_up(self) -> None:
        """Twilio's final status callback."""
        duration = str(int(time.monotonic() - self.started))
        self.post("/twilio/call-status", CallStatus="completed", CallDuration=duration)
        self.say(f"☎  call {self.call_sid} completed after {duration} s")


HANG_UP = object()
LEFT_QUEUE = object()  # on_leave: the caller left the queue; the Enqueue action comes next
WATCH_SECONDS = 15


def _wait_for_recording(recording_sid: str) -> str | None:
    """Poll our database (the simulator runs beside the app) until the recording settles."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Recording

    deadline = time.monotonic() + WATCH_SECONDS
    while time.monotonic() < deadline:
        with db.transaction() as session:
            row = session.scalar(select(Recording).where(Recording.recording_sid == recording_sid))
            if row is not None and row.status != "pending":
                where = (
                    f" at {row.storage_key} ({row.size_bytes} bytes, encrypted)"
                    if (row.storage_key)
                    else ""
                )
                return f"{row.status}{where}"
        time.sleep(0.5)
    return None


def _wrap(child: ET.Element) -> ET.Element:
    root = ET.Element("Response")
    root.append(child)
    return root


@click.command("simulate-call")
@with_appcontext
@click.option("--url", "base_url", default=None, help="The running app (default PUBLIC_BASE_URL).")
@click.option("--from", "from_number", default="+447700900123", show_default=True)
@click.option("--digits", "--keys", "digits", default="", help="Keys to press in order, e.g. '*1'.")
@click.option(
    "--hold",
    "hold_seconds",
    default=0.0,
    type=click.FloatRange(0, 300),
    help="Seconds a waiting caller really holds between queue polls (time to free an advisor).",
)
def simulate_call(base_url: str | None, from_number: str, digits: str, hold_seconds: float) -> None:
    """Phone the running app exactly as Twilio would and print what the caller hears."""
    settings = current_app.config["SETTINGS"]
    simulator = CallSimulator(
        base_url=(base_url or settings.public_base_url).rstrip("/"),
        auth_token=settings.twilio_auth_token,
        account_sid=settings.twilio_account_sid,
        watch_recording=_wait_for_recording,
        from_number=from_number,
        keys=deque(digits),
        hold_seconds=hold_seconds,
    )
    try:
        simulator.run()
    except requests.RequestException as exc:
        raise click.ClickException(f"cannot reach the app at {simulator.base_url}: {exc}") from exc
