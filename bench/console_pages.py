"""SPEC §11 "console pages": the server time of every console page (§14) with 1,000,000 calls,
100,000 recordings and 10,000 access requests in PostgreSQL. Target: p95 under 150 ms.

    .venv/bin/python bench/console_pages.py

Sizes (environment): BENCH_SCALE multiplies every size (default 1; 0.01 while developing), or
set one: BENCH_CALLS, BENCH_CALLERS (default calls / 5), BENCH_RECORDINGS, BENCH_REQUESTS,
BENCH_AUDIT (audit entries, default 200,000), BENCH_ALERTS (privacy alerts, default 2,000).
BENCH_TIMED is the number of timed requests per page (default 200), after 5 untimed ones.

What is real:
- the data: a contact centre's last six months, COPYed into a scratch PostgreSQL database at
  the newest migration, then VACUUM ANALYZE (see bench/console_seed.py for what the rows are);
- the server: the app under gunicorn as the Procfile's `pages` pool runs it (its default
  workers and threads, as `web`), alone on the machine's cores here, with Redis for the audit page's
  verification status;
- the requests: one client on the same machine, one request at a time on a keep-alive
  connection, signed in as the page's role (a console session started the way sign-in ends,
  second factor passed), so the time measured is the server's plus a loopback round trip.
  Each page is asked for with varied parameters: different requests, calls, numbers, dates,
  filters, sorts and pages of lists. Pages that audit a view (a request, a call) write their
  entry each time, as they do for a person.

Not measured: the browser's own work (assets are static files, cached), the live views'
polling load (bench/live_views.py), POSTs, and the recording audio route (it streams the
decrypted audio; no audio is stored here).

Baseline, in the same run under the same gunicorn settings: bare Flask (bench/bare_app.py)
returning a static copy of the median-sized console page, timed the same way before and after
the pages. Each page's p95 is printed against 150 ms and against the baseline's p95.
"""

from __future__ import annotations

import http.client
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.orm import Session  # noqa: E402

from app.db import make_engine, upgrade  # noqa: E402
from app.domain.access_request_listing import FILTERS, SORTS  # noqa: E402
from app.domain.sessions import SessionLimits, start_session  # noqa: E402
from app.models import Staff  # noqa: E402
from bench.common import bench_run, console_cookie, gunicorn, scratch_postgres  # noqa: E402
from bench.console_seed import Seeded, Sizes, seed  # noqa: E402
from bench.webhooks import APP_WORKERS  # noqa: E402
from recordings.retention import LONDON  # noqa: E402

SCALE = float(os.environ.get("BENCH_SCALE", "1"))


def _size(name: str, full: int) -> int:
    return int(os.environ.get(name, "0")) or max(1, round(full * SCALE))


CALLS = _size("BENCH_CALLS", 1_000_000)
SIZES = Sizes(
    calls=CALLS,
    callers=int(os.environ.get("BENCH_CALLERS", "0")) or max(1, CALLS // 5),
    recordings=_size("BENCH_RECORDINGS", 100_000),
    requests=_size("BENCH_REQUESTS", 10_000),
    audit=_size("BENCH_AUDIT", 200_000),
    alerts=_size("BENCH_ALERTS", 2_000),
)
TIMED = int(os.environ.get("BENCH_TIMED", "200"))
WARM_UP = 5
TARGET_MS = 150.0
SECRET = "bench-console-pages-session-secret"  # noqa: S105
LIMITS = SessionLimits(idle=timedelta(hours=12), absolute=timedelta(hours=24))
ROLES = ("advisor", "supervisor", "records_officer", "admin")
REASON = "Checking what was agreed on the call for a complaint"


@dataclass(frozen=True)
class Page:
    """A console page: who asks for it, and a new path each time (varied parameters)."""

    name: str
    role: str | None  # None: not signed in
    path: Callable[[random.Random], str]
    headers: dict[str, str] = field(default_factory=dict)
    status: int = 200


def _query(path: str, **params: object) -> str:
    given = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(given)}" if given else path


def _day(seeded: Seeded, rng: random.Random, within_days: int = 190) -> str:
    moment = seeded.now - timedelta(days=rng.uniform(0, within_days))
    return moment.astimezone(LONDON).date().isoformat()


def _requests_list(seeded: Seeded, rng: random.Random, **fixed: object) -> str:
    params: dict[str, object] = {
        "show": rng.choice(FILTERS),
        "sort": rng.choice(SORTS),
        "order": rng.choice(("", "desc")),
        "page": rng.choice((1, 1, 2, 3)),
    }
    return _query("/console/requests", **{**params, **fixed})


