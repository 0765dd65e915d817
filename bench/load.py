"""A whole day of calls, compressed: webhook latency and time to a stored recording (issue 7).

Calls arrive over `--seconds` in the shape of a contact-line day (08:00-22:00, a morning peak
around 10:00, a smaller one after lunch), each a thread driving the full flow with
`app.simulator.CallSimulator` over real HTTP against:

- gunicorn as the Procfile runs `web` (its workers and threads; --web-workers to change),
  serving `wsgi:app`, on PostgreSQL (a scratch database),
- `rq worker` processes with their scheduler (--rq-workers, default 1), on a private
  redis-server,
- a moto S3 server as the recording store,
- the fake Twilio REST API (tests.fakes.twilio_api.FakeTwilio) serving each recording's media.

Advisors are created first and set available; a call that reaches one is dialled, recorded,
and its `completed` recording callback sent; the rq worker fetches, encrypts, stores and
verifies it, then deletes Twilio's copy. A few callers press star (opted out: discarded).

Reported: webhook p50/p99/max (every signed POST the simulated Twilio makes), time from the
end of a call (its final status callback answered) to its recording stored, and every error.

    .venv/bin/python bench/load.py [--calls 300] [--seconds 60] [--advisors 12]

Scale-out mode, for the capacity model (docs/capacity.md): new calls arrive at random at each
of `--rates` calls a second for `--step-seconds`, until a rate is not held: webhook p99 under
50 ms, no error, every recording stored (or discarded, opted out) within 10 s of the last
call. Each step prints the cores each tier used (web, rq workers, PostgreSQL, Redis, the S3
server, and the simulated callers with the fake Twilio), so the first to saturate is named.

    .venv/bin/python bench/load.py --rates 5,10,15,20 --advisors 80 --rq-workers 2

What it leaves out: the fake Twilio holds no queue members, so the connect job's Queue Members
redirects (a caller matched by someone else's poll, or by an advisor becoming available) fail
there with 404 and the claim is released; a waiting caller is connected only when one of their
own three waitUrl polls is answered with `<Leave>` (then the Enqueue action sends them to
the advisor), else they hang up. Every process
(load generator and fake Twilio included) shares the same cores, so figures are an upper bound
on latency. Recordings are 5 s each.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import wave
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_run, cpu_seconds, gunicorn, scratch_postgres  # noqa: E402
from bench.webhooks import APP_WORKERS  # noqa: E402
from tests.fixtures.s3 import REGION, s3_env  # noqa: E402
from tests.fixtures.servers import RedisServer, free_port, wait_for_port  # noqa: E402

ACCOUNT_SID = "AC" + "d" * 32
AUTH_TOKEN = "load-bench-token"  # noqa: S105
BUCKET = "load-bench"
OPT_OUT_SHARE = 0.05
PIDS: dict[str, list[int]] = {}  # the processes of each tier, for the CPU each one uses
MENU_KEYS = "12345"


@dataclass
class Results:
    """What every simulated call saw, shared between threads."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    call_ended_at: dict[str, float] = field(default_factory=dict)  # call sid -> wall clock
    recording_calls: dict[str, str] = field(default_factory=dict)  # recording sid -> call sid
    outcomes: Counter[str] = field(default_factory=Counter)

    def webhook(self, path: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(path, []).append(seconds)


def arrival_offsets(calls: int, seconds: float, seed: int) -> list[float]:
    """`calls` arrival times in [0, seconds): a 08:00-22:00 day with a 10:00 and a 14:00 peak."""

    def density(hour: float) -> float:
        return (
            1.0
            + 3.0 * math.exp(-(((hour - 10) / 1.2) ** 2))
            + 1.5 * math.exp(-(((hour - 14) / 1.5) ** 2))
        )

    grid = [8 + 14 * i / 1000 for i in range(1001)]
    cumulative = [0.0]
    for a, b in zip(grid, grid[1:], strict=False):
        cumulative.append(cumulative[-1] + (density(a) + density(b)) / 2)
    total = cumulative[-1]
    rng = random.Random(seed)  # noqa: S311  (a load pattern, not a secret)
    offsets = []
    for _ in range(calls):
        target = rng.random() * total
        i = next(i for i, c in enumerate(cumulative) if c >= target)
        offsets.append((grid[max(i - 1, 0)] - 8) / 14 * seconds)
    return sorted(offsets)


def recording_wav(seconds: float = 5.0) -> bytes:
    """A stereo 8 kHz 16-bit WAV of random samples (as Twilio's dual-channel recordings are)."""
    buffer = BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(os.urandom(4 * int(seconds * 8000)))
    return buffer.getvalue()


def make_simulator_class(results: Results, fake_twilio, audio: bytes):  # noqa: ANN001, ANN201
    """A CallSimulator that times every webhook and makes Twilio hold each recording."""
    from app.dev.simulator import CallSimulator

    class TimedSimulator(CallSimulator):
        def post(self, url: str, **params: str):  # noqa: ANN202
            started = time.perf_counter()
            try:
                return super().post(url, **params)
            finally:
                path = url.removeprefix(self.base_url).split("?")[0]
                results.webhook(path, time.perf_counter() - started)

        def new_recording_sid(self) -> str:
            sid = fake_twilio.add_recording(call_sid=self.call_sid, audio=audio, duration=5)
            with results.lock:
                results.recording_calls[sid] = self.call_sid
            return sid

        def hang_up(self) -> None:
            super().hang_up()
            with results.lock:
                results.call_ended_at[self.call_sid] = time.time()

    return TimedSimulator


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto S3 server with the bench bucket; yields its endpoint URL."""
    import boto3

    port = free_port()
    exe = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    proc = subprocess.Popen(  # noqa: S603
        [exe, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    PIDS["S3 (moto)"] = [proc.pid]
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}"
        boto3.client(
            "s3",
            endpoint_url=url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",  # noqa: S106
        ).create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@contextmanager
def rq_workers(env: dict[str, str], redis_url: str, count: int = 1) -> Iterator[None]:
    """`count` of the Procfile's `rq worker` (preloaded, forking per job, scheduler for
    retries)."""
    exe = str(Path(sys.executable).with_name("rq"))
    command = [
        exe,
        "worker",
        "--with-scheduler",
        "--url",
        redis_url,
        "--logging_level",
        "WARNING",
        "--worker-class",
        "workers.worker.PreloadedWorker",
    ]
    procs = [
        subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})  # noqa: S603
        for _ in range(count)
    ]
    PIDS["workers (rq)"] = [proc.pid for proc in procs]
    try:
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)


def app_env(
    database_url: str, redis_url: str, s3_url: str, twilio_url: str, port: int, instance: Path
) -> dict[str, str]:
    """The environment every process of the app shares."""
    return {
        "APP_ENV": "test",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "INSTANCE_DIR": str(instance),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "OPENING_HOURS": "00:00-24:00",  # the bench may run at any hour
        "WRAP_UP_SECONDS": "1",  # the day is compressed ~840 times; a minute's wrap-up is gone
        **s3_env(s3_url, BUCKET),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_API_BASE_URL": twilio_url,
    }


def prepare(env: dict[str, str], advisors: int) -> None:
    """Migrate, make the shared development master key once, create available advisors."""
    from app import create_app
    from app.db import upgrade
    from config.settings import load_settings
    from recordings.master_keys import load_master_key

    settings = load_settings({**os.environ, **env})
    upgrade(settings.database_url)
    load_master_key(settings)  # written once into the instance folder before any worker reads it
    app = create_app({"SETTINGS": settings})
    skills = ",".join(s.code for s in app.config["SERVICES"])
    runner = app.test_cli_runner()
    for i in range(advisors):
        email = f"advisor{i}@bench.sthelens.gov.uk"
        for args in (
            [
                "staff",
                "create",
                email,
                "--role",
                "advisor",
                "--skills",
                skills,
                "--endpoint",
                f"client:advisor{i}",
            ],
            ["staff", "status", email, "available"],
        ):
            result = runner.invoke(args=args)
            if result.exit_code != 0:
                raise SystemExit(f"{' '.join(args)} failed: {result.output}")


def warm_up(base_url: str) -> float:
    """Wake both gunicorn workers (each builds its parts on its first request); the slowest, s."""
    from app.dev.simulator import CallSimulator

    slowest = 0.0
    for n in range(8):
        sim = CallSimulator(
            base_url=base_url,
            auth_token=AUTH_TOKEN,
            account_sid=ACCOUNT_SID,
            from_number=f"+447700{800000 + n:06d}",
            keys=deque(),
            echo=False,
        )
        started = time.perf_counter()
        sim.post("/twilio/voice", CallStatus="ringing")
        slowest = max(slowest, time.perf_counter() - started)
        sim.post("/twilio/call-status", CallStatus="completed", CallDuration="1")
    return slowest


def run_calls(
    base_url: str, offsets: list[float], simulator_class, seed: int, results: Results
) -> float:  # noqa: ANN001
    """Start each call at its offset, each in its own thread; returns the wall time taken."""
    rng = random.Random(seed + 1)  # noqa: S311
    plans = [("*" if rng.random() < OPT_OUT_SHARE else "") + rng.choice(MENU_KEYS) for _ in offsets]
    start = time.monotonic()

    def one_call(offset: float, keys: str, n: int) -> None:
        time.sleep(max(0.0, start + offset - time.monotonic()))
        sim = simulator_class(
            base_url=base_url,
            auth_token=AUTH_TOKEN,
            account_sid=ACCOUNT_SID,
            from_number=f"+447700{900000 + n:06d}",
            keys=deque(keys),
            echo=False,
        )
        try:
            sim.run()
        except Exception as exc:  # noqa: BLE001  (a bench counts every failure, whatever it is)
            with results.lock:
                results.errors.append(f"call {n}: {type(exc).__name__}: {exc}"[:300])
            return
        heard = " ".join(sim.heard)
        outcome = "dialled" if "📞" in heard else "queued, gave up" if "⏳" in heard else "other"
        with results.lock:
            results.outcomes[outcome] += 1

    with ThreadPoolExecutor(max_workers=128) as pool:
        for n, (offset, keys) in enumerate(zip(offsets, plans, strict=True)):
            pool.submit(one_call, offset, keys, n)
    return time.monotonic() - start


def wait_for_recordings(database_url: str, sids: list[str], timeout: float) -> dict[str, tuple]:
    """Poll until every recording left `pending` (or the timeout): sid -> status, stored_at."""
    import psycopg

    deadline = time.monotonic() + timeout
    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn:
        while True:
            rows = conn.execute(
                "SELECT recording_sid, status, stored_at, updated_at FROM recordings"
                " WHERE recording_sid = ANY(%s)",
                (sids,),
            ).fetchall()
            conn.commit()
            settled = {r[0]: (r[1], r[2], r[3]) for r in rows}
            if all(settled.get(s, ("pending",))[0] != "pending" for s in sids):
                return settled
            if time.monotonic() > deadline:
                return settled
            time.sleep(0.25)


def cpu_by_tier(port: int) -> dict[str, float]:
    """CPU seconds used so far by each tier of the line, and by this process (the simulated
    callers and the fake Twilio)."""
    from bench.common import postgres_pids
    from bench.webhooks import server_pids

    tiers = {"web (gunicorn)": [int(pid) for pid in server_pids(port)], **PIDS}
    tiers["PostgreSQL"] = [int(pid) for pid in postgres_pids()]
    used = {name: cpu_seconds(pids) for name, pids in tiers.items()}
    own = os.times()
    used["callers + fake Twilio"] = own.user + own.system
    return used


def poisson_offsets(rate: float, seconds: float, seed: int) -> list[float]:
    """Arrival times of new calls at `rate` a second, at random (a Poisson process)."""
    rng, at, offsets = random.Random(seed), 0.0, []  # noqa: S311  (a load pattern)
    while (at := at + rng.expovariate(rate)) < seconds:
        offsets.append(at)
    return offsets


@dataclass
class Step:
    """One rate of new calls held for a while, and what the line did with it."""

    rate: float
    calls: int
    p50_ms: float
    p99_ms: float
    errors: int
    recordings: int
    stored: int
    lag_s: float  # after the last call ended, until every recording had left `pending`
    cores: dict[str, float]

    @property
    def sustained(self) -> bool:
        """Webhook p99 under 50 ms, no error, every recording stored, the worker keeping up."""
        return (
            self.p99_ms < 50
            and self.errors == 0
            and self.stored == self.recordings
            and self.lag_s < LAG_LIMIT_S
        )


LAG_LIMIT_S = 10.0


def ramp(  # noqa: PLR0913
    base_url: str,
    database_url: str,
    fake,  # noqa: ANN001
    port: int,
    rates: list[float],
    step_seconds: float,
    settle_seconds: float,
    seed: int,
) -> list[Step]:
    """Each rate in turn for `step_seconds`; stops once calls fail or recordings fall behind."""
    audio, steps = recording_wav(), []
    warm = Results()  # every worker process meets every webhook once before anything counts
    run_calls(base_url, poisson_offsets(2, 10, seed - 1), make_simulator_class(warm, fake, audio),
              seed - 1, warm)  # fmt: skip
    wait_for_recordings(database_url, list(warm.recording_calls), settle_seconds)
    fake.take_violations()
    for n, rate in enumerate(rates):
        results = Results()
        offsets = poisson_offsets(rate, step_seconds, seed + n)
        before, started = cpu_by_tier(port), time.monotonic()
        wall = run_calls(
            base_url, offsets, make_simulator_class(results, fake, audio), seed + n, results
        )
        settled = wait_for_recordings(database_url, list(results.recording_calls), settle_seconds)
        elapsed = time.monotonic() - started
        after = cpu_by_tier(port)
        every = [x for values in results.latencies.values() for x in values] or [0.0]
        statuses = Counter(settled.get(s, ("missing",))[0] for s in results.recording_calls)
        step = Step(
            rate=rate,
            calls=len(offsets),
            p50_ms=percentile(every, 50) * 1000,
            p99_ms=percentile(every, 99) * 1000,
            errors=len(results.errors) + len(fake.take_violations()),
            recordings=len(results.recording_calls),
            stored=statuses.get("stored", 0) + statuses.get("discarded", 0),
            lag_s=elapsed - wall,
            cores={name: (after[name] - before.get(name, 0)) / elapsed for name in after},
        )
        steps.append(step)
        busiest = max(step.cores, key=lambda name: step.cores[name])
        print(
            f"{rate:5.1f} calls/s: {step.calls} calls, {len(every)} webhooks, p50"
            f" {step.p50_ms:.1f} ms, p99 {step.p99_ms:.1f} ms, errors {step.errors}, recordings"
            f" {step.stored}/{step.recordings} stored ({dict(statuses)}), last one"
            f" {step.lag_s:.1f} s after the calls; {'held' if step.sustained else 'NOT held'}"
        )
        print(
            "       cores used: "
            + ", ".join(f"{name} {used:.2f}" for name, used in step.cores.items())
            + f"; busiest: {busiest}"
        )
        slowest = sorted(results.latencies.items(), key=lambda item: -percentile(item[1], 99))[:3]
        print(
            "       slowest webhooks (p99): "
            + ", ".join(f"{path} {percentile(v, 99) * 1000:.0f} ms" for path, v in slowest)
        )
        for line in results.errors[:5]:
            print(f"  - {line}")
        if step.errors or step.lag_s > 2 * LAG_LIMIT_S:
            break  # failing, or the workers fall behind: higher rates only fail harder
    return steps


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(results: Results, settled: dict[str, tuple], wall: float, calls: int, fake) -> None:  # noqa: ANN001
    every = [x for values in results.latencies.values() for x in values]
    print(f"\n{calls} calls in {wall:.1f} s of wall time; outcomes: {dict(results.outcomes)}")
    print(
        f"webhooks: {len(every)} requests, p50 {percentile(every, 50) * 1000:.1f} ms, "
        f"p99 {percentile(every, 99) * 1000:.1f} ms, max {max(every) * 1000:.1f} ms"
    )
    for path, values in sorted(results.latencies.items()):
        print(
            f"  {path:32} n={len(values):5}  p50 {percentile(values, 50) * 1000:6.1f} ms"
            f"  p99 {percentile(values, 99) * 1000:6.1f} ms"
        )
    statuses = Counter(settled.get(s, ("missing",))[0] for s in results.recording_calls)
    delays = [
        settled[sid][1].timestamp() - results.call_ended_at[call]
        for sid, call in results.recording_calls.items()
        if sid in settled and settled[sid][1] is not None and call in results.call_ended_at
    ]
    print(f"recordings announced: {len(results.recording_calls)}; by status: {dict(statuses)}")
    if delays:
        print(
            f"call end → recording stored: p50 {statistics.median(delays):.2f} s, "
            f"p99 {percentile(delays, 99):.2f} s, max {max(delays):.2f} s"
        )
    kept = [s for s in results.recording_calls if s in fake.recordings]
    print(f"Twilio copies still held: {len(kept)} (opted-out and stored ones are deleted)")
    sids = re.compile(r"/(CA|RE|QU|AC)[0-9a-f]{32}")
    rest = Counter(r.method + " " + sids.sub(r"/{\1}", r.path) for r in fake.requests)
    print(f"Twilio REST requests made by the app and worker: {dict(rest)}")
    violations = fake.take_violations()
    print(f"errors: {len(results.errors)}; Twilio API violations: {len(violations)}")
    for line in (results.errors + violations)[:20]:
        print(f"  - {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--advisors", type=int, default=12)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--settle-seconds", type=float, default=120.0)
    parser.add_argument(
        "--rates",
        help="scale-out mode: new calls a second, comma-separated, each held --step-seconds;"
        " reports the highest the line sustains and which tier is busiest",
    )
    parser.add_argument("--step-seconds", type=float, default=30.0)
    parser.add_argument("--web-workers", type=int, help="gunicorn processes (the Procfile's)")
    parser.add_argument("--rq-workers", type=int, default=1)
    args = parser.parse_args()

    from tests.fakes.twilio_api import FakeTwilio

    results = Results()
    with ExitStack() as stack:
        import tempfile

        instance = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load-bench-")))
        database_url = stack.enter_context(scratch_postgres())
        redis = RedisServer()
        redis.start()
        stack.callback(redis.stop)
        s3_url = stack.enter_context(moto_server())
        fake = stack.enter_context(FakeTwilio(account_sid=ACCOUNT_SID, auth_token=AUTH_TOKEN))
        port = free_port()
        env = app_env(database_url, redis.url, s3_url, fake.base_url, port, instance)
        prepare(env, args.advisors)
        PIDS["Redis"] = [redis.process.pid] if redis.process else []
        web = list(APP_WORKERS)
        if args.web_workers:
            web += ["--workers", str(args.web_workers)]
        stack.enter_context(gunicorn("wsgi:app", env, port=port, extra=tuple(web)))
        stack.enter_context(rq_workers(env, redis.url, args.rq_workers))
        base_url = f"http://127.0.0.1:{port}"
        print(f"web: gunicorn {' '.join(web)}; {args.rq_workers} rq worker(s)")
        print(f"warm-up: slowest first webhook {warm_up(base_url) * 1000:.0f} ms (not counted)")
        if args.rates:
            rates = [float(r) for r in args.rates.split(",")]
            steps = ramp(
                base_url, database_url, fake, port, rates, args.step_seconds,
                args.settle_seconds, args.seed,
            )  # fmt: skip
            held = [step.rate for step in steps if step.sustained]
            best = max(held) if held else 0.0
            print(f"sustained: {best:.1f} new calls/s (webhook p99 < 50 ms, every recording"
                  f" stored within {LAG_LIMIT_S:.0f} s of the last call)")  # fmt: skip
            return
        simulator_class = make_simulator_class(results, fake, recording_wav())
        offsets = arrival_offsets(args.calls, args.seconds, args.seed)
        print(
            f"{args.calls} calls over {args.seconds:.0f} s ({args.advisors} advisors); busiest"
            f" second: {max(Counter(int(o) for o in offsets).values())} calls"
        )
        wall = run_calls(base_url, offsets, simulator_class, args.seed, results)
        settled = wait_for_recordings(
            database_url, list(results.recording_calls), args.settle_seconds
        )
        report(results, settled, wall, args.calls, fake)


if __name__ == "__main__":
    with bench_run("load"):
        main()
