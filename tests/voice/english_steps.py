"""Every step of the English call flow, rendered through the webhooks, for the golden file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from flask import Flask

from app.domain.routing import parse_endpoint
from app.voice import connect, twiml
from app.voice.prompts import load_catalogues

GOLDEN_NAME = "english_twiml.json"
SIP = "sip:amy@pbx.example.gov.uk"
OUT_OF_HOURS = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)

# (name, path, form) in the order a caller meets them; each step is a call of its own.
WEBHOOK_STEPS: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("greeting", "/twilio/voice", {}),
    ("notice_star", "/twilio/notice", {"Digits": "*"}),
    ("notice_nothing", "/twilio/notice", {"Digits": ""}),
    ("menu", "/twilio/menu?attempt=1", {}),
    ("menu_invalid", "/twilio/menu/choice?attempt=1", {"Digits": "7"}),
    ("menu_star", "/twilio/menu/choice?attempt=2", {"Digits": "*"}),
    ("menu_choice", "/twilio/menu/choice?attempt=1", {"Digits": "1"}),
    ("menu_fallback", "/twilio/menu/choice?attempt=2", {"Digits": ""}),
    ("queue_wait_third", "/twilio/queue/wait", {"QueuePosition": "3", "QueueTime": "20"}),
    ("queue_wait_next", "/twilio/queue/wait", {"QueuePosition": "1", "QueueTime": "20"}),
    ("queue_max_wait", "/twilio/queue/wait", {"QueuePosition": "2", "QueueTime": "1800"}),
    ("queue_gave_up", "/twilio/queue/result", {"QueueResult": "leave"}),
    ("queue_error_apology", "/twilio/queue/result", {"QueueResult": "error"}),
    ("connect_back_to_front", "/twilio/connect?leg=999", {}),
    ("transfer_to_service", "/twilio/transfer/enqueue?service=careline", {}),
)


def builder_steps(app: Flask) -> dict[str, Callable[[], str]]:
    """Steps rendered by their TwiML builders (they need a leg or a failure to reach)."""
    settings = app.config["SETTINGS"]
    english = app.config["PROMPTS"]["en"]
    urls = twiml.Urls(settings.public_base_url)
    general = next(s for s in app.config["SERVICES"] if s.code == "general_advice")
    with_fallback = replace(settings, fallback_number="+441744676767")
    with_audio = replace(
        settings,
        greeting_audio_url="https://audio.example.gov.uk/greeting.mp3",
        hold_music_url="https://audio.example.gov.uk/hold.mp3",
    )
    return {
        "dial_advisor_recorded": lambda: str(
            connect.dial_advisor(settings, english, urls, 7, parse_endpoint("client:amy"), True)
        ),
        "dial_advisor_unrecorded": lambda: str(
            connect.dial_advisor(settings, english, urls, 8, parse_endpoint(SIP), False)
        ),
        "goodbye": lambda: str(connect.goodbye(english)),
        "error_apology_fallback": lambda: str(twiml.apology(english, with_fallback, urls, general)),
        "hold_after_error": lambda: str(twiml.hold_after_error(settings)),
        "hold_with_estimate": lambda: str(twiml.hold(english, settings, 2, 240)),
        "hold_with_music": lambda: str(twiml.hold(english, with_audio, 1, 60)),
        "greeting_audio": lambda: str(twiml.greeting(load_catalogues(with_audio)["en"], urls)),
    }
