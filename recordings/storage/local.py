"""Recordings as files under a root directory (the embedded default, ``file:///dir``)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from contextlib import suppress
from datetime import datetime
from pathlib import Path
from typing import IO, BinaryIO

from recordings.storage.base import (
    BytesLike,
    ObjectNotFound,
    ObjectWriter,
    StorageVerificationError,
    check_stored,
    validate_key,
)

__all__ = ["LocalStorage"]

_READ_CHUNK = 1024 * 1024


class _LocalWriter(ObjectWriter):
    """Writes to a temporary file in the target directory, renamed into place on commit."""

    def __init__(self, key: str, path: Path) -> None:
        super().__init__(key)
        self._path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[bytes] = tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
        )

    def _write(self, data: BytesLike) -> None:
        self._sha256.update(data)
        self._file.write(data)

    def _commit(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())  # Twilio's copy is deleted next: make ours durable
        self._file.close()
        os.replace(self._file.name, self._path)
        _fsync_directory(self._path.parent)

    def _discard(self) -> None:
        self._file.close()
        Path(self._file.name).unlink(missing_ok=True)


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class LocalStorage:
    """Objects as files under a root directory."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def writer(self, key: str) -> ObjectWriter:
        """Return a writer that renames a temporary file into place on commit."""
        return _LocalWriter(key, self._path(key))

    def verify(self, key: str, size: int, digest: str) -> None:
        """Check the size, then re-hash the whole file.

        A local file has no checksum kept by the store, so re-reading it is the only honest
        check; it reads from the page cache just after writing, far faster than the fetch.
        """
        path = self._path(key)
        try:
            actual_size = path.stat().st_size
            actual_digest = _sha256_file(path) if actual_size == size else None
        except FileNotFoundError:
            raise StorageVerificationError(f"{key}: object is missing") from None
        check_stored(key, size, digest, actual_size, actual_digest)

    def open(self, key: str) -> BinaryIO:
        """Return the file opened for reading."""
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise ObjectNotFound(key) from None

    def exists(self, key: str) -> bool:
        """Return whether the file exists."""
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove the file if present."""
        self._path(key).unlink(missing_ok=True)

    def delete_many(self, keys: Iterable[str]) -> int:
        """Remove the files and return how many were requested."""
        paths = [self._path(key) for key in keys]
        for path in paths:
            path.unlink(missing_ok=True)
        return len(paths)

    def remove_abandoned_writes(self, started_before: datetime) -> int:
        """Delete temporary `.part` files last written before the cutoff (never objects)."""
        cutoff = started_before.timestamp()
        removed = 0
        for path in self.root.rglob(".*.part"):
            with suppress(FileNotFoundError):  # finished or removed meanwhile
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
        return removed


def _sha256_file(path: Path) -> str:
    sha256 = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_READ_CHUNK):
            sha256.update(chunk)
    return sha256.hexdigest()
