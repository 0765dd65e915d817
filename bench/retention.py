"""Retention sweep (SPEC §11): due recordings among many, against bare batched DeleteObjects.

    .venv/bin/python bench/retention.py

Sizes (environment): BENCH_TOTAL recordings in PostgreSQL (default 1,000,000), BENCH_DUE of
them due (default 100,000), BENCH_SMALL_DUE for the scaling check (default 10,000);
BENCH_OBJECTS=due puts objects for the due recordings only; BENCH_SWEEP_WORKERS is the number
of batches in flight (default: the job's, 2 on PostgreSQL; 1 shows the sweep without the
overlap of store and database work). The whole run takes about 90 seconds here.

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
- the process is warmed as the Procfile's worker warms itself before it forks each job
  (`workers.worker.warm_up`: clients built, the heap frozen out of the garbage collector's
  walks), which the bare deletes, in the same process, also enjoy; each moto server answers
  one request before the timing starts (its first is about 85 ms late, which S3's is not);
- baseline: bare DeleteObjects of the same keys, one batch of 1,000 after another, on the
  twin server. The sweep keeps two batches in flight by default (see BENCH_SWEEP_WORKERS);
- the two alternate in BENCH_ROUNDS rounds (default 5), each deleting the next fifth of the
  due recordings, oldest first (the sweep runs at the moment they fall due), so that a slow
  spell of the machine falls on both; the ratio is of their total times.

Scaling: the same number of due recordings (BENCH_SMALL_DUE) swept among BENCH_TOTAL / 10 rows
and among BENCH_TOTAL rows; the times should be about equal. EXPLAIN shows the index.
"""

from __future__ import annotations

import gc
import io
import os
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import psycopg

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
from recordings.storage import DELETE_BATCH_SIZE, S3Storage, make_s3_client  # noqa: E402
from tests.support.plans import plan_lines  # noqa: E402
from workers.retention import (  # noqa: E402
    RetentionSummary,
    delete_due_recordings,
    due_recordings_query,
)
from workers.worker import warm_up  # noqa: E402

TOTAL = int(os.environ.get("BENCH_TOTAL", "1000000"))
DUE = int(os.environ.get("BENCH_DUE", "100000"))
SMALL_DUE = int(os.environ.get("BENCH_SMALL_DUE", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))  # alternate bare and sweep rounds
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
        """Wait until it listens (its bucket is full then), and warm it; its URL.

        moto answers its first request about 85 ms late (its own start-up, which real S3 does
        not have): one DeleteObjects of a key that does not exist takes that, so that neither
        side's first round carries it."""
        wait_for_port(self.port, timeout=1200)
        s3_client(self.url).delete_objects(
            Bucket=BUCKET, Delete={"Objects": [{"Key": f"{PREFIX}/warm-up"}], "Quiet": True}
        )
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
    # The million objects just made are kept for the server's life: out of the garbage
    # collector's sight, or its full collections walk them all at moments of its choosing,
    # adding a second or two to whichever side's deletes they fall in.
    gc.freeze()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    threading.Event().wait()


def s3_client(endpoint: str):  # noqa: ANN201
    """The product's S3 client (`make_s3_client`) on `endpoint`: the bare deletes and the
    sweep use the same one."""
    session = boto3.session.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench", region_name=REGION
    )
    return make_s3_client(REGION, endpoint, session)


def key_of(n: int) -> str:
    return f"2026/12/RE{n:032x}.wav.enc"


def bare_delete(client, keys: list[str]) -> tuple[float, float, int]:  # noqa: ANN001
    """The baseline: DeleteObjects in batches of 1,000, nothing else. (Seconds, own CPU, keys.)"""
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(keys), DELETE_BATCH_SIZE):
        batch = [{"Key": f"{PREFIX}/{k}"} for k in keys[i : i + DELETE_BATCH_SIZE]]
        client.delete_objects(Bucket=BUCKET, Delete={"Objects": batch, "Quiet": True})
    return time.perf_counter() - started, time.process_time() - cpu, len(keys)


