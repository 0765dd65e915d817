"""The packaging worker SIGKILLed while it stores a package (SPEC §8): retried, one package.

A real `rq worker` (the Procfile's worker class, held by `packaging_worker`) is killed with its
work horse, as when the machine goes, at one of two points: once its first megabyte of
ciphertext is in the store (no package object visible yet), or once the whole package object is
stored and verified but not yet recorded in the database (a complete object whose data key died
with the worker). Nothing is recorded as made; the recordings stay stored and held. When the
dead job's heartbeat lapses, the reconcile sweep has RQ retry it (the same job, which stores
under the same key) or, with no retries left, fails the request and deletes what the job
stored, for the officer to fulfil again. Either way exactly one package object is left, the one
the package row references, and it decrypts to the expected ZIP. Runs on the local store and on
S3 (moto_server).
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rq import SimpleWorker
from rq.job import Job, JobStatus
from rq.registry import StartedJobRegistry

from app.domain import audit
from app.extensions import db
from app.integrations.queue import get_queue, redis_connection
from app.models import AccessPackage, AccessRequest, AuditEntry, LegalHold, Recording, Role
from recordings.storage import LocalStorage, Storage
from tests.access.support import package_objects, store_recording
from tests.faults.packaging_worker import (
    HOLD_AFTER_BYTES,
    PACKAGE_PREFIX,
    STORED,
    WRITING,
    horse_file,
    system_temp,
    worker_env,
)
from tests.fixtures.s3 import s3_client
from tests.support.rows import count, one, rows
from workers.access import package_key, reconcile_access_packages
from workers.storage import remove_abandoned_plaintext

PROJECT = Path(__file__).resolve().parents[2]
URL = "/api/access-requests"
E164 = "+447700900123"
CALLS = [datetime(2026, 11, 2, 14, 0, tzinfo=UTC), datetime(2026, 11, 9, 9, 30, tzinfo=UTC)]
SECONDS = 75  # two such calls make a ZIP over 1 MiB: more than one encrypted segment
HOLD_TIMEOUT = 60


@pytest.fixture
def recording_store(storage):  # noqa: ANN001, ANN201
    """Both backends: the local store and S3 (moto) over HTTP."""
    return storage


def partial_writes(store: Storage) -> list[int]:
    """Bytes held by each unfinished package write: hidden temporary files or open uploads."""
    if isinstance(store, LocalStorage):
        folder = store.root / PACKAGE_PREFIX
        return [p.stat().st_size for p in folder.rglob(".*.part")]
    s3, prefix = s3_client(store.client.meta.endpoint_url), f"{store.prefix}/{PACKAGE_PREFIX}"
    uploads = s3.list_multipart_uploads(Bucket=store.bucket, Prefix=prefix).get("Uploads", [])
    return [
        sum(
            part["Size"]
            for part in s3.list_parts(
                Bucket=store.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
            ).get("Parts", [])
        )
        for upload in uploads
    ]


def start_worker(
    runtime,  # noqa: ANN001
    hold_file: Path,
    log: Path,
    point: str,
) -> subprocess.Popen[bytes]:
    """`rq worker --burst` with the held worker class, in a session of its own."""
    command = [
        str(Path(sys.executable).with_name("rq")),
        "worker",
        "--burst",
        "--url",
        runtime.settings.redis_url,
        "--worker-class",
        "tests.faults.packaging_worker.HeldPackagingWorker",
        "default",
    ]
    with log.open("wb") as output:
        return subprocess.Popen(  # noqa: S603
            command,
            cwd=PROJECT,
            env=worker_env(runtime.settings, runtime.storage, hold_file, point),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def package_in_store(store: Storage, point: str) -> bool:
    """Whether the store holds what the job had written when held at `point`."""
    return sum(partial_writes(store)) > 0 if point == WRITING else bool(package_objects(store))


def wait_until_held(
    worker: subprocess.Popen[bytes], store: Storage, hold_file: Path, point: str
) -> int:
    """The pid of the work horse held at `point` with its package bytes in the store."""
    deadline = time.monotonic() + HOLD_TIMEOUT
    while time.monotonic() < deadline:
        if hold_file.exists() and package_in_store(store, point):
            return int(hold_file.read_text())
        assert worker.poll() is None, "the worker exited before it stored any package bytes"
        time.sleep(0.05)
    raise AssertionError(f"the packaging job stored no package bytes within {HOLD_TIMEOUT} s")


def kill_worker_then_horse(worker: subprocess.Popen[bytes], horse: int | None) -> None:
    """SIGKILL the worker first (so it cannot report its horse's death), then the horse."""
    with suppress(ProcessLookupError):
        os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(10)
    if horse is None:
        return
    with suppress(ProcessLookupError):
        os.kill(horse, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while _alive(horse):
        assert time.monotonic() < deadline, f"work horse {horse} survived SIGKILL"
        time.sleep(0.01)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}  # a zombie has stopped: only its exit status is left


def kill_while_storing(runtime, tmp_path: Path, point: str) -> None:  # noqa: ANN001
    """Run the queued packaging job in a real worker; SIGKILL it at `point` in storing."""
    hold_file, log = tmp_path / "held", tmp_path / "worker.log"
    worker, held = start_worker(runtime, hold_file, log, point), None
    try:
        held = wait_until_held(worker, runtime.storage, hold_file, point)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{log.read_text()}") from None
    finally:
        forked = horse_file(hold_file)
        horse = held or (int(forked.read_text()) if forked.exists() else None)
        kill_worker_then_horse(worker, horse)
    assert held == int(horse_file(hold_file).read_text())  # the work horse was held, and killed


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if not path.is_dir()] if folder.exists() else []


