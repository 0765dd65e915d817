"""Settings: embedded defaults for a laptop, refusals in production."""

from __future__ import annotations

import re

import pytest

from app import create_app
from config.settings import DEV_ACCOUNT_SID, DEV_AUTH_TOKEN, SettingsError, load_settings
from recordings.crypto import generate_master_keyset
from recordings.master_keys import master_keyset_json

PRODUCTION = {
    "APP_ENV": "production",
    "DATABASE_URL": "postgresql://db/contact",
    "REDIS_URL": "redis://redis:6379/0",
    "STORAGE_URL": "s3://recordings/contact-line",
    "PUBLIC_BASE_URL": "https://contact.example.gov.uk/",
    "TWILIO_ACCOUNT_SID": "AC" + "1" * 32,
    "TWILIO_AUTH_TOKEN": "secret",
    "MASTER_KEYSET_FILE": "/run/secrets/master.json",
    "SECRET_KEY": "a-long-random-secret",
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


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("DATABASE_URL", "sqlite:////srv/contact.db", "DATABASE_URL is SQLite"),
        ("STORAGE_URL", "file:///srv/recordings", "STORAGE_URL is a local file://"),
        ("PUBLIC_BASE_URL", "http://contact.example.gov.uk", "PUBLIC_BASE_URL is not https://"),
        ("TWILIO_AUTH_TOKEN", DEV_AUTH_TOKEN, "TWILIO_AUTH_TOKEN is the development token"),
        ("TWILIO_ACCOUNT_SID", DEV_ACCOUNT_SID, "TWILIO_ACCOUNT_SID is the development"),
        ("MASTER_KEYSET_FILE", "/srv/instance/dev-master-keyset.json", "development keyset"),
    ],
)
def test_production_refuses_development_stand_ins_naming_each(name, value, named):
    with pytest.raises(SettingsError, match=re.escape(named)):
        load_settings({**PRODUCTION, name: value})


def test_production_refuses_a_copy_of_the_development_keyset(tmp_path):
    development = load_settings({"INSTANCE_DIR": str(tmp_path)})
    keyset = master_keyset_json(development)  # generated into the instance folder
    production = load_settings(
        {**PRODUCTION, "INSTANCE_DIR": str(tmp_path), "MASTER_KEYSET": keyset}
    )
    with pytest.raises(SettingsError, match="development master keyset"):
        master_keyset_json(production)
    elsewhere = load_settings({**PRODUCTION, "MASTER_KEYSET": generate_master_keyset()})
    assert master_keyset_json(elsewhere)


def test_bad_number_is_a_clear_error():
    with pytest.raises(SettingsError, match="QUEUE_MAX_WAIT_SECONDS"):
        load_settings({"QUEUE_MAX_WAIT_SECONDS": "half an hour"})


def test_bad_opening_hours_stop_start_up(tmp_path):
    settings = load_settings({"INSTANCE_DIR": str(tmp_path), "OPENING_HOURS": "nine to five"})
    with pytest.raises(ValueError, match="opening window"):
        create_app({"SETTINGS": settings})
