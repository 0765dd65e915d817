"""Every Twilio-facing route refuses unsigned or forged requests, before any write."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from app.models import Call
from tests.conftest import PUBLIC_BASE_URL, sign
from tests.support.rows import count

SID = "CA" + "c" * 32
ROUTES = [
    "/twilio/voice",
    "/twilio/notice",
    "/twilio/menu",
    "/twilio/menu/choice?attempt=1",
    "/twilio/queue/wait",
    "/twilio/queue/result",
    "/twilio/call-status",
]


@pytest.mark.parametrize("path", ROUTES)
def test_missing_signature_is_refused(client, app, path):
    assert client.post(path, data={"CallSid": SID, "Digits": "*"}).status_code == 403
    assert count(Call) == 0


@pytest.mark.parametrize("path", ROUTES)
def test_wrong_signature_is_refused(client, app, path):
    form = {"CallSid": SID, "Digits": "*"}
    forged = sign(PUBLIC_BASE_URL + path, form, token="not-our-token")
    assert client.post(path, data=form, headers={"X-Twilio-Signature": forged}).status_code == 403
    assert count(Call) == 0


def test_tampered_parameter_is_refused(client, app):
    signature = sign(PUBLIC_BASE_URL + "/twilio/voice", {"CallSid": SID, "From": "+447700900123"})
    reply = client.post(
        "/twilio/voice",
        data={"CallSid": SID, "From": "+447700900999"},
        headers={"X-Twilio-Signature": signature},
    )
    assert reply.status_code == 403 and count(Call) == 0


def test_valid_signature_behind_a_tls_proxy(client):
    form = {"CallSid": SID}
    signature = sign(PUBLIC_BASE_URL + "/twilio/voice", form)
    reply = client.post(
        "/twilio/voice",
        data=form,
        base_url="http://10.0.0.5:8000",
        headers={"X-Twilio-Signature": signature, "X-Forwarded-Proto": "https"},
    )
    assert reply.status_code == 200


def test_signature_covers_the_query_string(client, app):
    form = {"CallSid": SID, "Digits": ""}
    signed_for_attempt_1 = sign(PUBLIC_BASE_URL + "/twilio/menu/choice?attempt=1", form)
    ok = client.post(
        "/twilio/menu/choice?attempt=1",
        data=form,
        headers={"X-Twilio-Signature": signed_for_attempt_1},
    )
    replayed = client.post(
        "/twilio/menu/choice?attempt=2",
        data=form,
        headers={"X-Twilio-Signature": signed_for_attempt_1},
    )
    assert (ok.status_code, replayed.status_code) == (200, 403)


def test_a_signature_over_the_url_with_its_default_port_is_accepted(client):
    """Twilio signs some requests with the port written out (https://host:443/…)."""
    assert PUBLIC_BASE_URL.startswith("https://") and PUBLIC_BASE_URL.count(":") == 1
    form = {"CallSid": SID}
    signature = sign(PUBLIC_BASE_URL + ":443/twilio/voice", form)
    reply = client.post("/twilio/voice", data=form, headers={"X-Twilio-Signature": signature})
    assert reply.status_code == 200


def test_every_value_of_a_repeated_parameter_is_covered(client, app):
    """Twilio signs each value of a repeated parameter; changing any one of them is forged."""
    signed = sign(
        PUBLIC_BASE_URL + "/twilio/voice", MultiDict([("CallSid", SID), ("X", "a"), ("X", "b")])
    )
    ok = client.post(
        "/twilio/voice",
        data=MultiDict([("CallSid", SID), ("X", "a"), ("X", "b")]),
        headers={"X-Twilio-Signature": signed},
    )
    forged = client.post(
        "/twilio/voice",
        data=MultiDict([("CallSid", "CA" + "d" * 32), ("X", "a"), ("X", "c")]),
        headers={"X-Twilio-Signature": signed},
    )
    assert (ok.status_code, forged.status_code) == (200, 403)
