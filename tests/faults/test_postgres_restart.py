"""PostgreSQL restarted between two webhooks of one call (SPEC §3): the call carries on.

The real server (the cluster every test uses) is restarted once, quickly, between the incoming
call and its status callback. The pool's pre-ping replaces the dead connections, so the second
webhook succeeds and the call row is complete: opened by the first, closed by the second.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import psycopg
import pytest

from app.extensions import db
from app.models import Call
from tests.conftest import CALL_SID
from tests.fixtures.servers import PG_ADMIN_URL
from tests.support.rows import one
from tests.support.twiml import parse, verbs


def restart_postgres() -> None:
    """Restart the local cluster and wait until it answers queries again."""
    (version,) = sorted(p.name for p in Path("/etc/postgresql").iterdir())[-1:]
    subprocess.run(  # noqa: S603
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart", "-m", "fast"],  # noqa: S607
        check=True,
        timeout=60,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(PG_ADMIN_URL, connect_timeout=1) as conn:
                conn.execute("SELECT 1")
            return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def backend_pid() -> int:
    with db.engine.connect() as conn:  # type: ignore[union-attr]
        return conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_second_webhook_of_a_call_succeeds_after_a_restart(twilio_post, app):
    reply = twilio_post("/twilio/voice", CallSid=CALL_SID, From="+447700900123")
    assert reply.status_code == 200 and verbs(parse(reply))
    pid_before = backend_pid()  # a pooled connection that the restart will kill

    restart_postgres()

    reply = twilio_post(
        "/twilio/call-status", CallSid=CALL_SID, CallStatus="completed", CallDuration="42"
    )
    assert reply.status_code == 200, reply.get_data(as_text=True)
    parse(reply)
    call = one(Call)
    assert (call.call_sid, call.from_number) == (CALL_SID, "+447700900123")
    assert (call.duration_seconds, call.ended_at is not None) == (42, True)
    assert call.outcome is not None
    assert backend_pid() != pid_before  # really a new server process behind the pool
