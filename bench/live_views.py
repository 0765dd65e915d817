"""SPEC §11 "live views": the incoming-call webhook with and without 100 desks and 10 boards open.

Mechanism measured: each open desk asks for its live fragment every 2 s and each board every
2.5 s, a short GET carrying the ETag of what it shows (304 while nothing changed). No request
waits for a change, so no web worker is held the way a long poll or a server-sent-events
stream would hold one (with the Procfile's 2 × 8 threads, 110 open streams would take every
thread). The cost is the polls' own CPU, which this script measures.

One run, one machine, the same servers: bare Flask (fixed TwiML) and the app under gunicorn as
the Procfile runs it. Phase 1 without pollers, phase 2 with 110 pollers (another process):
in each, alternating wrk rounds give the webhook/bare throughput ratio, and an open loop at
200 requests/s gives the webhook's p99. Targets: ratio >= 0.5 and p99 < 50 ms in both phases.

BENCH_POOLS=shared (the default) polls the same gunicorn that answers the webhook: the harder
case. BENCH_POOLS=separate polls a second gunicorn of the app, the Procfile's `pages` pool, at
`nice 10` as the stand-in for CPUs of its own (see bench/public_form.py).
"""

from __future__ import annotations

import contextlib
import http.client
import multiprocessing
import os
import queue
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.orm import Session  # noqa: E402

