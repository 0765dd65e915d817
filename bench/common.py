"""Shared pieces of the benchmarks: servers on free ports, a scratch PostgreSQL database."""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

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
    app: str, env: dict[str, str], workers: int = 2, port: int = 0, extra: tuple[str, ...] = ()
) -> Iterator[int]:
    """gunicorn on 127.0.0.1 (a free port unless given), sync workers unless `extra` says
    otherwise; yields the port."""
    port = port or free_port()
    exe = str(Path(sys.executable).with_name("gunicorn"))
    proc = subprocess.Popen(  # noqa: S603
        [
            exe,
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *extra,
            app,
        ],
        cwd=ROOT,
        env={**os.environ, **env},
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
