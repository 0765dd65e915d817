"""The RQ worker the Procfile runs: job modules and clients loaded once, before each fork.

RQ forks a child per job. Without this, every child imported the job modules (about 1.7 s:
Flask, Twilio, boto3, Tink) and built its S3 client, keys and engine (about 0.5 s) again.
Nothing built here opens a connection, so the forked children share no sockets.
"""

from __future__ import annotations

import gc
from typing import Any

from rq import Worker

import workers.access
import workers.ingest
import workers.retention
import workers.routing  # noqa: F401  (imported here so each forked job starts warm)
from app.runtime import Runtime, current
from recordings.workdir import sweep_workdirs

WARM_PARTS = ("storage", "master_key", "twilio", "db")


def warm_up(runtime: Runtime) -> None:
    """Build the runtime's clients, then freeze what is built so far (`gc.freeze`).

    The modules and clients live as long as the worker. Frozen, the garbage collector's full
    collections no longer walk them: about 80 ms each, once every two or three sweeps of 20,000
    recordings, and every forked job would also have written to the pages it shares with this
    process just to walk them (what the `gc.freeze` documentation recommends it for).
    """
    for part in WARM_PARTS:
        getattr(runtime, part)
    gc.collect()  # what is garbage now is not kept for the worker's life
    gc.freeze()


class PreloadedWorker(Worker):
    """An RQ worker whose forked jobs inherit imported modules and built (unconnected) clients."""

    def work(self, *args: Any, **kwargs: Any) -> bool:
        """Sweep plaintext dead jobs left, build the runtime's clients, then work as usual."""
        runtime = current()
        sweep_workdirs(runtime.settings.plaintext_root)
        warm_up(runtime)
        return super().work(*args, **kwargs)
