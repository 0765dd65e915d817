"""What the product needs to do its work, built once per process: database, store, keys,
Twilio and the clock. The web app and the workers share it (no Flask here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cached_property

from twilio.rest import Client

from app.db import Database
from app.integrations.twilio import make_twilio_client
from app.models.base import utcnow
from config.settings import Settings, load_settings
from recordings.crypto import MasterKey
from recordings.master_keys import load_master_key
from recordings.storage import Storage, storage_from_settings


class Runtime:
    """Database, store, keys, Twilio client and clock for one process; parts built on first use.

    Any part may be given instead (the web app passes its database; tests pass a store).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        db: Database | None = None,
        storage: Storage | None = None,
        master_key: MasterKey | None = None,
        twilio: Client | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._owns_db = db is None
        given = {"db": db, "storage": storage, "master_key": master_key, "twilio": twilio}
        for name, part in given.items():
            if part is not None:
                self.__dict__[name] = part  # what cached_property would have built

    def now(self) -> datetime:
        """The current instant, from the injected clock."""
        return self.clock()

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

    def close(self) -> None:
        """Close the connections of a database this runtime built itself."""
        if self._owns_db and "db" in self.__dict__:
            self.db.dispose()


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
