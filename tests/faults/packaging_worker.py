"""The worker the packaging kill test starts: the Procfile's worker, held while it stores a package.

`HeldPackagingWorker` is `workers.worker.PreloadedWorker` (a work horse forked per job) with two
additions for the test: it writes each work horse's pid to `<PACKAGE_HOLD_FILE>.horse`, and at
the point PACKAGE_HOLD_POINT names the work horse creates PACKAGE_HOLD_FILE and waits there to
be killed: `writing` once the packaging job has handed its first megabyte of ciphertext to the
store, `stored` once the whole package object is stored and verified (before the job records it
in the database). The test kills it at that known point instead of sleeping and hoping.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from rq.job import Job
from rq.queue import Queue

from app.runtime import current
from recordings.storage import ObjectWriter, S3Storage, Storage
from tests.fixtures.s3 import store_env
from workers.access import PACKAGE_PREFIX
from workers.worker import PreloadedWorker

HOLD_FILE = "PACKAGE_HOLD_FILE"
HOLD_POINT = "PACKAGE_HOLD_POINT"
WRITING, STORED = "writing", "stored"
HOLD_AFTER_BYTES = 1024 * 1024  # the first whole encrypted segment (Tink writes its header alone)
# Parts this small are accepted while an upload is open (S3 checks sizes only on completion), so
# a package of a megabyte or two already has parts in the store when the worker is held.
HELD_PART_SIZE = 256 * 1024
NEVER_KILLED_AFTER_SECONDS = 120


def horse_file(hold_file: Path) -> Path:
    """Where the worker writes the pid of its work horse."""
    return hold_file.with_name(hold_file.name + ".horse")


class HeldPackagingWorker(PreloadedWorker):
    """The Procfile's worker, whose packaging job stops after its first megabyte is stored."""

    def work(self, *args: Any, **kwargs: Any) -> bool:
        """Hold packaging at the chosen point in this process's store, then work as usual."""
        hold = hold_package_writes if os.environ[HOLD_POINT] == WRITING else hold_stored_package
        hold(current().storage, Path(os.environ[HOLD_FILE]))
        return super().work(*args, **kwargs)

    def fork_work_horse(self, job: Job, queue: Queue) -> None:
        """Fork as usual; tell the test the horse's pid (it runs in a process group of its own)."""
        super().fork_work_horse(job, queue)
        _write_atomically(horse_file(Path(os.environ[HOLD_FILE])), str(self.horse_pid))


def hold_package_writes(store: Storage, hold_file: Path) -> None:
    """Once a package object has been given HOLD_AFTER_BYTES, create `hold_file` and wait."""
    make_writer = store.writer
    if isinstance(store, S3Storage):
        store.part_size = HELD_PART_SIZE

    def writer(key: str) -> ObjectWriter:
        out = make_writer(key)
        if key.startswith(PACKAGE_PREFIX):
            write, given = out.write, [0]

            def write_then_wait(data: Any) -> int:
                written = write(data)
                given[0] += written
                if given[0] >= HOLD_AFTER_BYTES:
                    _wait_to_be_killed(hold_file)
                return written

            out.write = write_then_wait  # type: ignore[method-assign]
        return out

    store.writer = writer  # type: ignore[method-assign]


def hold_stored_package(store: Storage, hold_file: Path) -> None:
    """Once a package object is stored and verified, create `hold_file` and wait."""
    verify = store.verify

    def verify_then_wait(key: str, size: int, digest: str) -> None:
        verify(key, size, digest)
        if key.startswith(PACKAGE_PREFIX):
            _wait_to_be_killed(hold_file)

    store.verify = verify_then_wait  # type: ignore[method-assign]


def _wait_to_be_killed(hold_file: Path) -> None:
    _write_atomically(hold_file, str(os.getpid()))
    time.sleep(NEVER_KILLED_AFTER_SECONDS)
    os._exit(3)  # not killed: the test has already failed; never record the package


def _write_atomically(path: Path, text: str) -> None:
    partial = path.with_name(path.name + ".tmp")
    partial.write_text(text)
    partial.replace(path)  # the test never reads half a pid


def system_temp(hold_file: Path) -> Path:
    """The worker's system temporary directory (TMPDIR), watched by the test for plaintext."""
    return hold_file.with_name("system-temp")


def worker_env(settings: Any, store: Storage, hold_file: Path, point: str) -> dict[str, str]:
    """The environment of a worker process configured like the test's runtime and store."""
    system_temp(hold_file).mkdir(exist_ok=True)
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "INSTANCE_DIR": str(settings.instance_dir),
        HOLD_FILE: str(hold_file),
        HOLD_POINT: point,
        "TMPDIR": str(system_temp(hold_file)),
    }
    return {**env, **store_env(store)}
