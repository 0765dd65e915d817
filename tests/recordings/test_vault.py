"""recordings.vault: encrypt → store → verify, and unwrap → open → decrypt, on both stores."""

import hashlib
import io
import os

import pytest

from recordings.crypto import DecryptionError, MasterKey, generate_master_keyset
from recordings.storage import LocalStorage, ObjectNotFound
from recordings.vault import CHUNK, open_decrypted, put_encrypted

RECORDING = "RE0123456789abcdef"
KEY = "recordings/2026/11/RE0123456789abcdef.enc"


@pytest.fixture(scope="module")
def master_key() -> MasterKey:
    return MasterKey.from_json(generate_master_keyset())


def read_all(storage, master_key, encrypted, object_id: str = RECORDING) -> bytes:
    with open_decrypted(
        storage, master_key, encrypted.stored.key, encrypted.wrapped_key, object_id
    ) as plain:
        return plain.read()


@pytest.mark.parametrize("size", [0, 1, CHUNK + 17])
def test_chunks_round_trip_and_what_was_stored_is_described(storage, master_key, size):
    plaintext = os.urandom(size)
    pieces = [plaintext[i : i + 4096] for i in range(0, size, 4096)]
    encrypted = put_encrypted(storage, master_key, KEY, RECORDING, pieces)
    assert encrypted.plaintext_size == size
    assert encrypted.plaintext_sha256 == hashlib.sha256(plaintext).hexdigest()
    assert encrypted.stored.key == KEY and encrypted.stored.size > size
    assert (encrypted.object_id, encrypted.master_key_id) == (RECORDING, master_key.key_id)
    storage.verify(KEY, encrypted.stored.size, encrypted.stored.digest)
    assert read_all(storage, master_key, encrypted) == plaintext


def test_a_file_is_read_in_chunks_never_whole(local_storage, master_key):
    sizes = []

    class Source(io.BytesIO):
        def read(self, size=-1):
            sizes.append(size)
            return super().read(size)

    plaintext = os.urandom(2 * CHUNK + 5)
    encrypted = put_encrypted(local_storage, master_key, KEY, RECORDING, Source(plaintext))
    assert sizes and all(0 < size <= CHUNK for size in sizes)
    assert read_all(local_storage, master_key, encrypted) == plaintext


def test_the_store_never_holds_the_plaintext(local_storage, master_key):
    plaintext = b"caller: my date of birth is" * 1000
    put_encrypted(local_storage, master_key, KEY, RECORDING, [plaintext])
    with local_storage.open(KEY) as stored:
        assert b"date of birth" not in stored.read()


def test_the_object_and_its_key_are_bound_to_their_id(local_storage, master_key):
    encrypted = put_encrypted(local_storage, master_key, KEY, RECORDING, [b"audio"])
    with pytest.raises(DecryptionError):
        read_all(local_storage, master_key, encrypted, object_id="RE-another")


def test_a_failing_source_leaves_nothing_stored(local_storage, master_key):
    def media():
        yield b"first chunk"
        raise OSError("connection reset")

    with pytest.raises(OSError, match="connection reset"):
        put_encrypted(local_storage, master_key, KEY, RECORDING, media())
    assert not local_storage.exists(KEY)


def test_a_failed_verification_is_raised(local_storage, master_key, monkeypatch):
    def verify(key, size, digest):
        raise ValueError("the store lost it")

    monkeypatch.setattr(local_storage, "verify", verify)
    with pytest.raises(ValueError, match="lost it"):
        put_encrypted(local_storage, master_key, KEY, RECORDING, [b"audio"])


class ClosingSpy(LocalStorage):
    """A local store that remembers the objects it opened."""

    def __init__(self, root):
        super().__init__(root)
        self.opened = []

    def open(self, key):
        handle = super().open(key)
        self.opened.append(handle)
        return handle


def test_closing_the_plaintext_closes_the_stored_object(tmp_path, master_key):
    storage = ClosingSpy(tmp_path)
    encrypted = put_encrypted(storage, master_key, KEY, RECORDING, [b"audio"])
    plain = open_decrypted(storage, master_key, KEY, encrypted.wrapped_key, RECORDING)
    assert plain.read(2) == b"au"
    plain.close()
    assert plain.closed and storage.opened[-1].closed


def test_chunks_yield_what_was_read_first_then_the_rest_and_close(tmp_path, master_key):
    storage = ClosingSpy(tmp_path)
    encrypted = put_encrypted(storage, master_key, KEY, RECORDING, [b"0123456789"])
    plain = open_decrypted(storage, master_key, KEY, encrypted.wrapped_key, RECORDING)
    first = plain.read(4)
    assert list(plain.chunks(4, first)) == [b"0123", b"4567", b"89"]
    assert plain.closed and storage.opened[-1].closed


def test_a_wrong_id_fails_before_the_object_is_opened(tmp_path, master_key):
    storage = ClosingSpy(tmp_path)
    encrypted = put_encrypted(storage, master_key, KEY, RECORDING, [b"audio"])
    storage.opened.clear()
    with pytest.raises(DecryptionError):
        open_decrypted(storage, master_key, KEY, encrypted.wrapped_key, "RE-another")
    assert storage.opened == []


def test_a_missing_object_is_the_stores_error(local_storage, master_key):
    encrypted = put_encrypted(local_storage, master_key, KEY, RECORDING, [b"audio"])
    local_storage.delete(KEY)
    with pytest.raises(ObjectNotFound):
        open_decrypted(local_storage, master_key, KEY, encrypted.wrapped_key, RECORDING)
