"""Envelope encryption of recordings with Google Tink.

Each recording is encrypted with its own streaming-AEAD data keyset (``DataKey``). The data
keyset is wrapped (encrypted) by the master AEAD keyset (``MasterKey``) and stored with the
recording's row; deleting the wrapped key crypto-shreds the audio. The recording id is the
associated data of both the audio ciphertext and the wrapped key, so neither can be moved to
another recording.
"""

from __future__ import annotations

import hmac
import io
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import BinaryIO

import tink
from tink import aead, secret_key_access, streaming_aead
from tink.proto import tink_pb2

__all__ = [
    "DataKey",
    "DecryptionError",
    "EncryptingWriter",
    "InvalidKeysetError",
    "MasterKey",
    "PlaintextReader",
    "add_primary_key",
    "generate_master_keyset",
]

aead.register()
streaming_aead.register()

_MASTER_TEMPLATE = aead.aead_key_templates.AES256_GCM
_DATA_TEMPLATE = streaming_aead.streaming_aead_key_templates.AES256_GCM_HKDF_1MB

_Bytes = bytes | bytearray | memoryview


class DecryptionError(Exception):
    """Ciphertext or wrapped key is corrupt, tampered with, or belongs to another recording."""


class InvalidKeysetError(ValueError):
    """The master keyset is not a valid Tink AEAD keyset."""


def generate_master_keyset() -> str:
    """Return a new AES256_GCM AEAD keyset as cleartext JSON."""
    handle = tink.new_keyset_handle(_MASTER_TEMPLATE)
    return tink.json_proto_keyset_format.serialize(handle, secret_key_access.TOKEN)


def add_primary_key(keyset_json: str) -> str:
    """Return the keyset with a new AES256_GCM key made primary; old keys still decrypt."""
    keyset = _keyset_proto(_parse_master_keyset(keyset_json))
    new_key = _keyset_proto(tink.new_keyset_handle(_MASTER_TEMPLATE)).key[0]
    while new_key.key_id in {key.key_id for key in keyset.key}:
        new_key = _keyset_proto(tink.new_keyset_handle(_MASTER_TEMPLATE)).key[0]
    keyset.key.append(new_key)
    keyset.primary_key_id = new_key.key_id
    handle = tink.proto_keyset_format.parse(keyset.SerializeToString(), secret_key_access.TOKEN)
    return tink.json_proto_keyset_format.serialize(handle, secret_key_access.TOKEN)


def _keyset_proto(handle: tink.KeysetHandle) -> tink_pb2.Keyset:
    serialized = tink.proto_keyset_format.serialize(handle, secret_key_access.TOKEN)
    return tink_pb2.Keyset.FromString(serialized)


def _parse_master_keyset(keyset_json: str) -> tink.KeysetHandle:
    try:
        handle = tink.json_proto_keyset_format.parse(keyset_json, secret_key_access.TOKEN)
        handle.primitive(aead.Aead)
    except (tink.TinkError, ValueError):
        # The message never includes the keyset: it holds secret key material.
        raise InvalidKeysetError("master keyset is not a valid Tink AEAD keyset") from None
    return handle


def _associated_data(recording_id: str) -> bytes:
    if not recording_id:
        raise ValueError("recording_id must not be empty")
    return recording_id.encode("utf-8")


class DataKey:
    """A per-recording streaming-AEAD keyset (AES256_GCM_HKDF_1MB)."""

    def __init__(self, keyset_handle: tink.KeysetHandle) -> None:
        self.keyset_handle = keyset_handle
        self._primitive = keyset_handle.primitive(streaming_aead.StreamingAead)

    @classmethod
    def generate(cls) -> DataKey:
        """Return a fresh data key for one recording."""
        return cls(tink.new_keyset_handle(_DATA_TEMPLATE))

    def encrypting_writer(self, destination: BinaryIO, recording_id: str) -> EncryptingWriter:
        """Return a stream encrypting into ``destination``; closing it leaves that open."""
        sink = _CiphertextSink(destination)
        stream = self._primitive.new_encrypting_stream(sink, _associated_data(recording_id))
        return EncryptingWriter(stream, sink)

    def decrypting_reader(self, source: BinaryIO, recording_id: str) -> PlaintextReader:
        """Return a stream of the plaintext of ``source``; closing it leaves ``source`` open."""
        proxy = _CiphertextSource(source)
        try:
            stream = self._primitive.new_decrypting_stream(proxy, _associated_data(recording_id))
        except tink.TinkError as exc:
            raise DecryptionError(f"cannot decrypt recording {recording_id}") from exc
        return PlaintextReader(stream, recording_id)


