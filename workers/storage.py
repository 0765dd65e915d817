"""Housekeeping: writes a killed worker never finished, plaintext it left (SPEC §6, §8, §9)."""

from __future__ import annotations

import logging
from datetime import timedelta

from app.runtime import current
from recordings.workdir import sweep_workdirs

log = logging.getLogger(__name__)
ABANDONED_AFTER_HOURS = 24  # far longer than any ingest or packaging job may run


def remove_abandoned_writes(hours: int = ABANDONED_AFTER_HOURS) -> int:
    """Remove unfinished uploads and temporary files begun more than `hours` ago.

    A worker killed mid-write (SIGKILL, OOM, a lost machine) leaves no object, because objects
    appear only on commit, but it leaves the bytes it sent: S3 keeps the parts of an
    unfinished multipart upload, out of sight, until someone aborts it. The rerun of the job
    writes a new upload, so nothing here is ever needed again.
    """
    runtime = current()
    removed = runtime.storage.remove_abandoned_writes(runtime.now() - timedelta(hours=hours))
    if removed:
        log.info("removed %d abandoned writes from the store", removed)
    return removed


def remove_abandoned_plaintext(hours: int = ABANDONED_AFTER_HOURS) -> int:
    """Remove private work directories of dead jobs (or older than `hours`): plaintext audio."""
    runtime = current()
    cutoff = runtime.now() - timedelta(hours=hours)
    removed = sweep_workdirs(runtime.settings.plaintext_root, older_than=cutoff)
    if removed:
        log.warning("removed %d plaintext work directories left by killed jobs", removed)
    return removed