from app.db import make_engine, upgrade  # noqa: E402
from app.domain.sessions import SessionLimits, start_session  # noqa: E402
from app.models import Call, CallLeg, Staff  # noqa: E402
from bench.common import console_cookie, free_port, gunicorn, scratch_postgres  # noqa: E402
from bench.webhooks import (  # noqa: E402
    APP_WORKERS,
    DURATION_S,
    RATE,
    TOKEN,
    measured_round,
    open_loop,
    signed_requests,
    warm_up,
    wrk_script,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
ROUND_S = int(os.environ.get("BENCH_ROUND_SECONDS", "4"))
DESKS, BOARDS = 100, 10
POOLS = os.environ.get("BENCH_POOLS", "shared")
assert POOLS in {"separate", "shared"}, "BENCH_POOLS is separate or shared"  # noqa: S101
DESK_EVERY, BOARD_EVERY = 2.0, 2.5
SECRET = "bench-live-views-session-secret"  # noqa: S105
LIMITS = SessionLimits(idle=timedelta(hours=1), absolute=timedelta(hours=12))


def seed(db_url: str) -> tuple[list[str], list[str]]:
    """100 advisors (20 on calls, 60 available, 20 offline), a few callers waiting, 10
    supervisors; a console session for each. Returns the desks' and boards' tokens."""
    now = datetime.now(UTC)
    engine = make_engine(db_url)
    desks, boards = [], []
    with Session(engine) as session:
        for n in range(DESKS):
            status = "busy" if n < 20 else "available" if n < 80 else "offline"
            advisor = Staff(
                email=f"advisor{n}@bench.example",
                name=f"Advisor {n}",
                role="advisor",
                skills=["adult_social_care"],
                endpoint=f"client:advisor{n}",
                status=status,
                status_changed_at=now,
            )
            session.add(advisor)
            session.flush()
            if status == "busy":
                call = Call(
                    call_sid=f"CA{n:032x}",
                    from_number="+447700900123",
                    started_at=now - timedelta(minutes=2),
                    service_code="adult_social_care",
                    enqueued_at=now - timedelta(minutes=1),
                    routing_state="connected",
                    assigned_advisor_id=advisor.id,
                )
                session.add(call)
                session.flush()
                session.add(CallLeg(call_id=call.id, advisor_id=advisor.id, started_at=now))
            desks.append(start_session(session, advisor, now, LIMITS, second_factor=True))
        for n in range(BOARDS):
            supervisor = Staff(email=f"supervisor{n}@bench.example", role="supervisor")
            session.add(supervisor)
            session.flush()
            boards.append(start_session(session, supervisor, now, LIMITS, second_factor=True))
        session.commit()
    engine.dispose()
    return desks, boards


def cookie(token: str) -> str:
    """The console's signed session cookie carrying this session token."""
    return console_cookie(token, SECRET)


def _get(conn: http.client.HTTPConnection, path: str, headers: dict[str, str]):  # noqa: ANN202
    """GET on the kept connection; once more on a new one if the server had closed it (its
    keep-alive ran out between two polls), as a browser does."""
    try:
        conn.request("GET", path, headers=headers)
        reply = conn.getresponse()
    except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
        conn.close()
        conn.request("GET", path, headers=headers)
        reply = conn.getresponse()
    reply.read()
    return reply


def poll_forever(port: int, path: str, every: float, cookies: list[str], out, stop) -> None:  # noqa: ANN001
    """One thread per open page, each polling `path` with its ETag; reports (status, ms)."""

    def page(jar: str, offset: float) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        etag, due = "", time.perf_counter() + offset
        while not stop.is_set():
            time.sleep(max(0.0, due - time.perf_counter()))
            headers = {"Cookie": jar, "X-Live-Fragment": "1"}
            if etag:
                headers["If-None-Match"] = etag
            started = time.perf_counter()
            try:
                reply = _get(conn, path, headers)
            except (OSError, http.client.HTTPException):  # as a browser's poll would fail
                out.put((599, (time.perf_counter() - started) * 1000))
                conn, due = http.client.HTTPConnection("127.0.0.1", port, timeout=10), due + every
                continue
            out.put((reply.status, (time.perf_counter() - started) * 1000))
            etag = reply.getheader("ETag") or etag
            due += every

    threads = [
        threading.Thread(target=page, args=(jar, every * n / len(cookies)), daemon=True)
        for n, jar in enumerate(cookies)
    ]
    for thread in threads:
        thread.start()
    stop.wait()


def start_pollers(port: int, desks: list[str], boards: list[str]):  # noqa: ANN201
    """The 110 open pages, in another process so they do not slow this one's load generators."""
    out, stop = multiprocessing.Queue(), multiprocessing.Event()
    processes = [
        multiprocessing.Process(
            target=poll_forever,
            args=(port, "/console/desk/live", DESK_EVERY, [cookie(t) for t in desks], out, stop),
        ),
        multiprocessing.Process(
            target=poll_forever,
            args=(port, "/console/board/live", BOARD_EVERY, [cookie(t) for t in boards], out, stop),
        ),
    ]
    for process in processes:
        process.start()
    return processes, out, stop


def phase(bare_port: int, port: int, pairs: list, label: str) -> tuple[float, float]:
    """Alternating wrk rounds (ratio) and the 200 req/s open loop (p99) now."""
    per_round = len(pairs) // (ROUNDS + 1)
    ratios = []
    for n in range(ROUNDS):
        bare = measured_round(bare_port, wrk_script(pairs[:2000]), ROUND_S)
        app = measured_round(port, wrk_script(pairs[n * per_round : (n + 1) * per_round]), ROUND_S)
        ratios.append(app["rps"] / bare["rps"])
        print(
            f"  {label} round {n + 1}: bare {bare['rps']:6.0f} req/s, webhook {app['rps']:6.0f}"
            f" req/s ({app['errors']:.0f} errors), ratio {ratios[-1]:.2f}"
        )
    latencies = sorted(open_loop(port, pairs[ROUNDS * per_round :], RATE, DURATION_S))
    return statistics.median(ratios), latencies[int(len(latencies) * 0.99) - 1]


def drain(out) -> list[tuple[int, float]]:  # noqa: ANN001
    """Every (status, ms) the pollers reported."""
    found = []
    while True:
        try:
            found.append(out.get(timeout=1))
        except queue.Empty:
            return found


def main() -> None:
    """Both phases in one run; the figures side by side."""
    with scratch_postgres() as db_url:
        upgrade(db_url)
        desks, boards = seed(db_url)
        env = {
            "DATABASE_URL": db_url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "OPENING_HOURS": "00:00-24:00",
            "SECRET_KEY": SECRET,
            "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        }
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        per_phase = 4000 * ROUND_S * ROUNDS + RATE * DURATION_S
        pairs = signed_requests(base, 2 * per_phase + 300)
        app_env = {**env, "PUBLIC_BASE_URL": base}
        with (
            contextlib.ExitStack() as stack,
            gunicorn("bench.bare_app:app", {}, extra=APP_WORKERS) as bare_port,
            gunicorn("wsgi:app", app_env, port=port, extra=APP_WORKERS),
        ):
            warm_up(bare_port, pairs[-100:])
            warm_up(port, pairs[-300:-100])
            quiet = phase(bare_port, port, pairs[:per_phase], "without pollers")
            pages = (
                stack.enter_context(gunicorn("wsgi:app", app_env, extra=APP_WORKERS, niceness=10))
                if POOLS == "separate"
                else port
            )
            processes, out, stop = start_pollers(pages, desks, boards)
            time.sleep(3)
            busy = phase(bare_port, port, pairs[per_phase : 2 * per_phase], "with 110 pollers")
            stop.set()
            polls = drain(out)
            for process in processes:
                process.join(timeout=10)
    print(f"pools                  : {POOLS} (BENCH_POOLS)")
    print(f"without pollers        : ratio {quiet[0]:.2f}, p99 at {RATE} req/s {quiet[1]:.1f} ms")
    print(f"with {DESKS} desks, {BOARDS} boards: ratio {busy[0]:.2f}, p99 {busy[1]:.1f} ms")
    print("targets                : ratio >= 0.50 and p99 < 50 ms in both")
    if polls:
        times = sorted(ms for _, ms in polls)
        unchanged = sum(1 for status, _ in polls if status == 304)
        failed = sum(1 for status, _ in polls if status >= 400)
        print(
            f"polls                  : {len(polls)}, {unchanged / len(polls):.0%} answered 304, "
            f"{failed} failed; p50 {statistics.median(times):.1f} ms, "
            f"p99 {times[int(len(times) * 0.99) - 1]:.1f} ms"
        )


if __name__ == "__main__":
    main()
