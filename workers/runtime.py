"""What a job needs, built once per worker process from the environment (no Flask)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from twilio.rest import Client

from app.db import Database
from app.twilio_client import make_twilio_client
from config.settings import Settings, load_settings
from recordings.crypto import MasterKey
from recordings.master_keys import load_master_key
from recordings.storage import Storage, storage_from_settings


@dataclass
class Runtime:
    """Database, store, keys and Twilio client for one process; parts built on first use."""

    settings: Settings

    @cached_property
    def db(self) -> Database:
        """The database of this process."""
        database = Database()
        database.configure(self.settings.database_url)
        return database

    @cached_property
    def storage(self) -> Storage:
        """The recording store."""
        return storage_from_settings(self.settings)

    @cached_property
    def master_key(self) -> MasterKey:
        """The master key (all keys of the keyset decrypt; the primary encrypts)."""
        return load_master_key(self.settings)

    @cached_property
    def twilio(self) -> Client:
        """Twilio's REST client."""
        return make_twilio_client(self.settings)


_current: Runtime | None = None


def current() -> Runtime:
    """The runtime jobs use: set by `use_runtime`, else built from the environment once."""
    global _current
    if _current is None:
        _current = Runtime(load_settings())
    return _current


def use_runtime(value: Runtime | None) -> None:
    """Make jobs in this process use `value` (the embedded worker and tests share the app's)."""
    global _current
    _current = value
