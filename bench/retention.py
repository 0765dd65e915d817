"""Retention sweep (SPEC §11): due recordings among many, against bare batched DeleteObjects.

    .venv/bin/python bench/retention.py

Sizes (environment): BENCH_TOTAL recordings in PostgreSQL (default 1,000,000), BENCH_DUE of
them due (default 100,000), BENCH_SMALL_DUE for the scaling check (default 10,000);
BENCH_OBJECTS=due puts objects for the due recordings only; BENCH_SWEEP_WORKERS is the number
of batches in flight (default: the job's, 2 on PostgreSQL; 1 shows the sweep without the
overlap of store and database work). The whole run takes about 7 minutes here.

What is real and what is not:
- every recording is a row in PostgreSQL (seeded with COPY), with its call;
- every recording has its object in a moto S3 server (BENCH_OBJECTS=all). PUTs over HTTP run
  at about 150 a second here (1,000,000 would take about two hours), so each server process
  fills its in-memory bucket directly before it starts listening; every deletion timed goes
  over HTTP. The bare deletes and the sweep use two identically filled servers (each deletion
  can only be done once);
- the timed sweep is the recording-deletion step of the retention job
  (`delete_due_recordings`: indexed query, DeleteObjects, guarded UPDATE, deletion records,
  audit); Twilio's copies were deleted at ingest (`twilio_deleted_at` set), so it makes no
  Twilio calls;
- baseline: bare DeleteObjects of the same keys, one batch of 1,000 after another, on the
  twin server. The sweep keeps two batches in flight by default (see BENCH_SWEEP_WORKERS).

Scaling: the same number of due recordings (BENCH_SMALL_DUE) swept among BENCH_TOTAL / 10 rows
and among BENCH_TOTAL rows; the times should be about equal. EXPLAIN shows the index.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import psycopg
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import upgrade  # noqa: E402
from app.runtime import Runtime  # noqa: E402
from bench.common import (  # noqa: E402
    bench_run,
    cpu_seconds,
    free_port,
    postgres_pids,
    scratch_postgres,
    wait_for_port,
)
from config.settings import load_settings  # noqa: E402
from recordings.storage import DELETE_BATCH_SIZE, S3Storage  # noqa: E402
from workers.retention import (  # noqa: E402
    RetentionSummary,
    delete_due_recordings,
    due_recordings_query,
)

TOTAL = int(os.environ.get("BENCH_TOTAL", "1000000"))
DUE = int(os.environ.get("BENCH_DUE", "100000"))
SMALL_DUE = int(os.environ.get("BENCH_SMALL_DUE", "10000"))
ALL_OBJECTS = os.environ.get("BENCH_OBJECTS", "all") == "all"  # "due": objects of due ones only
FEW_FIRST, MANY_FIRST = 10_000_000, 20_000_000
SWEEP_WORKERS = int(os.environ.get("BENCH_SWEEP_WORKERS", "0")) or None  # None: the job's default
REGION = "eu-west-2"
NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
BUCKET = "bench-recordings"
PREFIX = "recordings"


class MotoServer:
    """moto's S3 server in its own process, its bucket holding the objects of `ranges`.

    The objects are put straight into the server's in-memory backend before it starts
    listening (about 9,000 a second, where PUTs over HTTP manage about 150 here): every key the
    database names exists in the store, and the deletions under test go over HTTP.
    """

    def __init__(self, *ranges: tuple[int, int]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        spec = ",".join(f"{first}:{count}" for first, count in ranges)
        self.process = subprocess.Popen(  # noqa: S603
            [sys.executable, __file__, "--serve-moto", str(self.port), spec],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def ready(self) -> str:
        """Wait until it listens (its bucket is full then); its URL."""
        wait_for_port(self.port, timeout=1200)
        return self.url

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def serve_moto(port: int, spec: str) -> None:
    """(In the server process) fill the bucket, then serve S3 on 127.0.0.1:`port`."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.s3.models import s3_backends
    from moto.server import ThreadedMotoServer

    backend = s3_backends[DEFAULT_ACCOUNT_ID]["global"]
    backend.create_bucket(BUCKET, REGION)
    for part in filter(None, spec.split(",")):
        first, count = (int(x) for x in part.split(":"))
        for n in range(first, first + count):
            backend.put_object(BUCKET, f"{PREFIX}/{key_of(n)}", b"x" * 64)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    threading.Event().wait()


