"""The web app's runtime: the same `Runtime` the workers use, built once per app.

It shares the app's database and reads the app's injected clock.
"""

from __future__ import annotations

from flask import current_app

from app.extensions import db
from app.runtime import Runtime
from recordings.crypto import MasterKey
from recordings.storage import Storage


def app_runtime() -> Runtime:
    """This app's runtime, built on first use."""
    if "runtime" not in current_app.extensions:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        current_app.extensions["runtime"] = Runtime(
            app.config["SETTINGS"], db=db, clock=lambda: app.config["CLOCK"]()
        )
    return current_app.extensions["runtime"]  # type: ignore[no-any-return]


def recording_store() -> Storage:
    """The store of recordings and access packages (UK/EEA region allow-list enforced)."""
    return app_runtime().storage


def master_key() -> MasterKey:
    """The master key that unwraps recordings' and packages' data keys."""
    return app_runtime().master_key