def seed(url: str, first: int, count: int, due: int) -> list[str]:
    """`count` calls and recordings from id `first`; the first `due` of them are due. COPY,
    then VACUUM and a checkpoint: the rows are as months of calls would have left them, not a
    fresh load whose autovacuum, first reads (setting each row's hint bits) and dirty pages
    could fall in the timed sweep."""
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
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) calls, recordings")
        conn.execute("CHECKPOINT")
    return due_keys


def runtime_for(url: str, endpoint: str) -> Runtime:
    settings = replace(load_settings({"DATABASE_URL": url}), recording_retention_months=6)
    runtime = Runtime(settings)
    runtime.__dict__["storage"] = S3Storage(BUCKET, PREFIX, s3_client(endpoint))
    return runtime


def timed_sweep(runtime: Runtime, now: datetime = NOW) -> tuple[float, float, RetentionSummary]:
    """The sweep at `now`: seconds, own CPU (this process, every thread), what it did."""
    summary = RetentionSummary()
    started, cpu = time.perf_counter(), time.process_time()
    delete_due_recordings(runtime, now, summary, workers=SWEEP_WORKERS)
    return time.perf_counter() - started, time.process_time() - cpu, summary


def rounds_of(keys: list[str]) -> list[tuple[datetime, list[str]]]:
    """The due recordings in ROUNDS parts, oldest first: for each, the moment at which exactly
    the parts so far are due, and the part's keys (due recording i, whose key is keys[i], is
    due at NOW - (i + 1) seconds: see `seed`)."""
    size = -(-len(keys) // ROUNDS)
    parts = []
    for k in range(ROUNDS):
        low, high = max(len(keys) - (k + 1) * size, 0), len(keys) - k * size
        if low < high:
            parts.append((NOW - timedelta(seconds=low + 1), keys[low:high]))
    return parts


def explain(runtime: Runtime) -> str:
    with runtime.db.transaction() as session:
        lines = plan_lines(session, due_recordings_query(NOW, DELETE_BATCH_SIZE), analyze=True)
    return "\n".join("    " + line for line in lines)


def scaling_case(endpoint: str, first: int, total: int, due: int) -> float:
    """Sweep `due` recordings among `total` rows in a fresh database."""
    with scratch_postgres() as url:
        upgrade(url)
        seed(url, first, total, due)
        runtime = runtime_for(url, endpoint)
        seconds, _cpu, summary = timed_sweep(runtime)
        assert len(summary.deleted) == due, (len(summary.deleted), due)
        print(f"  {due:>9,} due among {total:>11,} rows: sweep {seconds:6.2f} s")
        runtime.db.engine.dispose()  # type: ignore[union-attr]
        return seconds


def main(figures: dict[str, object]) -> int:
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
            runtime = runtime_for(url, sweep_url)
            print("EXPLAIN ANALYZE of the due query (first batch):")
            print(explain(runtime))
            warm_up(runtime)  # as the Procfile's worker does before it forks each job
            ratio = alternate(
                runtime, s3_client(bare_url), bare_server, sweep_server, keys, figures
            )
            check(url, s3_client(sweep_url), keys, objects)
            figures["sizes"] = sizes(url)
            runtime.db.engine.dispose()  # type: ignore[union-attr]
        print(f"scaling: {SMALL_DUE:,} due among {few:,} rows and among {many:,} rows")
        endpoint = scaling_server.ready()
        t_few = scaling_case(endpoint, FEW_FIRST, few, SMALL_DUE)
        t_many = scaling_case(endpoint, MANY_FIRST, many, SMALL_DUE)
        figures["scaling_ratio"] = round(t_many / t_few, 2)
        print(f"  ratio (x{many // few} rows, same due): {t_many / t_few:.2f}"
              " (about 1 when the work follows what is due)")  # fmt: skip
    finally:
        for server in (bare_server, sweep_server, scaling_server):
            server.stop()
    print(f"total {time.perf_counter() - started:.0f} s")
    return 0 if ratio <= 1.3 else 1


@dataclass
class Side:
    """One side's totals over its rounds: wall seconds, then CPU seconds (its own, the S3
    server's, PostgreSQL's)."""

    seconds: float = 0.0
    own_cpu: float = 0.0
    s3_cpu: float = 0.0
    postgres_cpu: float = 0.0


def alternate(  # noqa: ANN201
    runtime: Runtime,
    bare_client,
    bare_server,
    sweep_server,
    keys,
    figures,  # noqa: ANN001
):
    """Bare deletes and the sweep in alternate rounds, a part of the due recordings each, so
    that a slow moment of the machine (its speed moves by a third from hour to hour, and
    within minutes) falls on both sides; the total time of each, their ratio, and where the
    CPU went (2 cores here: the S3 server and PostgreSQL share them with the deletes)."""
    bare_side, sweep_side = Side(), Side()
    ratios, deleted = [], 0
    for n, (moment, part) in enumerate(rounds_of(keys), 1):
        bare, _ = on_side(bare_side, bare_server, bare_delete, bare_client, part)
        sweep, summary = on_side(sweep_side, sweep_server, timed_sweep, runtime, moment)
        deleted += len(summary.deleted)
        ratios.append(sweep / bare)
        print(f"  round {n}: {len(part):,} keys, bare {bare:.2f} s, sweep {sweep:.2f} s"
              f" ({len(summary.deleted):,} deleted), ratio {ratios[-1]:.2f}")  # fmt: skip
    ratio = sweep_side.seconds / bare_side.seconds
    figures.update(
        total=TOTAL, due=DUE, ratio=round(ratio, 3), rounds=[round(r, 3) for r in ratios]
    )
    for name, side in (("bare", bare_side), ("sweep", sweep_side)):
        print(f"{name:5}: {side.seconds:.2f} s; CPU: own {side.own_cpu:.2f} s, S3 server"
              f" {side.s3_cpu:.2f} s, PostgreSQL {side.postgres_cpu:.2f} s")  # fmt: skip
        figures.update({f"{name}_{what}": round(v, 2) for what, v in asdict(side).items()})
    print(f"sweep deleted {deleted:,} recordings")
    print(f"ratio sweep / bare deletes: {ratio:.2f} over {len(ratios)} alternate rounds"
          f" (rounds {min(ratios):.2f}-{max(ratios):.2f}; target <= 1.30)")  # fmt: skip
    return ratio


def on_side(side: Side, server: MotoServer, run, *args):  # noqa: ANN001, ANN002, ANN201
    """`run(*args)`, which returns (seconds, own CPU, what it did); adds its seconds and own
    CPU, and the CPU `server` and PostgreSQL used meanwhile, to `side`. (Seconds, what.)"""
    s3, database = cpu_seconds([server.process.pid]), cpu_seconds(postgres_pids())
    seconds, cpu, done = run(*args)
    side.seconds += seconds
    side.own_cpu += cpu
    side.s3_cpu += cpu_seconds([server.process.pid]) - s3
    side.postgres_cpu += cpu_seconds(postgres_pids()) - database
    return seconds, done


def sizes(url: str) -> dict[str, dict[str, float]]:
    """Bytes per row of the tables the sweep reads and writes, and of each of their indexes
    (after the sweep: the deleted recordings' old row versions not yet vacuumed count too),
    for the capacity model's database size."""
    found: dict[str, dict[str, float]] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE calls, recordings, deletion_records")
        for table in ("calls", "recordings", "deletion_records"):
            rows = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] or 1  # noqa: S608
            parts = conn.execute(
                "SELECT c.relname, pg_relation_size(c.oid) FROM pg_class c"
                " WHERE c.oid = %s::regclass OR c.oid IN"
                " (SELECT indexrelid FROM pg_index WHERE indrelid = %s::regclass)",
                (table, table),
            ).fetchall()
            found[table] = {name: round(size / rows, 1) for name, size in sorted(parts)}
            listed = ", ".join(f"{name} {per:.0f}" for name, per in found[table].items())
            print(f"bytes per row of {table} ({rows:,} rows): {listed}")
    return found


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
    with bench_run("retention") as figures:
        status = main(figures)
    raise SystemExit(status)