def assert_plaintext_swept(runtime, tmp_path: Path) -> None:  # noqa: ANN001
    """The killed job's plaintext is in its private 0700 directory only, until housekeeping."""
    private = runtime.settings.plaintext_root
    (workdir,) = private.iterdir()
    assert workdir.stat().st_mode & 0o777 == 0o700 and private.stat().st_mode & 0o777 == 0o700
    assert "package.zip" in [path.name for path in files_under(workdir)]  # the unencrypted ZIP
    assert files_under(system_temp(tmp_path / "held")) == []  # pydub and friends wrote nowhere
    assert remove_abandoned_plaintext() == 1
    assert files_under(private) == [] and files_under(system_temp(tmp_path / "held")) == []


def heartbeat_lapses(runtime) -> None:  # noqa: ANN001
    """What 90 s without a heartbeat means to RQ: the dead execution's registry entry expires."""
    redis, key = redis_connection(runtime.settings), started_registry(runtime).key
    for member in redis.zrange(key, 0, -1):
        redis.zadd(key, {member: time.time() - 1}, xx=True)


def started_registry(runtime) -> StartedJobRegistry:  # noqa: ANN001
    return get_queue(runtime.settings).started_job_registry


def no_retries_left(runtime, job_id: str) -> None:  # noqa: ANN001
    """As if the killed run was the last of the job's RQ retries."""
    job = Job.fetch(job_id, connection=redis_connection(runtime.settings))
    job.retries_left = 0
    job.save()


def the_retry_is_due(runtime, job_id: str) -> None:  # noqa: ANN001
    """What the scheduler does when the retry interval has passed: the job is queued again."""
    get_queue(runtime.settings).scheduled_job_registry.requeue(job_id)


def run_queued_jobs(runtime) -> None:  # noqa: ANN001
    """A worker in this process (sharing the test's runtime) runs what is queued."""
    queue = get_queue(runtime.settings)
    SimpleWorker([queue], connection=redis_connection(runtime.settings)).work(burst=True)


def nothing_else_to_run(runtime) -> bool:  # noqa: ANN001
    queue = get_queue(runtime.settings)
    registries = (queue.scheduled_job_registry, queue.started_job_registry)
    return queue.count == 0 and not any(registry.get_job_ids() for registry in registries)


def job_status(runtime, job_id: str) -> JobStatus:  # noqa: ANN001
    return Job.fetch(job_id, connection=redis_connection(runtime.settings)).get_status()


def registered_and_fulfilled(client, officer) -> tuple[int, str]:  # noqa: ANN001
    body = {"requester_name": "Pat Example", "relationship": "data_subject"}
    reply = client.post(URL, json={**body, "phone_numbers": ["07700 900123"]}, headers=officer)
    assert reply.status_code == 201, reply.json
    rid = reply.json["id"]
    fulfil = client.post(f"{URL}/{rid}/fulfil", headers=officer)
    assert fulfil.status_code == 202, fulfil.json
    return rid, fulfil.json["job_id"]


def package_state(client, officer, rid: int) -> dict:  # noqa: ANN001
    return client.get(f"{URL}/{rid}", headers=officer).json["package"]


def downloaded(client, officer, rid: int) -> bytes:  # noqa: ANN001
    link = client.get(f"{URL}/{rid}/package", headers=officer)
    assert link.status_code == 200, link.json
    reply = client.get("/access/" + link.json["url"].rsplit("/access/", 1)[1])
    assert reply.status_code == 200 and reply.mimetype == "application/zip"
    return reply.get_data()


def assert_one_good_package(client, officer, runtime, rid: int, sids: list[str]) -> None:
    """Exactly one package, the only visible package object; it decrypts to the right ZIP."""
    package = one(AccessPackage)
    assert package.deleted_at is None and package.recording_count == 2
    assert package_objects(runtime.storage) == [package.storage_key]
    data = downloaded(client, officer, rid)
    assert len(data) == package.size_bytes
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.testzip() is None
    assert archive.namelist() == [
        "recordings/01-call-2026-11-02-1400.mp3",
        "recordings/02-call-2026-11-09-0930.mp3",
        "manifest.json",
        "manifest.txt",
        "cover-note.txt",
        "cover-letter.txt",
        "cover-letter.pdf",
    ]
    manifest = json.loads(archive.read("manifest.json"))
    assert [entry["recording_sid"] for entry in manifest["recordings"]] == sids
    assert [entry["duration_seconds"] for entry in manifest["recordings"]] == [SECONDS] * 2


