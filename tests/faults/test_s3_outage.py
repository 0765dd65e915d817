"""The S3 server stopped mid-ingest and started again (SPEC §6): nothing lost, nothing doubled.

A private moto server on a fixed port is killed while the job streams a multi-part recording
into it. The job raises; the recording stays pending with the attempt counted and Twilio's copy
kept. Started again on the same port (moto keeps no state, so the bucket is created again), the
next run stores exactly one object, deletes Twilio's copy once, and serves the audio back.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
from rq import SimpleWorker

from app.integrations.queue import get_queue, redis_connection
from app.models import AuditEntry, Recording
from recordings.storage import S3Storage, StorageError
from tests.conftest import pcm_wav
from tests.fixtures.s3 import (
    REGION,
    TEST_PART_SIZE,
    _moto_server_executable,
    _wait_until_up,
    s3_client,
)
from tests.fixtures.servers import free_port
from tests.support.rows import one, rows
from workers.ingest import ingest_recording, reconcile_recordings

CHUNK = 256 * 1024
BUCKET = "outage-recordings"


class MotoServer:
    """A moto S3 server on a fixed port that the test can kill and start again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.parts_before_kill = 0

    def start(self) -> None:
        """Start the server (empty: moto keeps nothing across restarts) with our bucket."""
        command = [_moto_server_executable(), "-H", "127.0.0.1", "-p", str(self.port)]
        self.process = subprocess.Popen(  # noqa: S603
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _wait_until_up(self.url, self.process)
        s3_client(self.url).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )

    def kill(self) -> None:
        """Kill the server at once, as a crash or network cut would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def wait_for_uploaded_part(self, timeout: float = 10.0) -> int:
        """Wait until a multipart upload in progress holds a part; returns how many it holds."""
        s3 = s3_client(self.url)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for upload in s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []):
                parts = s3.list_parts(Bucket=BUCKET, Key=upload["Key"], UploadId=upload["UploadId"])
                if parts.get("Parts"):
                    return len(parts["Parts"])
            time.sleep(0.05)
        return 0

    def keys(self) -> list[str]:
        listed = s3_client(self.url).list_objects_v2(Bucket=BUCKET)
        return [item["Key"] for item in listed.get("Contents", [])]


@pytest.fixture
def moto() -> Iterator[MotoServer]:
    server = MotoServer()
    server.start()
    yield server
    server.kill()


@pytest.fixture
def recording_store(moto: MotoServer) -> S3Storage:
    """The runtime stores into the private moto server, in several parts per recording."""
    return S3Storage(BUCKET, "recordings", s3_client(moto.url), part_size=TEST_PART_SIZE)


def media_that_kills_the_store(audio: bytes, moto: MotoServer):  # noqa: ANN201
    """Twilio's media served in chunks; the store dies (once) after two parts' worth went out."""
    killed = threading.Event()

    def chunks(environ):  # noqa: ANN001, ANN202
        for offset in range(0, len(audio), CHUNK):
            if offset >= 2 * TEST_PART_SIZE and not killed.is_set():
                killed.set()
                moto.parts_before_kill = moto.wait_for_uploaded_part()
                threading.Thread(target=moto.kill).start()
                time.sleep(0.5)
            yield audio[offset : offset + CHUNK]

    return chunks


def test_store_killed_mid_ingest_then_restarted_stores_exactly_once(
    runtime, app_twilio, announce_recording, moto, client, staff_headers
):
    audio = pcm_wav(12 * 1024 * 1024 / 32000)  # 12 MiB: three parts
    sid = announce_recording(audio)
    key = f"recordings/2026/11/{sid}.enc"  # under the store's prefix "recordings"
    app_twilio.recordings[sid].media_chunks = media_that_kills_the_store(audio, moto)
    recording_id = one(Recording).id

    with pytest.raises(StorageError):
        ingest_recording(recording_id)
    assert moto.process is None and moto.parts_before_kill >= 1  # died mid-upload
    row = one(Recording)
    assert (row.status, row.ingest_attempts, row.storage_key) == ("pending", 1, None)
    assert row.wrapped_key is None and "StorageError" in row.last_error
    assert app_twilio.find_requests("DELETE") == [] and sid in app_twilio.recordings

    moto.start()  # same port, empty: the bucket is created again
    redis_connection(runtime.settings).delete(f"contact-line:ingest-lock:{sid}")
    assert reconcile_recordings(stale_minutes=0)["pending"] == 1
    queue = get_queue(runtime.settings)
    SimpleWorker([queue], connection=redis_connection(runtime.settings)).work(burst=True)

    row = one(Recording)
    assert (row.status, row.storage_key, row.last_error) == ("stored", key, None)
    assert moto.keys() == [f"recordings/{key}"]
    assert (
        len(app_twilio.find_requests("DELETE", sid)) == 1 and sid in app_twilio.deleted_recordings
    )
    assert [e.action for e in rows(AuditEntry)].count("recording.store") == 1
    reply = client.get(
        f"/api/recordings/{sid}/audio?reason=quality+review", headers=staff_headers("supervisor")
    )
    assert reply.status_code == 200 and reply.get_data() == audio
