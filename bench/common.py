"""Shared pieces of the benchmarks: servers on free ports, a scratch PostgreSQL database."""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import psycopg

from tests.fixtures.servers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """A new PostgreSQL database, dropped afterwards."""
    name = f"cl_bench_{secrets.token_hex(4)}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def gunicorn(
    app: str,
    env: dict[str, str],
    workers: int = 2,
    port: int = 0,
    extra: tuple[str, ...] = (),
    niceness: int = 0,
) -> Iterator[int]:
    """gunicorn on 127.0.0.1 (a free port unless given), sync workers unless `extra` says
    otherwise, at `niceness` (a lower CPU priority); yields the port."""
    port = port or free_port()
    exe = str(Path(sys.executable).with_name("gunicorn"))
    command = [
        *(["nice", "-n", str(niceness)] if niceness else []),
        exe,
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        *extra,
        app,
    ]
    with serving(command, port, env) as listening:
        yield listening


@contextmanager
def serving(
    command: list[str], port: int, env: dict[str, str] | None = None, quiet: bool = False
) -> Iterator[int]:
    """Run `command`, a server listening on 127.0.0.1:`port` (from the repository's root, with
    `env` added to the environment; its output discarded when `quiet`); yields the port once it
    listens, and stops the server afterwards."""
    output = subprocess.DEVNULL if quiet else None
    proc = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=output, stderr=output
    )
    try:
        wait_for_port(port)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def require(tool: str, apt_package: str) -> str:
    """The path of `tool`, installing its Debian package when missing."""
    path = shutil.which(tool)
    if path is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", apt_package], check=True)  # noqa: S603, S607
        path = shutil.which(tool)
    if path is None:
        raise SystemExit(f"{tool} is required for this benchmark")
    return path


def console_cookie(token: str, secret: str) -> str:
    """The Cookie header of a browser signed in to the console: Flask's session cookie, signed
    with the app's SECRET_KEY, carrying the console session's token."""
    from flask import Flask  # noqa: PLC0415  (only the benches that sign in need it)

    app = Flask(__name__)
    app.secret_key = secret
    value = app.session_interface.get_signing_serializer(app).dumps({"console_session": token})
    return f"contact_console={value}"


RESULTS_FILE = ROOT / "bench" / "results.jsonl"


def machine() -> dict[str, object]:
    """The machine a bench runs on: CPU model, cores, load average, and the commit measured."""
    model = "unknown"
    with suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    commit = subprocess.run(  # noqa: S603
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return {
        "cpu": model,
        "cores": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "commit": commit or "unknown",
    }


class _Tee(io.TextIOBase):
    """Writes to the real stdout and keeps every line."""

    def __init__(self, real: TextIO) -> None:
        self.real, self.lines, self._partial = real, [], ""

    def write(self, text: str) -> int:
        self.real.write(text)
        self._partial += text
        *done, self._partial = self._partial.split("\n")
        self.lines.extend(line for line in done if line.strip())
        return len(text)

    def flush(self) -> None:
        self.real.flush()


@contextmanager
def bench_run(name: str, figures: dict[str, object] | None = None) -> Iterator[dict[str, object]]:
    """Print the machine first; at the end append one JSON line to bench/results.jsonl with the
    machine, the printed lines and any `figures` the bench put in the dict it was given."""
    figures = {} if figures is None else figures
    facts = machine()
    print(
        f"machine: {facts['cpu']}, {facts['cores']} cores, load average "
        f"{' '.join(str(x) for x in facts['load_average'])} (commit {facts['commit']})"
    )
    tee = _Tee(sys.stdout)
    started = time.time()
    with redirect_stdout(tee):
        yield figures
    line = {
        "bench": name,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(time.time() - started, 1),
        **facts,
        "figures": figures,
        "printed": tee.lines,
    }
    with RESULTS_FILE.open("a") as out:
        out.write(json.dumps(line) + "\n")
    print(f"(figures appended to {RESULTS_FILE.relative_to(ROOT)})")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[str]:
    """PostgreSQL's processes (the server and its backends), run as the postgres user."""
    out = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True).stdout  # noqa: S603, S607
    return out.split()


def cpu_seconds(roots: list[int] | list[str]) -> float:
    """CPU (user + system) used so far by the processes `roots`, their live descendants, and
    the children they have reaped (an rq worker's forked jobs, a gunicorn's old workers)."""
    parents, ticks = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        pid = int(entry.name)
        parents[pid] = int(fields[1])
        ticks[pid] = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    members, grown = {int(pid) for pid in roots}, True
    while grown:
        more = {pid for pid, parent in parents.items() if parent in members} - members
        members |= more
        grown = bool(more)
    return sum(ticks.get(pid, 0) for pid in members) / CLOCK_TICKS
