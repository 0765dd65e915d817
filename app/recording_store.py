"""The web app's handles on the recording store and the master key, built once per app."""

from __future__ import annotations

from flask import current_app

from recordings.crypto import MasterKey
from recordings.master_keys import load_master_key
from recordings.storage import Storage, storage_from_settings


def recording_store() -> Storage:
    """The store of recordings and access packages (UK/EEA region allow-list enforced)."""
    if "recording_storage" not in current_app.extensions:
        settings = current_app.config["SETTINGS"]
        current_app.extensions["recording_storage"] = storage_from_settings(settings)
    return current_app.extensions["recording_storage"]  # type: ignore[no-any-return]


def master_key() -> MasterKey:
    """The master key that unwraps recordings' and packages' data keys."""
    if "master_key" not in current_app.extensions:
        current_app.extensions["master_key"] = load_master_key(current_app.config["SETTINGS"])
    return current_app.extensions["master_key"]  # type: ignore[no-any-return]
