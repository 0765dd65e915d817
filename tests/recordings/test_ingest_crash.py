"""A real `rq worker` SIGKILLed mid-ingest: the reconcile job finishes it, with one object."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from rq import SimpleWorker

from app.integrations.queue import get_queue, redis_connection
from app.models import Recording
from recordings.storage import LocalStorage
from tests.conftest import pcm_wav
from tests.fixtures.s3 import REGION, s3_client
from tests.support.rows import one
from workers.ingest import reconcile_recordings

PROJECT = Path(__file__).resolve().parents[2]
CHUNK = 256 * 1024


@pytest.fixture
def recording_store(storage):  # noqa: ANN001, ANN201
    """Both backends: the local store and S3 (moto) over HTTP."""
    return storage


def worker_env(runtime, s3_server: str) -> dict[str, str]:  # noqa: ANN001
    """The environment of a worker process configured like the test's runtime."""
    settings, store = runtime.settings, runtime.storage
    if isinstance(store, LocalStorage):
        storage_url = store.root.as_uri()
    else:
        storage_url = f"s3://{store.bucket}/{store.prefix}"
    return {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "INSTANCE_DIR": str(settings.instance_dir),
        "STORAGE_URL": storage_url,
        "S3_ENDPOINT_URL": s3_server,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_API_BASE_URL": settings.twilio_api_base_url,
    }


def slow_media(audio: bytes, halfway: threading.Event):  # noqa: ANN201
    """Twilio's media served slowly, announcing when most of it has gone out."""

    def chunks(environ):  # noqa: ANN001, ANN202
        for offset in range(0, len(audio), CHUNK):
            if offset >= len(audio) * 3 // 4:
                halfway.set()
            time.sleep(0.02)
            yield audio[offset : offset + CHUNK]

    return chunks


def objects_in(store) -> list[str]:  # noqa: ANN001
    if isinstance(store, LocalStorage):
        return [
            str(p.relative_to(store.root))
            for p in store.root.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        ]
    listed = s3_client(store.client.meta.endpoint_url).list_objects_v2(Bucket=store.bucket)
    return [item["Key"].removeprefix(f"{store.prefix}/") for item in listed.get("Contents", [])]


def test_worker_killed_mid_stream_then_reconcile_stores_exactly_one_object(
    runtime, app_twilio, announce_recording, s3_server, client, staff_headers
):
    runtime.master_key  # noqa: B018  (the development keyset exists before the worker starts)
    audio = pcm_wav(12 * 1024 * 1024 / 32000)  # 12 MiB: more than one S3 part
    halfway = threading.Event()
    sid = announce_recording(audio)
    app_twilio.recordings[sid].media_chunks = slow_media(audio, halfway)
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("rq")),
            "worker",
            "--burst",
            "--worker-class",
            "rq.worker.SimpleWorker",  # the job runs in this process: killing it kills the job
            "default",
        ],
        cwd=PROJECT,
        env={**worker_env(runtime, s3_server), "RQ_REDIS_URL": runtime.settings.redis_url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert halfway.wait(30), "the worker never fetched the media"
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    assert one(Recording).status == "pending" and objects_in(runtime.storage) == []
    assert app_twilio.find_requests("DELETE") == []

    # The killed run's lock lapses after LOCK_TTL_SECONDS; expire it now rather than wait.
    redis = redis_connection(runtime.settings)
    redis.pexpire(f"contact-line:ingest-lock:{sid}", 1)
    time.sleep(0.01)
    assert reconcile_recordings(stale_minutes=0) == {"pending": 1, "twilio_copies": 0}
    queue = get_queue(runtime.settings)
    SimpleWorker([queue], connection=redis_connection(runtime.settings)).work(burst=True)

    assert objects_in(runtime.storage) == [f"recordings/2026/11/{sid}.enc"]
    assert one(Recording).status == "stored" and sid in app_twilio.deleted_recordings
    reply = client.get(
        f"/api/recordings/{sid}/audio?reason=quality+review", headers=staff_headers("supervisor")
    )
    assert reply.get_data() == audio
