"""The database layer: durable and fast autocommit writes, SQLite transactions."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from app.extensions import db
from app.models import Call
from tests.db import rows
from tests.fixtures.servers import PG_ADMIN_URL
from tests.twiml import parse, verbs


def test_only_the_fast_path_skips_waiting_for_the_disk(app, database_url):
    if database_url.startswith("postgres"):
        expected = {True: "on", False: "off"}
        for durable, setting in expected.items():
            with db.autocommit(durable=durable) as connection:
                assert connection.execute(text("SHOW synchronous_commit")).scalar() == setting
    else:  # SQLite: one engine; both paths write through it
        with db.autocommit(durable=False) as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_ordinary_sessions_stay_durable(app, database_url):
    with db.transaction() as session:
        if database_url.startswith("postgres"):
            assert session.execute(text("SHOW synchronous_commit")).scalar() == "on"
        else:  # waits for the write lock instead of failing ("database is locked")
            assert session.execute(text("PRAGMA busy_timeout")).scalar() == 30000


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_fast_writes_survive_a_dropped_connection_without_pinging(twilio_post, app):
    """The fast pool does not ping per checkout; a connection the server dropped is retried."""
    first = twilio_post("/twilio/voice", CallSid="CA" + "1" * 32, From="+447700900123")
    assert first.status_code == 200
    with db.autocommit(durable=False) as connection:  # the pooled connection the next call gets
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone() == (True,)

    second = twilio_post("/twilio/voice", CallSid="CA" + "2" * 32, From="+447700900456")

    assert second.status_code == 200
    assert verbs(parse(second))[0] == "Gather"  # the greeting, not the fallback
    assert [c.call_sid for c in rows(Call)] == ["CA" + "1" * 32, "CA" + "2" * 32]
    with db.autocommit(durable=False) as connection:
        assert connection.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid


def test_fast_writes_do_not_retry_other_errors(app):
    calls = []

    def work(connection):  # noqa: ANN001, ANN202
        calls.append(1)
        connection.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(DBAPIError):
        db.write_fast(work)
    assert calls == [1]
