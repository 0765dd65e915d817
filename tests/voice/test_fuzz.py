"""Validly signed but wild webhook parameters: never a 5xx or a traceback; TwiML or 400."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROUTES = [
    "/twilio/voice",
    "/twilio/notice",
    "/twilio/menu?attempt=1",
    "/twilio/menu/choice?attempt=2",
    "/twilio/queue/wait",
    "/twilio/queue/result",
    "/twilio/call-status",
]
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
SID = st.one_of(st.just("CA" + "f" * 32), st.from_regex(r"CA[0-9a-f]{32}", fullmatch=True), TEXT)
FORMS = st.fixed_dictionaries(
    {"CallSid": SID},
    optional={
        name: TEXT
        for name in (
            "From",
            "To",
            "Digits",
            "CallStatus",
            "CallDuration",
            "QueuePosition",
            "QueueTime",
            "QueueResult",
            "QueueSid",
        )
    },
)


@pytest.mark.parametrize("path", ROUTES)
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(form=FORMS)
def test_wild_parameters_get_twiml_or_400(twilio_post, path, form):
    reply = twilio_post(path, **form)
    body = reply.get_data(as_text=True)
    assert reply.status_code in (200, 400), body
    assert "Traceback" not in body
    if reply.status_code == 200:
        assert ET.fromstring(body).tag == "Response"  # noqa: S314


def test_logs_never_hold_a_full_phone_number(twilio_post, caplog, monkeypatch):
    from app.domain import calls

    monkeypatch.setattr(calls, "choose_service", lambda *a, **k: 1 / 0)
    caplog.set_level(logging.DEBUG)
    sid = "CA" + "e" * 32
    twilio_post("/twilio/voice", CallSid=sid, From="+447700900123")
    twilio_post("/twilio/menu/choice?attempt=1", CallSid=sid, From="+447700900123", Digits="1")
    assert "7700900123" not in caplog.text
