import hashlib
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from recordings.crypto import DataKey, DecryptionError
from recordings.storage import (
    DEFAULT_ALLOWED_REGIONS,
    LocalStorage,
    ObjectNotFound,
    S3Storage,
    StorageConfigError,
    StorageVerificationError,
    storage_from_url,
)
from tests.fixtures.s3 import REGION, TEST_PART_SIZE, s3_client

RECORDING = "RE0123456789abcdef"
KEY = "2024/05/RE0123456789abcdef.wav.enc"
MiB = 1024 * 1024


def fake_wav(size: int) -> bytes:
    """A WAV-like plaintext: RIFF header, then silence and a repeating tone."""
    header = b"RIFF" + max(size - 8, 0).to_bytes(4, "little") + b"WAVEfmt " + bytes(24) + b"data"
    body = (bytes(4000) + bytes(range(256)) * 16) * (size // 8096 + 1)
    return (header + body)[:size]


def chunks(data: bytes, size: int = 64 * 1024):
    return (data[i : i + size] for i in range(0, len(data), size))


def store_encrypted(storage, key: str, plaintext: bytes, data_key: DataKey):
    with storage.writer(key) as out, data_key.encrypting_writer(out, RECORDING) as encrypting:
        for chunk in chunks(plaintext):
            encrypting.write(chunk)
    return out.result


def read_decrypted(storage, key: str, data_key: DataKey, recording_id: str = RECORDING) -> bytes:
    with storage.open(key) as stored, data_key.decrypting_reader(stored, recording_id) as plain:
        return plain.read()


def read_stored(storage, key: str) -> bytes:
    with storage.open(key) as stored:
        return stored.read()


def write_plain(storage, key: str, data: bytes):
    with storage.writer(key) as out:
        out.write(data)
    return out.result


def overwrite_behind_its_back(storage, key: str, data: bytes) -> None:
    if isinstance(storage, S3Storage):
        storage.client.put_object(Bucket=storage.bucket, Key=storage.object_name(key), Body=data)
    else:
        (storage.root / key).write_bytes(data)


def leftovers(storage) -> list[str]:
    """Every object, temporary file or unfinished upload in the store."""
    if isinstance(storage, S3Storage):
        objects = storage.client.list_objects_v2(Bucket=storage.bucket).get("Contents", [])
        uploads = storage.client.list_multipart_uploads(Bucket=storage.bucket).get("Uploads", [])
        return [o["Key"] for o in objects] + [u["Key"] for u in uploads]
    return [str(p) for p in storage.root.rglob("*") if p.is_file()] if storage.root.exists() else []


def holds_run_of(stored: bytes, plaintext: bytes, run: int = 64) -> bool:
    """Whether any ``run`` consecutive plaintext bytes appear in ``stored``."""
    # Any run of 64 bytes contains a whole 32-byte block aligned on 32, so checking those suffices.
    half = run // 2
    blocks = {plaintext[i : i + half] for i in range(0, len(plaintext) - half + 1, half)}
    return any(block in stored for block in blocks)


@pytest.fixture(scope="module")
def data_key() -> DataKey:
    return DataKey.generate()


# --- round trip and confidentiality ---------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1000, 2 * TEST_PART_SIZE + 12345])
def test_encrypted_round_trip(storage, data_key, size):
    plaintext = fake_wav(size)
    stored = store_encrypted(storage, KEY, plaintext, data_key)

    assert read_decrypted(storage, KEY, data_key) == plaintext
    assert stored.size == len(read_stored(storage, KEY))
    assert stored.digest == hashlib.sha256(read_stored(storage, KEY)).hexdigest()


def test_large_object_is_a_multipart_upload(s3_storage, data_key):
    store_encrypted(s3_storage, KEY, fake_wav(2 * TEST_PART_SIZE + 1), data_key)
    head = s3_storage.client.head_object(Bucket=s3_storage.bucket, Key="recordings/" + KEY)
    assert head["ETag"].strip('"').endswith("-3")
    assert head["ServerSideEncryption"] == "AES256"


def test_stored_bytes_reveal_no_audio(storage, data_key):
    plaintext = fake_wav(TEST_PART_SIZE + 1000)
    store_encrypted(storage, KEY, plaintext, data_key)
    stored = read_stored(storage, KEY)

    assert b"RIFF" not in stored and b"WAVE" not in stored
    assert not holds_run_of(stored, plaintext)
    assert holds_run_of(plaintext[1000:5000], plaintext)  # the check itself can see a run


def test_tampered_stored_byte_is_refused(storage, data_key):
    store_encrypted(storage, KEY, fake_wav(100_000), data_key)
    stored = bytearray(read_stored(storage, KEY))
    stored[len(stored) // 2] ^= 0x01
    write_plain(storage, KEY, bytes(stored))

    with pytest.raises(DecryptionError):
        read_decrypted(storage, KEY, data_key)


def test_wrong_recording_id_is_refused(storage, data_key):
    store_encrypted(storage, KEY, fake_wav(100_000), data_key)
    with pytest.raises(DecryptionError):
        read_decrypted(storage, KEY, data_key, "RE-other")


# --- writing is all or nothing ---------------------------------------------------------------


@pytest.mark.parametrize("size", [1000, 2 * TEST_PART_SIZE + 1])
def test_writer_aborted_by_an_error_leaves_nothing(storage, data_key, size):
    with pytest.raises(RuntimeError, match="fetch failed"):
        with storage.writer(KEY) as out, data_key.encrypting_writer(out, RECORDING) as enc:
            enc.write(fake_wav(size))
            raise RuntimeError("fetch failed")

    assert out.result is None
    assert not storage.exists(KEY)
    assert leftovers(storage) == []


def test_failed_part_upload_surfaces_and_leaves_nothing(s3_storage, data_key):
    def fail_second_part(params, **_):
        if params["PartNumber"] == 2:
            raise ConnectionResetError("connection reset by store")

    s3_storage.client.meta.events.register("before-parameter-build.s3.UploadPart", fail_second_part)
    with pytest.raises(ConnectionResetError):
        store_encrypted(s3_storage, KEY, fake_wav(4 * TEST_PART_SIZE), data_key)
    assert leftovers(s3_storage) == []


def test_object_is_invisible_until_the_writer_exits(storage):
    with storage.writer(KEY) as out:
        out.write(b"x" * (TEST_PART_SIZE + 1))
        assert not storage.exists(KEY)
    assert storage.exists(KEY)


def test_writer_result_describes_the_bytes(storage):
    stored = write_plain(storage, KEY, b"stored bytes")
    assert (stored.key, stored.size) == (KEY, 12)
    assert stored.digest == hashlib.sha256(b"stored bytes").hexdigest()


# --- verification ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1000, TEST_PART_SIZE + 1])
def test_verify_accepts_what_was_written(storage, size):
    stored = write_plain(storage, KEY, os.urandom(size))
    storage.verify(KEY, stored.size, stored.digest)


def test_verify_detects_wrong_size(storage):
    stored = write_plain(storage, KEY, b"abc")
    with pytest.raises(StorageVerificationError, match="size"):
        storage.verify(KEY, stored.size + 1, stored.digest)


def test_verify_detects_wrong_digest(storage):
    stored = write_plain(storage, KEY, b"abc")
    with pytest.raises(StorageVerificationError):
        storage.verify(KEY, stored.size, hashlib.sha256(b"abd").hexdigest())


@pytest.mark.parametrize("size", [1000, TEST_PART_SIZE + 1])
def test_verify_detects_an_object_replaced_behind_its_back(storage, size):
    stored = write_plain(storage, KEY, os.urandom(size))
    overwrite_behind_its_back(storage, KEY, os.urandom(size))
    with pytest.raises(StorageVerificationError):
        storage.verify(KEY, stored.size, stored.digest)


@pytest.mark.parametrize("size", [1000, TEST_PART_SIZE + 1])  # metadata; tags (multipart)
def test_verify_compares_s3s_own_etag_not_just_the_saved_digests(s3_storage, size):
    stored = write_plain(s3_storage, KEY, b"a" * size)
    client, bucket, name = s3_storage.client, s3_storage.bucket, s3_storage.object_name(KEY)
    metadata = client.head_object(Bucket=bucket, Key=name)["Metadata"]
    tags = client.get_object_tagging(Bucket=bucket, Key=name)["TagSet"]
    # Other bytes put behind its back, with the digests of the ones written copied over.
    client.put_object(Bucket=bucket, Key=name, Body=b"b" * size, Metadata=metadata)
    if tags:
        client.put_object_tagging(Bucket=bucket, Key=name, Tagging={"TagSet": tags})
    with pytest.raises(StorageVerificationError, match="ETag"):
        s3_storage.verify(KEY, stored.size, stored.digest)


@pytest.mark.parametrize(
    ("size", "writes", "reads"),
    [
        (1000, ["PutObject"], ["HeadObject"]),
        (
            TEST_PART_SIZE + 1,
            ["CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload", "PutObjectTagging"],
            ["HeadObject", "GetObjectTagging"],
        ),
    ],
)  # fmt: skip
def test_the_s3_requests_an_object_costs_to_write_and_to_verify(s3_storage, size, writes, reads):
    """One PUT, then one HEAD, for an object under the part size: its digests are known before
    the PUT, which carries them as metadata. A multipart upload's are known only at its end,
    so they are tagged afterwards and read back as tags."""
    called: list[str] = []
    s3_storage.client.meta.events.register(
        "before-call.s3.*", lambda model, **_: called.append(model.name)
    )
    stored = write_plain(s3_storage, KEY, os.urandom(size))
    assert sorted(called) == sorted(writes)
    called.clear()
    s3_storage.verify(KEY, stored.size, stored.digest)
    assert called == reads


def test_verify_detects_a_missing_object(storage):
    with pytest.raises(StorageVerificationError, match="missing"):
        storage.verify(KEY, 3, hashlib.sha256(b"abc").hexdigest())


# --- reading and deleting -------------------------------------------------------------------


def test_open_missing_object(storage):
    with pytest.raises(ObjectNotFound):
        storage.open(KEY)


def test_delete_is_idempotent(storage):
    write_plain(storage, KEY, b"abc")
    storage.delete(KEY)
    storage.delete(KEY)
    assert not storage.exists(KEY)


def test_delete_many_batches_by_1000(s3_storage):
    keys = [f"batch/{i:04d}" for i in range(2500)]
    for key in keys[::25]:  # moto stores ~150 objects/s: a sample spread over every batch
        s3_storage.client.put_object(
            Bucket=s3_storage.bucket, Key=s3_storage.object_name(key), Body=b"x"
        )
    batch_sizes = []

    def count(params, **_):
        batch_sizes.append(len(params["Delete"]["Objects"]))

    s3_storage.client.meta.events.register("before-parameter-build.s3.DeleteObjects", count)

    assert s3_storage.delete_many(keys) == 2500
    assert batch_sizes == [1000, 1000, 500]
    assert leftovers(s3_storage) == []


def test_delete_many_local(local_storage):
    keys = [f"batch/{i}" for i in range(20)]
    for key in keys:
        write_plain(local_storage, key, b"x")
    assert local_storage.delete_many(keys + ["batch/never-written"]) == 21
    assert leftovers(local_storage) == []


@pytest.mark.parametrize(
    "key", ["", "/abs", "../up", "a/../b", "a//b", "a/", "./a", "sp ace", "semi;colon", "é"]
)
def test_unsafe_keys_are_refused(storage, key):
    with pytest.raises(ValueError):
        storage.writer(key)
    with pytest.raises(ValueError):
        storage.exists(key)


# --- configuration --------------------------------------------------------------------------


def test_file_url_creates_the_directory(tmp_path):
    storage = storage_from_url(f"file://{tmp_path}/store/recordings")
    assert isinstance(storage, LocalStorage)
    assert (tmp_path / "store" / "recordings").is_dir()


def test_s3_url(s3_server):
    storage = storage_from_url(
        "s3://bucket-name/some/prefix", endpoint_url=s3_server, region=REGION
    )
    assert isinstance(storage, S3Storage)
    assert (storage.bucket, storage.object_name("a")) == ("bucket-name", "some/prefix/a")
    assert storage.client.meta.region_name == REGION


def test_region_outside_the_allow_list_is_refused():
    with pytest.raises(StorageConfigError) as refused:
        storage_from_url("s3://bucket-name/p", region="us-east-1")
    assert "us-east-1" in str(refused.value)
    assert all(region in str(refused.value) for region in DEFAULT_ALLOWED_REGIONS)


def test_allowed_regions_can_be_narrowed():
    with pytest.raises(StorageConfigError, match="eu-west-1"):
        storage_from_url("s3://bucket-name/p", region="eu-west-1", allowed_regions=["eu-west-2"])


def test_missing_region_is_refused(monkeypatch, tmp_path):
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    with pytest.raises(StorageConfigError, match="region"):
        storage_from_url("s3://bucket-name/p")


@pytest.mark.parametrize(
    "url",
    ["gs://bucket/p", "https://example.org/x", "/var/recordings", "file://relative/dir", "s3:///p"],
)
def test_bad_urls_are_refused(url):
    with pytest.raises(StorageConfigError):
        storage_from_url(url, region=REGION)


# --- memory ---------------------------------------------------------------------------------

MEMORY_SCRIPT = textwrap.dedent(
    """
    import json, os, resource, sys
    from recordings.crypto import DataKey
    from recordings.storage import S3Storage
    from tests.fixtures.s3 import s3_client

    endpoint, bucket, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
    storage = S3Storage(bucket, "mem", s3_client(endpoint))
    data_key = DataKey.generate()
    chunk = os.urandom(64 * 1024)

    def store(key, size):
        with storage.writer(key) as out, data_key.encrypting_writer(out, "RE1") as enc:
            for _ in range(size // len(chunk)):
                enc.write(chunk)
        return out.result

    store("warm-up", 2 * len(chunk))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stored = store("big", total)
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"before_kib": before, "after_kib": after, "size": stored.size}))
    """
)


def test_memory_does_not_grow_with_object_size(s3_server, s3_bucket):
    total = 200 * MiB
    result = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, s3_server, s3_bucket, str(total)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
        check=True,
    )
    measured = json.loads(result.stdout)
    assert measured["size"] > total
    assert (measured["after_kib"] - measured["before_kib"]) * 1024 < 64 * MiB
    s3_client(s3_server).delete_object(Bucket=s3_bucket, Key="mem/big")


def abandon_a_write(storage, key: str) -> None:
    """What a worker killed mid-write leaves: an unfinished upload, or a temporary file."""
    if isinstance(storage, S3Storage):
        name = storage.object_name(key)
        upload = storage.client.create_multipart_upload(Bucket=storage.bucket, Key=name)
        storage.client.upload_part(
            Bucket=storage.bucket,
            Key=name,
            UploadId=upload["UploadId"],
            PartNumber=1,
            Body=b"x" * TEST_PART_SIZE,
        )
    else:
        path = storage.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / f".{path.name}.k1ll3d.part").write_bytes(b"x" * 1000)


