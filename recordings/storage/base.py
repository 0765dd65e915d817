"""The storage interface: errors, keys, the streaming object writer and the ``Storage`` protocol.

Writing streams through ``writer(key)``; the object appears only when the ``with`` block exits
cleanly, and the writer's ``result`` then describes what was stored::

    with storage.writer(key) as out:
        shutil.copyfileobj(source, out)
    stored = out.result  # StoredObject(key, size, digest)
    storage.verify(stored.key, stored.size, stored.digest)
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import BinaryIO, Protocol

__all__ = [
    "BytesLike",
    "ObjectNotFound",
    "ObjectWriter",
    "Storage",
    "StorageConfigError",
    "StorageError",
    "StorageVerificationError",
    "StoredObject",
    "check_stored",
    "validate_key",
]

_KEY_PATTERN = re.compile(r"[A-Za-z0-9_.\-]+(/[A-Za-z0-9_.\-]+)*")

BytesLike = bytes | bytearray | memoryview


class StorageError(Exception):
    """The store failed or refused an operation."""


class ObjectNotFound(StorageError):
    """No object under that key."""


class StorageVerificationError(StorageError):
    """The stored object is not exactly what was written."""


class StorageConfigError(StorageError):
    """The storage URL or region is not acceptable."""


@dataclass(frozen=True)
class StoredObject:
    """What a writer stored: key, size in bytes and SHA-256 hex digest of the bytes."""

    key: str
    size: int
    digest: str


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative object key, else raise ValueError."""
    if not _KEY_PATTERN.fullmatch(key) or any(part in {".", ".."} for part in key.split("/")):
        raise ValueError(f"invalid storage key: {key!r}")
    return key


class ObjectWriter:
    """Writable stream for one object; a context manager that commits on clean exit.

    ``close()`` commits and sets ``result``; leaving the ``with`` block by an exception (or
    calling ``abort()``) discards everything written.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self.result: StoredObject | None = None
        self.closed = False
        self._size = 0
        self._sha256 = hashlib.sha256()

    def writable(self) -> bool:
        """Return True: this is a writable stream."""
        return True

    def flush(self) -> None:
        """Do nothing: data is committed by ``close()``."""

    def write(self, data: BytesLike) -> int:
        """Append ``data`` to the object."""
        if self.closed:
            raise ValueError("write to a closed object writer")
        size = memoryview(data).nbytes
        self._size += size
        self._write(data)
        return size

    def close(self) -> None:
        """Commit the object and set ``result``; a no-op once closed."""
        if self.closed:
            return
        self.closed = True
        try:
            self._commit()
        except BaseException:
            self._discard_after_failure()
            raise
        self.result = StoredObject(self.key, self._size, self._sha256.hexdigest())

    def abort(self) -> None:
        """Discard everything written; nothing appears in the store."""
        if not self.closed:
            self.closed = True
            self._discard()

    def __enter__(self) -> ObjectWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        elif not self.closed:
            self.closed = True
            self._discard_after_failure()

    def _discard_after_failure(self) -> None:
        # The failure being handled is the error to report; if cleaning up fails too, the
        # leftover is a temporary file or an unfinished upload, never a visible object.
        with suppress(StorageError, OSError):
            self._discard()

    def _write(self, data: BytesLike) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _discard(self) -> None:
        raise NotImplementedError


class Storage(Protocol):
    """A store of opaque objects under validated keys."""

    def writer(self, key: str) -> ObjectWriter:
        """Return a writer whose object appears only when its ``with`` block exits cleanly."""
        ...

    def verify(self, key: str, size: int, digest: str) -> None:
        """Raise StorageVerificationError unless the object has that size and SHA-256 digest."""
        ...

    def open(self, key: str) -> BinaryIO:
        """Return a readable stream of the object; raise ObjectNotFound if missing."""
        ...

    def exists(self, key: str) -> bool:
        """Return whether an object is stored under ``key``."""
        ...

    def delete(self, key: str) -> None:
        """Delete the object; a missing object is fine."""
        ...

    def delete_many(self, keys: Iterable[str]) -> int:
        """Delete the objects and return how many deletions were requested."""
        ...

    def remove_abandoned_writes(self, started_before: datetime) -> int:
        """Remove writes a killed process never finished (begun before the cutoff); how many."""
        ...


def check_stored(
    key: str, size: int, digest: str, actual_size: int | None, actual_digest: str | None
) -> None:
    """Raise StorageVerificationError unless the actual size and digest are the expected ones."""
    if actual_size != size:
        raise StorageVerificationError(f"{key}: stored size {actual_size}, expected {size}")
    if actual_digest != digest:
        raise StorageVerificationError(f"{key}: stored digest differs from {digest}")
