"""Where the master key comes from: MASTER_KEYSET, MASTER_KEYSET_FILE, or a development keyset."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from config.settings import Settings, SettingsError
from recordings.crypto import MasterKey, generate_master_keyset

log = logging.getLogger(__name__)
DEV_KEYSET_NAME = "dev-master-keyset.json"


def master_keyset_json(settings: Settings) -> str:
    """The master keyset JSON; in development, generated once into the instance folder."""
    if settings.master_keyset:
        return settings.master_keyset
    if settings.master_keyset_file:
        try:
            return settings.master_keyset_file.read_text()
        except OSError as exc:
            raise SettingsError(f"cannot read MASTER_KEYSET_FILE: {exc.strerror}") from exc
    if settings.is_production:
        raise SettingsError("APP_ENV=production refuses to start without master key material")
    return _development_keyset(settings.instance_dir / DEV_KEYSET_NAME)


def _development_keyset(path: Path) -> str:
    """Create the shared development keyset atomically (first process wins), then read it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(generate_master_keyset())
    log.warning(
        "USING A DEVELOPMENT MASTER KEY from %s: recordings are NOT protected. "
        "Set MASTER_KEYSET or MASTER_KEYSET_FILE for real use.",
        path,
    )
    return path.read_text()


def load_master_key(settings: Settings) -> MasterKey:
    """The master key for wrapping and unwrapping data keys."""
    return MasterKey.from_json(master_keyset_json(settings))
