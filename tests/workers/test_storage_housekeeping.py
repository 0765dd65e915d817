"""Store housekeeping: what a killed writer left behind is removed, and only that (SPEC §6)."""

from __future__ import annotations

import os
import time

import fakeredis
from rq.cron import CronScheduler

from workers.storage import remove_abandoned_writes


def test_a_day_old_temporary_file_is_removed_and_objects_are_kept(runtime, recording_store):
    folder = recording_store.root / "recordings" / "2026" / "11"
    folder.mkdir(parents=True)
    kept = folder / "RE1.enc"
    kept.write_bytes(b"stored")
    killed = folder / ".RE2.enc.abcd.part"
    killed.write_bytes(b"half")
    running = folder / ".RE3.enc.efgh.part"
    running.write_bytes(b"still being written")
    day_and_a_bit = time.time() - 25 * 3600
    for path in (kept, killed):
        os.utime(path, (day_and_a_bit, day_and_a_bit))

    assert remove_abandoned_writes() == 1

    assert sorted(p.name for p in folder.iterdir()) == [".RE3.enc.efgh.part", "RE1.enc"]


def test_the_schedule_runs_the_housekeeping_daily():
    scheduler = CronScheduler(connection=fakeredis.FakeRedis())
    scheduler.load_config_from_file("workers.schedule")
    jobs = {job.func.__name__: job for job in scheduler.get_jobs()}
    assert jobs["remove_abandoned_writes"].cron == "41 3 * * *"
    assert jobs["remove_abandoned_plaintext"].cron == "43 3 * * *"
    assert set(jobs) == {
        "reconcile_recordings",
        "run_retention",
        "release_stale_claims",
        "reconcile_access_packages",
        "remove_abandoned_writes",
        "remove_abandoned_plaintext",
        "anchor_audit_chain",
    }
    assert jobs["anchor_audit_chain"].interval == 600
