"""Settings: embedded defaults for a laptop, refusals in production."""

from __future__ import annotations

import pytest

from app import create_app
from config.settings import SettingsError, load_settings

PRODUCTION = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql://db/contact",
    "REDIS_URL": "redis://redis:6379/0",
    "STORAGE_URL": "s3://recordings/contact-line",
    "PUBLIC_BASE_URL": "https://contact.example.gov.uk/",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "secret",
    "MASTER_KEYSET_FILE": "/run/secrets/master.json",
}


def test_embedded_defaults_need_nothing(tmp_path):
    settings = load_settings({"INSTANCE_DIR": str(tmp_path)})
    assert settings.database_url == f"sqlite:///{tmp_path / 'contact-line.db'}"
    assert settings.storage_url == (tmp_path / "recordings").as_uri()
    assert settings.embedded_queue and not settings.is_production


def test_complete_production_environment_loads():
    settings = load_settings(PRODUCTION)
    assert settings.is_production and settings.public_base_url == "https://contact.example.gov.uk"


@pytest.mark.parametrize("missing", sorted(set(PRODUCTION) - {"APP_ENV", "MASTER_KEYSET_FILE"}))
def test_production_names_what_is_missing(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(SettingsError, match=missing):
        load_settings(env)


def test_production_refuses_without_master_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "MASTER_KEYSET_FILE"}
    with pytest.raises(SettingsError, match="MASTER_KEYSET"):
        load_settings(env)


def test_bad_number_is_a_clear_error():
    with pytest.raises(SettingsError, match="QUEUE_MAX_WAIT_SECONDS"):
        load_settings({"QUEUE_MAX_WAIT_SECONDS": "half an hour"})


def test_bad_opening_hours_stop_start_up(tmp_path):
    settings = load_settings({"INSTANCE_DIR": str(tmp_path), "OPENING_HOURS": "nine to five"})
    with pytest.raises(ValueError, match="opening window"):
        create_app({"SETTINGS": settings})