def assert_recordings_intact_and_held(runtime, sids: list[str]) -> None:
    """The source recordings are still stored, byte for byte, each under the request's hold."""
    recordings = rows(Recording)
    assert sorted(r.recording_sid for r in recordings) == sorted(sids)
    for recording in recordings:
        assert recording.status == "stored" and recording.wrapped_key is not None
        runtime.storage.verify(recording.storage_key, recording.size_bytes, recording.sha256)
    holds = rows(LegalHold, LegalHold.released_at.is_(None))
    assert sorted(h.call_id for h in holds) == sorted(r.call_id for r in recordings)
    assert {h.kind for h in holds} == {"access_request"}


def assert_audit_chain_verifies() -> None:
    with db.transaction() as session:
        assert audit.verify_chain(session).ok


def assert_killed_job_left(runtime, point: str, job_key: str) -> list[int]:  # noqa: ANN001
    """What the killed job left in the store; returns its unfinished writes' sizes."""
    killed_partial = partial_writes(runtime.storage)  # a hidden temporary file or an open upload
    if point == WRITING:
        assert package_objects(runtime.storage) == []
        assert len(killed_partial) == 1 and killed_partial[0] >= HOLD_AFTER_BYTES // 2
    else:  # complete and verified, but recorded nowhere: its data key died with the worker
        assert package_objects(runtime.storage) == [job_key] and killed_partial == []
    return killed_partial


@pytest.mark.parametrize("point", [WRITING, STORED], ids=["while-writing", "stored-not-recorded"])
@pytest.mark.parametrize("retries_left", [True, False], ids=["rq-retries", "no-retries-left"])
def test_packaging_worker_killed_while_storing_then_exactly_one_package_is_made(
    runtime, client, staff_headers, tmp_path, retries_left, point
):
    officer = staff_headers(Role.RECORDS_OFFICER)
    sids = [store_recording(runtime, number=E164, started_at=t, seconds=SECONDS)[1] for t in CALLS]
    rid, job_id = registered_and_fulfilled(client, officer)

    kill_while_storing(runtime, tmp_path, point)
    assert_plaintext_swept(runtime, tmp_path)
    assert package_state(client, officer, rid) | {"job_id": None} == {
        "state": "running",
        "job_id": None,
        "recordings_done": 2,
        "recordings_total": 2,
        "error": None,
    }
    assert count(AccessPackage) == 0
    killed_partial = assert_killed_job_left(runtime, point, package_key(rid, job_id))
    assert_recordings_intact_and_held(runtime, sids)
    # While its heartbeat lasts, a dead job looks like a slow one: left alone, never run twice.
    assert job_status(runtime, job_id) == JobStatus.STARTED
    assert reconcile_access_packages() == {"requeued": 0, "failed": 0}
    assert package_state(client, officer, rid)["state"] == "running"

    if not retries_left:
        no_retries_left(runtime, job_id)
    heartbeat_lapses(runtime)
    if retries_left:
        assert reconcile_access_packages() == {"requeued": 0, "failed": 0}
        assert job_status(runtime, job_id) == JobStatus.SCHEDULED  # RQ retries the same job
        assert package_state(client, officer, rid)["state"] == "running"
        the_retry_is_due(runtime, job_id)
    else:
        assert reconcile_access_packages() == {"requeued": 0, "failed": 1}
        assert job_status(runtime, job_id) == JobStatus.FAILED
        state = package_state(client, officer, rid)
        assert state["state"] == "failed" and "fulfil again" in state["error"]
        assert package_objects(runtime.storage) == []  # what the dead job stored is deleted
        assert count(AuditEntry, AuditEntry.action == "access_request.package_failed") == 1
        job_id = fulfilled_again(client, officer, rid)
    run_queued_jobs(runtime)

    assert job_status(runtime, job_id) == JobStatus.FINISHED and nothing_else_to_run(runtime)
    assert package_state(client, officer, rid) | {"job_id": None} == {
        "state": "ready",
        "job_id": None,
        "recordings_done": 2,
        "recordings_total": 2,
        "error": None,
    }
    assert_one_good_package(client, officer, runtime, rid, sids)
    assert one(AccessPackage).storage_key == package_key(rid, job_id)  # a retry overwrites
    assert partial_writes(runtime.storage) == killed_partial  # never referenced; none added
    assert_recordings_intact_and_held(runtime, sids)
    assert count(AuditEntry, AuditEntry.action == "access_request.package_ready") == 1
    assert_audit_chain_verifies()
    assert one(AccessRequest).status == "open"


def fulfilled_again(client, officer, rid: int) -> str:  # noqa: ANN001
    """The officer fulfils the failed request again; returns the new job's id."""
    fulfil = client.post(f"{URL}/{rid}/fulfil", headers=officer)
    assert fulfil.status_code == 202, fulfil.json
    return fulfil.json["job_id"]
