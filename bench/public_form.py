"""SPEC §11/§15: the incoming-call webhook's latency while 50 citizens use the access-request form.

50 threads each walk the whole form again and again with no pause (GET each page for its CSRF
token, POST the answer, send from check answers: every submission registers a request and
searches the calls), while an open-loop generator sends the incoming-call webhook 200 times a
second (latency measured from each request's scheduled time: bench.webhooks.open_loop). The
form's rate limit is lifted for the run (every submitter shares 127.0.0.1). Target: webhook
p99 < 50 ms.

The submitters run in a process of their own (as 50 threads in the process timing the webhook,
they would take its GIL and delay its sends). BENCH_POOLS=separate (the default) runs the
product as the Procfile does for production: the `web` pool (Twilio's webhooks and the API)
and the `pages` pool (the form and the console) are two gunicorns of the same app, the proxy
routing by path. In production each pool has its own CPUs; on this one 2-core machine the
pages pool and the submitters run at `nice 10` as the stand-in for that (PostgreSQL is shared
and not niced). BENCH_POOLS=shared sends both loads to one gunicorn at normal priority: 50
submitters that never pause keep its threads busy, and the webhook's requests queue behind
theirs (that is why the Procfile has two pools).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import re
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from app.db import upgrade  # noqa: E402
from bench.common import free_port, gunicorn, scratch_postgres  # noqa: E402
from bench.webhooks import APP_WORKERS, RATE, TOKEN, open_loop, signed_requests  # noqa: E402

SUBMITTERS = int(os.environ.get("BENCH_SUBMITTERS", "50"))
DURATION_S = int(os.environ.get("BENCH_SECONDS", "20"))
POOLS = os.environ.get("BENCH_POOLS", "separate")
NICE = 10  # the pages pool's and the submitters' stand-in for CPUs of their own
assert POOLS in {"separate", "shared"}, "BENCH_POOLS is separate or shared"  # noqa: S101
TOKEN_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
ANSWERS = [
    ("name", {}),  # the name is filled in per submission
    ("who", {"who": "myself"}),
    ("phone-numbers", {"phone-1": "07700 900123"}),
    ("when", {}),
    ("reply", {"reply": "post", "address": "1 High Street\nSt Helens WA10 1AA"}),
    ("language", {"language": "en"}),
    ("note", {"note": ""}),
]


def submit_once(http: requests.Session, base: str, name: str) -> float:
    """Walk the form and send it; seconds taken."""
    started = time.perf_counter()
    for step, fields in [*ANSWERS, ("check", {})]:
        path = f"{base}/access-request/{step}"
        token = TOKEN_FIELD.search(http.get(path, timeout=30).text)
        data = {**fields, "csrf_token": token[1] if token else ""}
        if step == "name":
            data["name"] = name
        reply = http.post(path, data=data, timeout=30, allow_redirects=False)
        if reply.status_code != 302:
            raise RuntimeError(f"{step}: HTTP {reply.status_code}")
    return time.perf_counter() - started


def submitters(base: str, stop, results) -> None:  # noqa: ANN001
    """Run SUBMITTERS citizens until `stop` is set (in a process of its own, niced when the
    pools are separate); put (durations, errors) on `results`."""
    if POOLS == "separate":
        os.nice(NICE)
    durations: list[float] = []
    errors: list[str] = []

    def citizen(number: int) -> None:
        http, n = requests.Session(), 0
        while not stop.is_set():
            n += 1
            try:
                durations.append(submit_once(http, base, f"Bench Citizen {number}-{n}"))
            except (requests.RequestException, RuntimeError) as exc:
                errors.append(str(exc))

    threads = [threading.Thread(target=citizen, args=(n,), daemon=True) for n in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    stop.wait()
    for thread in threads:
        thread.join(timeout=60)
    results.put((durations, errors))


def warm_up(base: str, pages: str, pairs: list[tuple[str, str]]) -> None:
    """Until every worker has booted and answered both the webhook and a form page quickly
    (a loaded machine can take tens of seconds over a worker's first request)."""
    quick, deadline = 0, time.monotonic() + 180
    for body, signature in pairs:
        started = time.perf_counter()
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Twilio-Signature": signature,
        }
        requests.post(f"{base}/twilio/voice", data=body, headers=headers, timeout=120)
        requests.get(f"{pages}/access-request/name", timeout=120)
        quick = quick + 1 if time.perf_counter() - started < 0.5 else 0
        if quick >= 20 or time.monotonic() > deadline:
            return


def main() -> None:
    """Run the form load and the webhook's open loop together; print the figures."""
    with scratch_postgres() as db_url:
        upgrade(db_url)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        pages_port = free_port() if POOLS == "separate" else port
        pages = f"http://127.0.0.1:{pages_port}"
        env = {
            "DATABASE_URL": db_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "OPENING_HOURS": "00:00-24:00",
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
            "PUBLIC_BASE_URL": base,
            "PUBLIC_FORM_LIMIT": "1000000 per hour",
            "SECRET_KEY": "bench-secret-key-not-secret",
        }
        pairs = signed_requests(base, RATE * (DURATION_S + 3))
        with (
            gunicorn("wsgi:app", env, port=port, extra=APP_WORKERS),
            gunicorn("wsgi:app", env, port=pages_port, extra=APP_WORKERS, niceness=NICE)
            if POOLS == "separate"
            else contextlib.nullcontext(),
        ):
            warm_up(base, pages, pairs[-100:])
            stop, results = multiprocessing.Event(), multiprocessing.Queue()
            load = multiprocessing.Process(target=submitters, args=(pages, stop, results))
            load.start()
            started = time.monotonic()
            time.sleep(2)  # the submitters are under way before the webhook is timed
            latencies = sorted(open_loop(port, pairs[: RATE * DURATION_S], RATE, DURATION_S))
            stop.set()
            durations, errors = results.get(timeout=120)
            load.join()
            elapsed = time.monotonic() - started
    sent = RATE * DURATION_S
    if len(latencies) < sent:
        print(f"WARNING: {sent - len(latencies)} of {sent} webhook requests got no answer in 10 s")
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else float("nan")
    print(f"pools                  : {POOLS} (BENCH_POOLS)")
    print(
        f"form submitters        : {SUBMITTERS} concurrent (no pause between pages), "
        f"{len(durations)} forms sent in {elapsed:.0f} s, {len(errors)} errors"
    )
    if durations:
        walk = sorted(durations)
        print(
            f"one whole form (16 HTTP requests): median {statistics.median(walk):.2f} s, "
            f"p95 {walk[int(len(walk) * 0.95) - 1]:.2f} s"
        )
    print(
        f"webhook at {RATE} req/s  : p50 {statistics.median(latencies):.1f} ms, "
        f"p99 {p99:.1f} ms  (target p99 < 50 ms)"
    )


if __name__ == "__main__":
    main()