def _dates(seeded: Seeded, rng: random.Random) -> dict[str, str]:
    since = _day(seeded, rng)
    until = (datetime.fromisoformat(since) + timedelta(days=rng.randint(1, 14))).date()
    return {"since": since, "until": until.isoformat()}


def _audit(seeded: Seeded, rng: random.Random) -> str:
    people = [seeded.emails[i] for role in ROLES[1:] for i in seeded.staff[role]]
    actor = rng.choice([*people, "system"]) if rng.random() < 0.5 else None
    action = (
        rng.choice(("hold.", "console.", "recording.access", "retention"))
        if (rng.random() < 0.5)
        else None
    )
    on = _day(seeded, rng) if rng.random() < 0.4 else None
    return _query("/console/audit", actor=actor, action=action, on=on)


def pages(seeded: Seeded) -> list[Page]:
    """Every GET page of app/console/views, each with the role that uses it."""
    officer, admin = "records_officer", "admin"
    request_id = lambda rng: rng.choice(seeded.request_ids)  # noqa: E731
    staff_id = lambda rng: rng.choice([i for ids in seeded.staff.values() for i in ids])  # noqa: E731
    review = lambda rng: rng.choice(seeded.reviews)  # noqa: E731
    return [
        Page("login (signed out)", None, lambda rng: "/console/login"),
        Page("home (redirect)", officer, lambda rng: "/console/", status=302),
        Page("desk (on a call)", "advisor", lambda rng: "/console/desk"),
        Page("desk/live", "advisor", lambda rng: "/console/desk/live", {"X-Live-Fragment": "1"}),
        Page("board", "supervisor", lambda rng: "/console/board"),
        Page("board/live", "supervisor", lambda rng: "/console/board/live"),
        Page("requests (open, by due)", officer, lambda rng: "/console/requests"),
        Page("requests (filters, sorts)", officer, lambda rng: _requests_list(seeded, rng)),
        Page(
            "requests (all, deep pages)",
            officer,
            lambda rng: _requests_list(seeded, rng, show="all", page=rng.randint(1, 200)),
        ),
        Page("requests/new", officer, lambda rng: "/console/requests/new"),
        Page("request", officer, lambda rng: f"/console/requests/{request_id(rng)}"),
        Page(
            "request progress", officer, lambda rng: f"/console/requests/{request_id(rng)}/progress"
        ),
        Page(
            "request recording review",
            officer,
            lambda rng: _query(
                "/console/requests/{}/recordings/{}".format(*review(rng)),
                reason=REASON if rng.random() < 0.5 else None,
            ),
        ),
        Page("calls (search form)", "supervisor", lambda rng: "/console/calls"),
        Page(
            "calls by number",
            "supervisor",
            lambda rng: _query("/console/calls", number=rng.choice(seeded.numbers)),
        ),
        Page(
            "calls by dates", officer, lambda rng: _query("/console/calls", **_dates(seeded, rng))
        ),
        Page(
            "calls by number and dates",
            officer,
            lambda rng: _query(
                "/console/calls", number=rng.choice(seeded.numbers), **_dates(seeded, rng)
            ),
        ),
        Page("call", "supervisor", lambda rng: f"/console/calls/{rng.choice(seeded.call_sids)}"),
        Page("holds", officer, lambda rng: "/console/holds"),
        Page("retention", officer, lambda rng: "/console/retention"),
        Page("alerts", officer, lambda rng: "/console/alerts"),
        Page("audit (no filter)", officer, lambda rng: "/console/audit"),
        Page("audit (filters)", officer, lambda rng: _audit(seeded, rng)),
        Page("staff", admin, lambda rng: "/console/staff"),
        Page("staff/new", admin, lambda rng: "/console/staff/new"),
        Page("staff member", admin, lambda rng: f"/console/staff/{staff_id(rng)}"),
        Page(
            "staff deactivate (confirm)",
            admin,
            lambda rng: f"/console/staff/{rng.choice(seeded.staff['advisor'])}/deactivate",
        ),
    ]


def sign_in(url: str, seeded: Seeded) -> dict[str, str]:
    """A console session for the first member of each role; role -> Cookie header."""
    engine = make_engine(url)
    cookies = {}
    with Session(engine) as session:
        for role in ROLES:
            staff = session.get(Staff, seeded.staff[role][0])
            token = start_session(session, staff, seeded.now, LIMITS, second_factor=True)
            cookies[role] = console_cookie(token, SECRET)
        session.commit()
    engine.dispose()
    return cookies


@dataclass
class Timing:
    """One page's timed requests."""

    millis: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    unexpected: dict[int, int] = field(default_factory=dict)  # status -> count
    body: bytes = b""

    def percentile(self, share: float) -> float:
        ordered = sorted(self.millis)
        return ordered[max(0, round(share * len(ordered)) - 1)]


