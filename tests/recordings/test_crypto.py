import io
import os

import pytest
import tink
from tink.proto import aes_gcm_hkdf_streaming_pb2, tink_pb2

from recordings.crypto import (
    DataKey,
    DecryptionError,
    InvalidKeysetError,
    MasterKey,
    add_primary_key,
    generate_master_keyset,
)

RECORDING = "RE0123456789abcdef"
SEGMENT = 1024 * 1024  # AES256_GCM_HKDF_1MB ciphertext segment size


def encrypt(data_key: DataKey, plaintext: bytes, recording_id: str = RECORDING) -> bytes:
    destination = io.BytesIO()
    with data_key.encrypting_writer(destination, recording_id) as writer:
        writer.write(plaintext)
    return destination.getvalue()


def decrypt(data_key: DataKey, ciphertext: bytes, recording_id: str = RECORDING) -> bytes:
    with data_key.decrypting_reader(io.BytesIO(ciphertext), recording_id) as reader:
        return reader.read()


@pytest.fixture(scope="module")
def data_key() -> DataKey:
    return DataKey.generate()


@pytest.fixture(scope="module")
def master_key() -> MasterKey:
    return MasterKey.from_json(generate_master_keyset())


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT + 1, 3 * SEGMENT + 17])
def test_round_trip(data_key, size):
    plaintext = os.urandom(size)
    assert decrypt(data_key, encrypt(data_key, plaintext)) == plaintext


def test_streams_leave_the_callers_files_open(data_key):
    destination = io.BytesIO()
    with data_key.encrypting_writer(destination, RECORDING) as writer:
        writer.write(b"audio")
    source = io.BytesIO(destination.getvalue())
    with data_key.decrypting_reader(source, RECORDING) as reader:
        assert reader.read() == b"audio"
    assert not destination.closed and not source.closed


def test_small_reads_return_the_plaintext_in_order(data_key):
    plaintext = os.urandom(SEGMENT + 1000)
    with data_key.decrypting_reader(io.BytesIO(encrypt(data_key, plaintext)), RECORDING) as r:
        chunks = list(iter(lambda: r.read(4096), b""))
    assert b"".join(chunks) == plaintext


@pytest.mark.parametrize("position", [0, 40, SEGMENT // 2, SEGMENT + 100, -1])
def test_one_tampered_byte_is_refused(data_key, position):
    ciphertext = bytearray(encrypt(data_key, os.urandom(2 * SEGMENT)))
    ciphertext[position] ^= 0x01
    with pytest.raises(DecryptionError):
        decrypt(data_key, bytes(ciphertext))


def test_truncated_ciphertext_is_refused(data_key):
    ciphertext = encrypt(data_key, os.urandom(2 * SEGMENT))
    with pytest.raises(DecryptionError):
        decrypt(data_key, ciphertext[:SEGMENT])


def test_another_recording_id_is_refused(data_key):
    with pytest.raises(DecryptionError):
        decrypt(data_key, encrypt(data_key, b"audio"), "RE-other")


def test_another_data_key_is_refused(data_key):
    with pytest.raises(DecryptionError):
        decrypt(DataKey.generate(), encrypt(data_key, b"audio"))


def test_destination_errors_surface_as_they_were(data_key):
    class BrokenStore(io.RawIOBase):
        def writable(self):
            return True

        def write(self, data):
            raise ConnectionResetError("store went away")

    with pytest.raises(ConnectionResetError, match="store went away"):
        with data_key.encrypting_writer(BrokenStore(), RECORDING) as writer:
            writer.write(os.urandom(3 * SEGMENT))


def test_an_error_while_writing_abandons_the_ciphertext(data_key):
    destination = io.BytesIO()
    with pytest.raises(RuntimeError):
        with data_key.encrypting_writer(destination, RECORDING) as writer:
            writer.write(b"half a recording")
            raise RuntimeError("fetch failed")
    with pytest.raises(DecryptionError):
        decrypt(data_key, destination.getvalue())


def test_wrapped_data_key_unwraps_to_the_same_key(master_key, data_key):
    wrapped = master_key.wrap(data_key, RECORDING)
    unwrapped = master_key.unwrap(wrapped, RECORDING)
    assert decrypt(unwrapped, encrypt(data_key, b"audio")) == b"audio"


def secret_of(data_key: DataKey) -> bytes:
    serialized = tink.proto_keyset_format.serialize(
        data_key.keyset_handle, tink.secret_key_access.TOKEN
    )
    key_data = tink_pb2.Keyset.FromString(serialized).key[0].key_data
    return aes_gcm_hkdf_streaming_pb2.AesGcmHkdfStreamingKey.FromString(key_data.value).key_value


def test_wrapped_key_does_not_hold_the_secret_in_clear(master_key, data_key):
    assert len(secret_of(data_key)) == 32
    assert secret_of(data_key) not in master_key.wrap(data_key, RECORDING)


def test_another_master_key_cannot_unwrap(master_key, data_key):
    wrapped = master_key.wrap(data_key, RECORDING)
    with pytest.raises(DecryptionError):
        MasterKey.from_json(generate_master_keyset()).unwrap(wrapped, RECORDING)


def test_unwrap_for_another_recording_is_refused(master_key, data_key):
    wrapped = master_key.wrap(data_key, RECORDING)
    with pytest.raises(DecryptionError):
        master_key.unwrap(wrapped, "RE-other")


@pytest.mark.parametrize("wrapped", [b"", b"garbage", bytes(200)])
def test_unwrap_of_garbage_is_refused(master_key, wrapped):
    with pytest.raises(DecryptionError):
        master_key.unwrap(wrapped, RECORDING)


def test_rotation_keeps_old_wraps_and_wraps_with_the_new_key(data_key):
    old_keyset = generate_master_keyset()
    old, rotated = MasterKey.from_json(old_keyset), MasterKey.from_json(add_primary_key(old_keyset))
    wrapped_before = old.wrap(data_key, RECORDING)
    wrapped_after = rotated.wrap(data_key, RECORDING)

    assert rotated.key_id != old.key_id
    assert secret_of(rotated.unwrap(wrapped_before, RECORDING)) == secret_of(data_key)
    with pytest.raises(DecryptionError):
        old.unwrap(wrapped_after, RECORDING)


def test_key_id_is_the_primary_key_id():
    keyset = add_primary_key(generate_master_keyset())
    assert f'"primaryKeyId": {MasterKey.from_json(keyset).key_id}' in keyset


@pytest.mark.parametrize("keyset", ["", "{}", "not json", '{"primaryKeyId": 1, "key": []}'])
def test_invalid_master_keyset_is_refused(keyset):
    with pytest.raises(InvalidKeysetError):
        MasterKey.from_json(keyset)


def test_streaming_keyset_is_not_a_master_keyset():
    streaming_json = tink.json_proto_keyset_format.serialize(
        DataKey.generate().keyset_handle, tink.secret_key_access.TOKEN
    )
    with pytest.raises(InvalidKeysetError):
        MasterKey.from_json(streaming_json)
