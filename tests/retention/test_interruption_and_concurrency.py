"""Killed mid-batch, rerun: consistent. Two runs at once on PostgreSQL: each recording once.

Every test here runs on the local store and on S3 over HTTP (moto_server).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.domain import audit
from app.extensions import db
from app.models import DeletionRecord, Recording, RecordingStatus
from app.runtime import Runtime
from recordings.storage import S3Storage
from tests.fixtures.s3 import store_env
from tests.retention.factories import T0, add_call, add_recording
from tests.support.rows import count, rows
from workers import retention


@pytest.fixture
def store(storage):  # noqa: ANN001, ANN201
    """Both backends."""
    return storage


def due_recordings(store, n: int) -> list[Recording]:  # noqa: ANN001
    with db.transaction() as session:
        made = []
        for i in range(n):
            call = add_call(session, started_at=T0 - timedelta(days=200))
            made.append(add_recording(session, store, call, delete_after=T0 - timedelta(hours=i)))
        return made


def assert_consistent(store, made: list[Recording]) -> None:  # noqa: ANN001
    """Objects gone, rows deleted with keys destroyed, exactly one deletion record each."""
    assert not any(store.exists(r.storage_key) for r in made)
    assert {(r.status, r.wrapped_key) for r in rows(Recording)} == {(RecordingStatus.DELETED, None)}
    with db.transaction() as session:
        per_sid = session.execute(
            select(DeletionRecord.recording_sid, func.count()).group_by(
                DeletionRecord.recording_sid
            )
        ).all()
        assert audit.verify_chain(session).ok
    assert dict(per_sid) == {r.recording_sid: 1 for r in made}


def test_killed_between_store_delete_and_database_update_then_rerun(
    retention_runtime, store, monkeypatch
):
    made = due_recordings(store, 5)

    def killed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise KeyboardInterrupt("killed after the objects were deleted")

    monkeypatch.setattr(retention.due, "_mark_deleted", killed)
    with pytest.raises(KeyboardInterrupt):
        retention.run_retention(now=T0)
    assert not any(store.exists(r.storage_key) for r in made)  # objects gone ...
    assert count(Recording, Recording.status == RecordingStatus.STORED) == 5  # ... rows not
    assert count(DeletionRecord) == 0
    monkeypatch.undo()
    assert retention.run_retention(now=T0)["recordings_deleted"] == 5
    assert_consistent(store, made)


KILL_AFTER_STORE_DELETE = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime
    from config.settings import load_settings
    from workers.retention import retention_sweep
    from app.runtime import Runtime

    runtime = Runtime(load_settings())
    delete_many = runtime.storage.delete_many

    def delete_then_die(keys):
        delete_many(keys)
        os.kill(os.getpid(), signal.SIGKILL)

    runtime.storage.delete_many = delete_then_die
    retention_sweep(runtime, datetime.fromisoformat(sys.argv[1]), batch_size=2)
    """
)


def test_sigkill_between_store_delete_and_commit_then_rerun(retention_runtime, store, settings):
    made = due_recordings(store, 5)
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "INSTANCE_DIR": str(settings.instance_dir),
        "TWILIO_API_BASE_URL": retention_runtime.settings.twilio_api_base_url,
        **store_env(store),
    }
    root = Path(__file__).resolve().parents[2]
    process = subprocess.run(
        [sys.executable, "-c", KILL_AFTER_STORE_DELETE, T0.isoformat()],
        env=env,
        cwd=root,
        capture_output=True,
        timeout=120,
    )
    assert process.returncode == -9, process.stderr.decode()
    assert count(Recording, Recording.status == RecordingStatus.STORED) == 5  # nothing committed
    assert sum(store.exists(r.storage_key) for r in made) == 3  # the first batch of 2 is gone
    retention.run_retention(now=T0)
    assert_consistent(store, made)


def test_two_runs_at_once_delete_each_recording_once(retention_runtime, store):
    made = due_recordings(store, 60 if isinstance(store, S3Storage) else 200)
    start = threading.Barrier(2)
    results, errors = [], []

    def run() -> None:
        runtime = Runtime(replace(retention_runtime.settings), storage=store)
        try:
            start.wait()
            results.append(retention.retention_sweep(runtime, T0, batch_size=7))
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            runtime.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    first, second = (set(r.deleted) for r in results)
    assert not first & second
    assert first | second == {r.recording_sid for r in made}
    assert_consistent(store, made)