def test_abandoned_writes_are_removed(storage):
    write_plain(storage, "recordings/2026/11/kept.enc", b"a finished object")
    abandon_a_write(storage, "recordings/2026/11/killed.enc")
    assert len(leftovers(storage)) == 2
    later = datetime.now(UTC) + timedelta(minutes=1)

    assert storage.remove_abandoned_writes(later) == 1
    assert storage.remove_abandoned_writes(later) == 0
    assert read_stored(storage, "recordings/2026/11/kept.enc") == b"a finished object"
    assert len(leftovers(storage)) == 1


def test_a_local_write_that_may_still_be_running_is_left_alone(local_storage):
    abandon_a_write(local_storage, "recordings/2026/11/running.enc")
    assert local_storage.remove_abandoned_writes(datetime.now(UTC) - timedelta(hours=1)) == 0
    assert len(leftovers(local_storage)) == 1


def test_an_s3_upload_that_may_still_be_running_is_left_alone():
    # moto reports every upload as initiated in 2010, so S3's own answer is stubbed here.
    client = boto3.client(
        "s3",
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",  # noqa: S106
    )
    storage = S3Storage("bucket", "recordings", client)
    now = datetime.now(UTC)
    uploads = [
        {"Key": "recordings/a.enc", "UploadId": "old", "Initiated": now - timedelta(days=2)},
        {"Key": "recordings/b.enc", "UploadId": "young", "Initiated": now - timedelta(minutes=5)},
    ]
    with Stubber(client) as stub:
        stub.add_response(
            "list_multipart_uploads",
            {"Uploads": uploads, "IsTruncated": False},
            {"Bucket": "bucket", "Prefix": "recordings/"},
        )
        stub.add_response(
            "abort_multipart_upload",
            {},
            {"Bucket": "bucket", "Key": "recordings/a.enc", "UploadId": "old"},
        )
        assert storage.remove_abandoned_writes(now - timedelta(days=1)) == 1
        stub.assert_no_pending_responses()
