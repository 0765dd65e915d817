"""Where the master key comes from: MASTER_KEYSET, MASTER_KEYSET_FILE, or a development keyset."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from config.production import DEV_KEYSET_NAME
from config.settings import Settings, SettingsError
from recordings.crypto import DataKey, DecryptionError, MasterKey, generate_master_keyset

log = logging.getLogger(__name__)
__all__ = ["DEV_KEYSET_NAME", "FileMasterKey", "load_master_key", "master_keyset_json"]


def master_keyset_json(settings: Settings) -> str:
    """The master keyset JSON; in development, generated once into the instance folder."""
    if settings.master_keyset:
        return _not_the_development_keyset(settings, settings.master_keyset)
    if settings.master_keyset_file:
        try:
            keyset_json = settings.master_keyset_file.read_text()
        except OSError as exc:
            raise SettingsError(f"cannot read MASTER_KEYSET_FILE: {exc.strerror}") from exc
        return _not_the_development_keyset(settings, keyset_json)
    if settings.is_production:
        raise SettingsError("APP_ENV=production refuses to start without master key material")
    return _development_keyset(settings.instance_dir / DEV_KEYSET_NAME)


def _not_the_development_keyset(settings: Settings, keyset_json: str) -> str:
    """The keyset, unless production was given the development one (a copy of it included)."""
    development = settings.instance_dir / DEV_KEYSET_NAME
    if settings.is_production and development.is_file():
        if development.read_text().strip() == keyset_json.strip():
            raise SettingsError(
                f"APP_ENV=production refuses the development master keyset ({development})"
            )
    return keyset_json


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
    """The master key for wrapping and unwrapping data keys; a file-based one follows rotations."""
    keyset_json = master_keyset_json(settings)
    if settings.master_keyset:
        return MasterKey.from_json(keyset_json)
    path = settings.master_keyset_file or settings.instance_dir / DEV_KEYSET_NAME
    return FileMasterKey(path, keyset_json)


class FileMasterKey(MasterKey):
    """A master key read from a keyset file, re-read when the file changes.

    `keys rotate` replaces the file (a new primary key, old keys kept) and re-wraps every data
    key under the new key. A running process notices: before wrapping when the file's
    modification stamp moved, and before giving up on a wrapped key it cannot open (the key
    that wrapped it may be one it does not hold yet). No restart is needed.
    """

    def __init__(self, path: Path, keyset_json: str) -> None:
        self._path = path
        self._stamp = self._file_stamp()
        self._lock = threading.Lock()
        super().__init__(MasterKey.from_json(keyset_json)._handle)

    def _file_stamp(self) -> tuple[int, int] | None:
        try:
            stat = self._path.stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def reload(self, *, force: bool = False) -> bool:
        """Re-read the keyset file if it changed (or `force`); True when the keys changed."""
        stamp = self._file_stamp()
        if stamp is None or (stamp == self._stamp and not force):
            return False
        with self._lock:
            try:
                fresh = MasterKey.from_json(self._path.read_text())
            except (OSError, ValueError) as exc:  # a half-replaced or unreadable file: keep ours
                log.warning("could not re-read the master keyset %s: %s", self._path, exc)
                return False
            changed = str(fresh._handle.keyset_info()) != str(self._handle.keyset_info())
            self._handle, self._aead, self._stamp = fresh._handle, fresh._aead, stamp
        if changed:
            log.info("master keyset reloaded from %s (primary %s)", self._path, self.key_id)
        return changed

    @property
    def key_id(self) -> str:
        """Id of the primary key of the newest keyset in the file."""
        self.reload()
        return super().key_id

    def wrap(self, data_key: DataKey, recording_id: str) -> bytes:
        """Wrap under the newest primary key."""
        self.reload()
        return super().wrap(data_key, recording_id)

    def unwrap(self, wrapped: bytes, recording_id: str) -> DataKey:
        """Unwrap; on failure re-read the file once, in case a rotation added the key."""
        try:
            return super().unwrap(wrapped, recording_id)
        except DecryptionError:
            if not self.reload(force=True):
                raise
        return super().unwrap(wrapped, recording_id)
