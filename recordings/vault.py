"""The one way in and out of the store for anything secret: encrypt → store → verify, and back.

`put_encrypted` streams plaintext through a fresh data key into the store, verifies the object
(size and SHA-256 of what was stored) and only then wraps the data key under the master key.
`open_decrypted` unwraps the key, opens the object and returns a reader of its plaintext whose
`close()` closes the stored object too. Both stream: memory use does not grow with the object.

`object_id` is the associated data of both the ciphertext and the wrapped key (a recording's
RecordingSid, a package's id), so neither can be moved to another object.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from recordings.crypto import DataKey, MasterKey, PlaintextReader
from recordings.storage import Storage, StoredObject

__all__ = ["CHUNK", "DecryptedObject", "EncryptedObject", "open_decrypted", "put_encrypted"]

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class EncryptedObject:
    """What `put_encrypted` stored and verified, with the data key wrapped for it."""

    object_id: str
    stored: StoredObject  # the ciphertext: key, size and SHA-256
    wrapped_key: bytes
    master_key_id: str  # the master key that wrapped it
    plaintext_size: int
    plaintext_sha256: str


def _chunks(plaintext: Iterable[bytes] | BinaryIO) -> Iterator[bytes]:
    """The plaintext in chunks: a file is read CHUNK bytes at a time, never by lines."""
    if not hasattr(plaintext, "read"):
        yield from plaintext
        return
    while chunk := plaintext.read(CHUNK):
        yield chunk


def put_encrypted(
    storage: Storage,
    master_key: MasterKey,
    key: str,
    object_id: str,
    plaintext: Iterable[bytes] | BinaryIO,
) -> EncryptedObject:
    """Encrypt chunks (or a file) into the store under `key`, verify it, wrap its data key.

    An exception from `plaintext` or the store leaves nothing committed under `key`.
    """
    data_key = DataKey.generate()
    plain_hash, size = hashlib.sha256(), 0
    with storage.writer(key) as out:
        with data_key.encrypting_writer(out, object_id) as sink:
            for chunk in _chunks(plaintext):
                plain_hash.update(chunk)
                size += len(chunk)
                sink.write(chunk)
    stored = out.result
    assert stored is not None  # set by a clean exit of the writer
    storage.verify(stored.key, stored.size, stored.digest)
    wrapped = master_key.wrap(data_key, object_id)
    return EncryptedObject(
        object_id, stored, wrapped, master_key.key_id, size, plain_hash.hexdigest()
    )


class DecryptedObject(io.RawIOBase):
    """Readable plaintext of a stored object; closing it closes the stored object too."""

    def __init__(self, reader: PlaintextReader, source: BinaryIO) -> None:
        super().__init__()
        self._reader = reader
        self._source = source

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        """Up to `size` bytes of plaintext; DecryptionError if the ciphertext is not authentic."""
        return self._reader.read(size)

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        return self._reader.readinto(buffer)

    def readall(self) -> bytes:
        return self._reader.read(-1)

    def chunks(self, size: int = CHUNK, first: bytes | None = None) -> Iterator[bytes]:
        """Yield the plaintext (after `first`, already read) in chunks, then close."""
        try:
            chunk = self.read(size) if first is None else first
            while chunk:
                yield chunk
                chunk = self.read(size)
        finally:
            self.close()

    def close(self) -> None:
        if self.closed:
            return
        try:
            self._reader.close()
        finally:
            try:
                self._source.close()
            finally:
                super().close()


def open_decrypted(
    storage: Storage, master_key: MasterKey, key: str, wrapped_key: bytes, object_id: str
) -> DecryptedObject:
    """Unwrap the data key and open the object at `key` for reading its plaintext.

    Raises DecryptionError if the wrapped key or the ciphertext's header is not `object_id`'s,
    and the store's errors (ObjectNotFound) if the object cannot be opened.
    """
    data_key = master_key.unwrap(wrapped_key, object_id)
    source = storage.open(key)
    try:
        reader = data_key.decrypting_reader(source, object_id)
    except BaseException:
        source.close()
        raise
    return DecryptedObject(reader, source)
