"""The laptop sandbox that plays Twilio's REST API when no Twilio account is configured."""

from __future__ import annotations

import io
import wave

from app import create_app
from app.integrations.twilio import make_twilio_client
from config.settings import load_settings


def sandbox_app(tmp_path):  # noqa: ANN001, ANN201
    settings = load_settings({"INSTANCE_DIR": str(tmp_path)})
    assert settings.twilio_sandbox
    assert settings.twilio_api_base_url == "http://127.0.0.1:5000/dev/twilio"
    return create_app({"SETTINGS": settings}), settings


def test_sandbox_serves_a_two_channel_recording_with_basic_auth(tmp_path):
    app, settings = sandbox_app(tmp_path)
    url = f"/dev/twilio/2010-04-01/Accounts/{settings.twilio_account_sid}/Recordings/RE1.wav"
    client = app.test_client()
    assert client.get(url).status_code == 401
    reply = client.get(url, auth=(settings.twilio_account_sid, settings.twilio_auth_token))
    with wave.open(io.BytesIO(reply.data)) as wav:
        assert (wav.getnchannels(), wav.getframerate()) == (2, 8000)


def test_sandbox_is_off_with_a_real_account_or_in_production(tmp_path):
    assert not load_settings({"TWILIO_ACCOUNT_SID": "AC" + "2" * 32}).twilio_sandbox
    assert not load_settings({"TWILIO_API_BASE_URL": "http://127.0.0.1:1"}).twilio_sandbox


def test_production_never_loads_the_sandbox(tmp_path):
    from tests.config.test_settings import PRODUCTION

    settings = load_settings({k: v for k, v in PRODUCTION.items() if k != "TWILIO_API_BASE_URL"})
    assert not settings.twilio_sandbox
    assert make_twilio_client(settings).api.base_url == "https://api.twilio.com"