class MasterKey:
    """The master AEAD keyset that wraps data keys: the primary key wraps, all keys unwrap."""

    def __init__(self, keyset_handle: tink.KeysetHandle) -> None:
        self._handle = keyset_handle
        self._aead = keyset_handle.primitive(aead.Aead)

    @classmethod
    def from_json(cls, keyset_json: str) -> MasterKey:
        """Load a cleartext JSON AEAD keyset; raise InvalidKeysetError if it is not one."""
        return cls(_parse_master_keyset(keyset_json))

    def derived_key(self, purpose: bytes) -> bytes:
        """A 32-byte key for `purpose`, by HKDF-SHA256 from the keyset's first (oldest) key.

        Rotation appends keys and keeps the old ones, so the derived key never changes.
        """
        first = _keyset_proto(self._handle).key[0]
        extracted = hmac.digest(bytes(32), first.key_data.value, "sha256")  # RFC 5869, one block
        return hmac.digest(extracted, purpose + b"\x01", "sha256")

    @property
    def key_id(self) -> str:
        """Id of the primary key, the one new wraps use."""
        return str(self._handle.keyset_info().primary_key_id)

    def wrap(self, data_key: DataKey, recording_id: str) -> bytes:
        """Encrypt ``data_key`` under the primary key, bound to ``recording_id``."""
        return tink.proto_keyset_format.serialize_encrypted(
            data_key.keyset_handle, self._aead, _associated_data(recording_id)
        )

    def unwrap(self, wrapped: bytes, recording_id: str) -> DataKey:
        """Decrypt a wrapped data key; raise DecryptionError if it is not for ``recording_id``."""
        try:
            handle = tink.proto_keyset_format.parse_encrypted(
                wrapped, self._aead, _associated_data(recording_id)
            )
            return DataKey(handle)
        except tink.TinkError as exc:
            raise DecryptionError(f"cannot unwrap data key of recording {recording_id}") from exc


class _CiphertextSink(io.RawIOBase):
    """Forwards ciphertext to the caller's file without ever closing it.

    Tink closes the file it writes to and reports the file's errors as a TinkError holding only
    their text, so the original exception is kept here to be re-raised as it was.
    """

    def __init__(self, destination: BinaryIO) -> None:
        super().__init__()
        self._destination = destination
        self.error: BaseException | None = None
        self.discarding = False

    def writable(self) -> bool:
        return True

    def write(self, data: _Bytes) -> int:
        if self.discarding:
            return len(memoryview(data))
        try:
            return self._destination.write(data)
        except BaseException as exc:
            self.error = exc
            raise


class _CiphertextSource(io.RawIOBase):
    """Reads from the caller's file without ever closing it."""

    def __init__(self, source: BinaryIO) -> None:
        super().__init__()
        self._source = source

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._source.read(-1 if size is None else size)


class EncryptingWriter(io.RawIOBase):
    """Writable stream of plaintext; ``close()`` writes the final ciphertext segment.

    Leaving its ``with`` block by an exception abandons the ciphertext instead of completing it.
    """

    def __init__(self, stream: BinaryIO, sink: _CiphertextSink) -> None:
        super().__init__()
        self._stream = stream
        self._sink = sink

    def writable(self) -> bool:
        return True

    def write(self, data: _Bytes) -> int:
        with _original_errors(self._sink):
            return self._stream.write(data)

    def close(self) -> None:
        if self.closed:
            return
        try:
            with _original_errors(self._sink):
                self._stream.close()
        finally:
            super().close()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is not None:
            self._sink.discarding = True
        self.close()


@contextmanager
def _original_errors(sink: _CiphertextSink) -> Iterator[None]:
    """Turn Tink's wrapping of a destination error back into the original exception."""
    try:
        yield
    except tink.TinkError:
        if sink.error is not None:
            raise sink.error from None
        raise


class PlaintextReader(io.RawIOBase):
    """Readable stream of decrypted audio; raises DecryptionError on any authentication failure."""

    def __init__(self, stream: BinaryIO, recording_id: str) -> None:
        super().__init__()
        self._stream = stream
        self._recording_id = recording_id

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        try:
            return self._stream.read(-1 if size is None else size)
        except tink.TinkError as exc:
            raise DecryptionError(
                f"recording {self._recording_id}: ciphertext is corrupt, tampered with, "
                "or encrypted for another recording"
            ) from exc

    def readinto(self, buffer: _Bytes) -> int:
        view = memoryview(buffer).cast("B")
        data = self.read(len(view))
        view[: len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        return self.read(-1)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()