def s3_client(endpoint: str):  # noqa: ANN201
    """A client with a connection pool as large as the PUT concurrency."""
    session = boto3.session.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench", region_name=REGION
    )
    config = Config(
        s3={"addressing_style": "path"},
        max_pool_connections=8,
        retries={"max_attempts": 5, "mode": "standard"},
        request_checksum_calculation="when_required",
        response_checksum_validation="when_required",
    )
    return session.client("s3", endpoint_url=endpoint, region_name=REGION, config=config)


def key_of(n: int) -> str:
    return f"2026/12/RE{n:032x}.wav.enc"


def bare_delete(client, keys: list[str]) -> float:  # noqa: ANN001
    """The baseline: DeleteObjects in batches of 1,000, nothing else."""
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(keys), DELETE_BATCH_SIZE):
        batch = [{"Key": f"{PREFIX}/{k}"} for k in keys[i : i + DELETE_BATCH_SIZE]]
        client.delete_objects(Bucket=BUCKET, Delete={"Objects": batch, "Quiet": True})
    print(f"  bare deletes' own CPU: {time.process_time() - cpu:.2f} s")
    return time.perf_counter() - started


def seed(url: str, first: int, count: int, due: int) -> list[str]:
    """`count` calls and recordings from id `first`; the first `due` of them are due. COPY."""
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    past, future = NOW - timedelta(days=200), NOW + timedelta(days=90)
    due_keys = []
    with psycopg.connect(conninfo) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY calls (id, call_sid, from_number, to_number, started_at, recording_opted_out,"
            " outcome) FROM STDIN"
        ) as copy:
            for n in range(first, first + count):
                number = f"+4477009{n % 100000:05d}"
                copy.write_row((n, f"CA{n:032x}", number, "+441744676767", past, False, "answered"))
        with cur.copy(
            "COPY recordings (id, recording_sid, call_id, call_sid, status, started_at,"
            " storage_key, wrapped_key, master_key_id, delete_after, stored_at,"
            " twilio_deleted_at, ingest_attempts, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i, n in enumerate(range(first, first + count)):
                is_due = i < due
                after = NOW - timedelta(seconds=i + 1) if is_due else future + timedelta(seconds=i)
                key = key_of(n)
                if is_due:
                    due_keys.append(key)
                copy.write_row(
                    (n, f"RE{n:032x}", n, f"CA{n:032x}", "stored", past, key, b"wrapped",
                     "k1", after, past, past, 1, past, past)
                )  # fmt: skip
        conn.commit()
        conn.execute("ANALYZE")
    return due_keys


def runtime_for(url: str, endpoint: str) -> Runtime:
    settings = replace(load_settings({"DATABASE_URL": url}), recording_retention_months=6)
    runtime = Runtime(settings)
    runtime.__dict__["storage"] = S3Storage(BUCKET, PREFIX, s3_client(endpoint))
    return runtime


def timed_sweep(runtime: Runtime) -> tuple[float, RetentionSummary]:
    summary = RetentionSummary()
    started, cpu = time.perf_counter(), time.process_time()
    delete_due_recordings(runtime, NOW, summary, workers=SWEEP_WORKERS)
    print(f"  sweep's own CPU (this process, every thread): {time.process_time() - cpu:.2f} s")
    return time.perf_counter() - started, summary


def explain(runtime: Runtime) -> str:
    with runtime.db.transaction() as session:
        compiled = due_recordings_query(NOW, DELETE_BATCH_SIZE).compile(session.get_bind())
        params = {k: str(v) if isinstance(v, str) else v for k, v in compiled.params.items()}
        result = session.connection().exec_driver_sql(
            f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {compiled}", params
        )
        return "\n".join("    " + line for line in result.scalars())


def scaling_case(endpoint: str, first: int, total: int, due: int) -> float:
    """Sweep `due` recordings among `total` rows in a fresh database."""
    with scratch_postgres() as url:
        upgrade(url)
        seed(url, first, total, due)
        runtime = runtime_for(url, endpoint)
        seconds, summary = timed_sweep(runtime)
        assert len(summary.deleted) == due, (len(summary.deleted), due)
        print(f"  {due:>9,} due among {total:>11,} rows: sweep {seconds:6.2f} s")
        runtime.db.engine.dispose()  # type: ignore[union-attr]
        return seconds


def main() -> int:
    print(f"retention bench: {TOTAL:,} recordings in PostgreSQL, {DUE:,} due")
    objects = TOTAL if ALL_OBJECTS else DUE
    started = time.perf_counter()
    bare_server, sweep_server = MotoServer((1, objects)), MotoServer((1, objects))
    few, many = max(TOTAL // 10, SMALL_DUE), TOTAL
    scaling_server = MotoServer((FEW_FIRST, SMALL_DUE), (MANY_FIRST, SMALL_DUE))
    try:
        with scratch_postgres() as url:
            upgrade(url)
            keys = seed(url, 1, TOTAL, DUE)
            elapsed = time.perf_counter() - started
            print(f"seeded {TOTAL:,} calls and recordings (COPY): {elapsed:.1f} s")
            bare_url, sweep_url = bare_server.ready(), sweep_server.ready()
            print(f"two moto S3 servers ready with {objects:,} objects each:"
                  f" {time.perf_counter() - started:.1f} s")  # fmt: skip
            cpu = cpu_used(bare_server)
            bare = bare_delete(s3_client(bare_url), keys)
            print(f"  CPU of the others: {cpu()}")
            print(f"bare DeleteObjects of {len(keys):,} keys, batches of 1,000: {bare:.2f} s")
            runtime = runtime_for(url, sweep_url)
            print("EXPLAIN ANALYZE of the due query (first batch):")
            print(explain(runtime))
            cpu = cpu_used(sweep_server)
            sweep, summary = timed_sweep(runtime)
            print(f"  CPU of the others: {cpu()}")
            print(f"sweep deleted {len(summary.deleted):,} recordings: {sweep:.2f} s")
            ratio = sweep / bare
            print(f"ratio sweep / bare deletes: {ratio:.2f} (target <= 1.30)")
            check(url, s3_client(sweep_url), keys, objects)
            runtime.db.engine.dispose()  # type: ignore[union-attr]
        print(f"scaling: {SMALL_DUE:,} due among {few:,} rows and among {many:,} rows")
        endpoint = scaling_server.ready()
        t_few = scaling_case(endpoint, FEW_FIRST, few, SMALL_DUE)
        t_many = scaling_case(endpoint, MANY_FIRST, many, SMALL_DUE)
        print(f"  ratio (x{many // few} rows, same due): {t_many / t_few:.2f}"
              " (about 1 when the work follows what is due)")  # fmt: skip
    finally:
        for server in (bare_server, sweep_server, scaling_server):
            server.stop()
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0 if ratio <= 1.3 else 1


def cpu_used(server: MotoServer):  # noqa: ANN201
    """From now: a function describing the CPU the S3 server and PostgreSQL have used since
    (2 cores here: what the deletes' own process does not use is theirs to share)."""
    pids = [server.process.pid]
    s3, database = cpu_seconds(pids), cpu_seconds(postgres_pids())
    return lambda: (
        f"S3 server {cpu_seconds(pids) - s3:.2f} s, "
        f"PostgreSQL {cpu_seconds(postgres_pids()) - database:.2f} s"
    )


def check(url: str, client, keys: list[str], objects: int) -> None:  # noqa: ANN001
    """The sweep left the due objects gone, the others there, and one record each."""
    with psycopg.connect(url) as conn:
        records = conn.execute("SELECT count(*) FROM deletion_records").fetchone()[0]
        left = conn.execute(
            "SELECT count(*) FROM recordings WHERE status='stored' AND delete_after <= %s", (NOW,)
        ).fetchone()[0]
    sample = [keys[0], keys[-1]]
    gone = all(
        "Contents" not in client.list_objects_v2(Bucket=BUCKET, Prefix=f"{PREFIX}/{k}")
        for k in sample
    )
    remaining = client.list_objects_v2(Bucket=BUCKET, Prefix=PREFIX, MaxKeys=1).get("KeyCount")
    others = bool(remaining) if objects > len(keys) else "n/a"
    print(f"deletion records: {records:,}; still due: {left}; sampled due objects gone: {gone}")
    print(f"objects of recordings not due still stored: {others}")


if __name__ == "__main__":
    sys.stdout = io.TextIOWrapper(sys.stdout.buffer, line_buffering=True)
    if sys.argv[1:2] == ["--serve-moto"]:
        serve_moto(int(sys.argv[2]), sys.argv[3])
    with bench_run("retention"):
        status = main()
    raise SystemExit(status)