def time_page(port: int, page: Page, cookie: str | None, count: int, seed: int) -> Timing:
    """`count` requests one after another on one keep-alive connection, after a warm-up."""
    rng, timing = random.Random(seed), Timing()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {**page.headers, **({"Cookie": cookie} if cookie else {})}
    for k in range(WARM_UP + count):
        path = page.path(rng)
        started = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != page.status:
            timing.unexpected[response.status] = timing.unexpected.get(response.status, 0) + 1
        if k >= WARM_UP:
            timing.millis.append(elapsed)
            timing.sizes.append(len(body))
            timing.body = body
    conn.close()
    return timing


def report(name: str, timing: Timing, baseline_p95: float) -> dict[str, object]:
    p50, p95 = statistics.median(timing.millis), timing.percentile(0.95)
    worst = max(timing.millis)
    kb = statistics.mean(timing.sizes) / 1024
    flag = "" if p95 < TARGET_MS else "  OVER"
    errors = f"  unexpected statuses {timing.unexpected}" if timing.unexpected else ""
    print(
        f"{name:30} {p50:7.1f} {p95:7.1f} {worst:7.1f} {kb:6.1f} {p95 / TARGET_MS:8.2f}"
        f" {p95 / baseline_p95:9.1f}{flag}{errors}"
    )
    return {"p50": round(p50, 1), "p95": round(p95, 1), "max": round(worst, 1), "kb": round(kb, 1)}


def median_page(timings: dict[str, Timing]) -> bytes:
    """The body of the median-sized page among those asked for."""
    bodies = sorted((t.body for t in timings.values() if t.body), key=len)
    return bodies[len(bodies) // 2]


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def measure(url: str, seeded: Seeded, instance: Path) -> dict[str, object]:
    """Time every page and the baseline; print the table."""
    cookies = sign_in(url, seeded)
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "INSTANCE_DIR": str(instance),
        "SESSION_IDLE_MINUTES": "720",
        "SESSION_MAX_HOURS": "24",
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
    }
    console = pages(seeded)
    with gunicorn("wsgi:app", env, extra=APP_WORKERS) as port:
        first = {p.name: time_page(port, p, cookies.get(p.role or ""), 1, n) for n, p in
                 enumerate(console)}  # fmt: skip
        static = instance / "bare_page.html"
        static.write_bytes(median_page(first))
        print(f"timing from load average {_load()}")
        bare_page = Page("bare Flask, static page", None, lambda rng: "/page")
        with gunicorn(
            "bench.bare_app:app", {"BARE_PAGE_FILE": str(static)}, extra=APP_WORKERS
        ) as bare:
            before = time_page(bare, bare_page, None, TIMED, 0)
            timings = {p.name: time_page(port, p, cookies.get(p.role or ""), TIMED, n)
                       for n, p in enumerate(console)}  # fmt: skip
            after = time_page(bare, bare_page, None, TIMED, 1)
    baseline = Timing(before.millis + after.millis, before.sizes + after.sizes)
    baseline_p95 = baseline.percentile(0.95)
    print(f"\n{TIMED} requests per page, one at a time, keep-alive; load average now {_load()}")
    print(f"{'page':30} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'KB':>6} {'p95/150':>8}"
          f" {'p95/bare':>9}")  # fmt: skip
    figures = {name: report(name, t, baseline_p95) for name, t in timings.items()}
    figures["baseline"] = report("bare Flask, static page", baseline, baseline_p95)
    over = [name for name, t in timings.items() if t.percentile(0.95) >= TARGET_MS]
    verdict = f"MISSED on {', '.join(over)}" if over else "MET"
    print(f"target p95 < {TARGET_MS:.0f} ms on every page: {verdict}")
    return figures


def main(figures: dict[str, object]) -> int:
    print(
        f"console pages: {SIZES.calls:,} calls ({SIZES.callers:,} callers), {SIZES.recordings:,}"
        f" recordings, {SIZES.requests:,} access requests, {SIZES.audit:,} audit entries,"
        f" {SIZES.alerts:,} privacy alerts"
    )
    with scratch_postgres() as url, tempfile.TemporaryDirectory(prefix="bench-pages-") as tmp:
        upgrade(url)
        started = time.perf_counter()
        seeded = seed(url, SIZES, datetime.now(UTC))
        print(f"seeded (COPY, then VACUUM ANALYZE) in {time.perf_counter() - started:.0f} s")
        figures.update(measure(url, seeded, Path(tmp)))
    return (
        0 if all(f["p95"] < TARGET_MS for name, f in figures.items() if name != "baseline") else 1
    )  # type: ignore[index]


if __name__ == "__main__":
    with bench_run("console_pages") as results:
        status = main(results)
    raise SystemExit(status)
