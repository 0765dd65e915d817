"""The retention job (SPEC §7): delete what is due, sweep Twilio's copies, anonymise old calls.

`run_retention()` is the periodic job (registered in workers.schedule) and `retention run`
runs the same `retention_sweep()` in the foreground. Its steps, one module each:

1. `due.delete_due_recordings`: stored recordings past their `delete_after` and not held, in
   batches: objects, wrapped keys, deletion records and audit, then any copy at Twilio.
2. `twilio_sweep.sweep_twilio_recordings`: what Twilio still lists from more than a day ago
   is deleted there, ingested (a recording we never heard of, within retention) or left.
3. `metadata.purge_call_metadata`: callers last in contact more than six years ago lose their
   number from their calls.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from app.runtime import Runtime, current
from workers.retention.due import DELETE_WORKERS, delete_due_recordings, due_recordings_query
from workers.retention.metadata import METADATA_YEARS, metadata_cutoff, purge_call_metadata
from workers.retention.summary import BATCH_SIZE, RetentionIncomplete, RetentionSummary
from workers.retention.twilio_sweep import TWILIO_GRACE, sweep_twilio_recordings

__all__ = [
    "BATCH_SIZE",
    "DELETE_WORKERS",
    "METADATA_YEARS",
    "TWILIO_GRACE",
    "RetentionIncomplete",
    "RetentionSummary",
    "delete_due_recordings",
    "due_recordings_query",
    "metadata_cutoff",
    "purge_call_metadata",
    "retention_sweep",
    "run_retention",
    "sweep_twilio_recordings",
]

log = logging.getLogger(__name__)


def run_retention(now: datetime | None = None) -> dict[str, Any]:
    """The periodic retention job; fails (for RQ to show) if any deletion could not be done."""
    runtime = current()
    summary = retention_sweep(runtime, now or runtime.now())
    if summary.failures:
        raise RetentionIncomplete(f"{len(summary.failures)} failures: {summary.failures[:5]}")
    return summary.counts()


def retention_sweep(
    runtime: Runtime, now: datetime, *, batch_size: int = BATCH_SIZE
) -> RetentionSummary:
    """Run all three steps in order and say what was done."""
    summary = RetentionSummary()
    delete_due_recordings(runtime, now, summary, batch_size=batch_size)
    sweep_twilio_recordings(runtime, now, summary)
    purge_call_metadata(runtime, now, summary, batch_size=batch_size)
    log.info("retention run %s: %s", summary.run_id, summary.counts())
    return summary
