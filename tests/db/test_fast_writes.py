"""The hot path's writes: the kept connection, group commit and the driver upsert."""

from __future__ import annotations

import sqlite3
import threading
import time
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy import text

from app.db.fast_writes import GroupCommit
from app.domain import calls
from app.extensions import db
from app.models import Call
from tests.fixtures.servers import PG_ADMIN_URL
from tests.support.rows import one, rows
from tests.support.twiml import parse, verbs

CALL = "CA" + "5" * 32


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_fast_writes_survive_a_dropped_connection_without_pinging(twilio_post, app):
    """The incoming-call writer keeps its connection and does not ping it; when the server
    has dropped it (here: every connection of the app, as a restart would), the write is
    retried once on a new one and the caller still hears the greeting."""
    first = twilio_post("/twilio/voice", CallSid="CA" + "1" * 32, From="+447700900123")
    assert first.status_code == 200
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (db.engine.url.database,),
        ).fetchall()
    assert killed and all(ok for (ok,) in killed)

    second = twilio_post("/twilio/voice", CallSid="CA" + "2" * 32, From="+447700900456")

    assert second.status_code == 200
    assert verbs(parse(second))[0] == "Gather"  # the greeting, not the fallback
    assert [c.call_sid for c in rows(Call)] == ["CA" + "1" * 32, "CA" + "2" * 32]


def test_a_fast_writer_keeps_its_connection_and_cursor_between_writes(app):
    writer = db.fast_writer()
    seen = []
    writer(lambda cursor, _dialect: seen.append((cursor, cursor.connection)))
    writer(lambda cursor, _dialect: seen.append((cursor, cursor.connection)))
    assert seen[0][0] is seen[1][0] and seen[0][1] is seen[1][1]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_kept_sqlite_connection_never_holds_the_write_lock(app):
    """Each fast write commits by itself, even on a connection SQLAlchemy has used before
    (its pysqlite reset leaves implicit transactions on): a kept connection left inside a
    transaction would lock every other writer of the file out."""
    with db.autocommit() as connection:  # a connection SQLAlchemy has driven
        connection.execute(text("SELECT 1"))
    writer = db.fast_writer()
    insert = (
        "INSERT INTO calls (call_sid, started_at, recording_opted_out) VALUES (?, '2026-11-23', 0)"
    )

    def insert_then_fail(cursor, _dialect):  # noqa: ANN001, ANN202
        cursor.execute(insert, ("CA" + "8" * 32,))
        raise RuntimeError("a bug after the statement")

    writer(lambda cursor, _dialect: cursor.execute(insert, (CALL,)))
    with pytest.raises(RuntimeError):
        writer(insert_then_fail)
    other = sqlite3.connect(db.engine.url.database, timeout=0.5)
    with other:  # "database is locked" after half a second if the writer kept a transaction
        other.execute(insert, ("CA" + "9" * 32,))
    other.close()
    assert len(rows(Call)) == 3


def test_fast_writes_do_not_retry_other_errors(app):
    calls = []

    def work(cursor, _dialect):  # noqa: ANN001, ANN202
        calls.append(1)
        cursor.execute("SELECT * FROM no_such_table")

    with pytest.raises((psycopg.Error, sqlite3.Error)):
        db.fast_writer()(work)
    assert calls == [1]


def test_fast_writes_on_the_driver_connection_are_committed(app, database_url):
    def work(cursor, dialect):  # noqa: ANN001, ANN202
        if dialect.name == "postgresql":
            assert cursor.connection.autocommit
        cursor.execute(
            "INSERT INTO calls (call_sid, started_at, recording_opted_out) VALUES "
            + ("(%s, now(), false)" if dialect.name == "postgresql" else "(?, '2026-11-23', 0)"),
            (CALL,),
        )

    db.fast_writer()(work)
    assert one(Call).call_sid == CALL  # visible to another connection: committed


def test_incoming_rows_written_by_the_driver_read_back_as_the_orm_writes_them(app):
    """The driver path binds through the columns' SQLAlchemy types: aware UTC in and out."""
    from zoneinfo import ZoneInfo

    london = datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=ZoneInfo("Europe/London"))
    calls.record_incoming(db, CALL, "07700 900123", "01744 676767", london, out_of_hours=True)
    call = one(Call)
    assert call.started_at == london
    assert call.started_at.tzinfo is not None
    assert call.started_at.utcoffset().total_seconds() == 0
    assert (call.from_number, call.to_number) == ("+447700900123", "+441744676767")
    assert (call.outcome, call.recording_opted_out) == ("out_of_hours", False)


def test_group_commit_writes_every_row_of_many_threads_in_fewer_round_trips():
    batches: list[list[dict]] = []
    started = threading.Event()

    def write(rows):  # noqa: ANN001, ANN202
        started.set()
        time.sleep(0.01)  # a round trip: the other threads' rows gather meanwhile
        batches.append(rows)

    group = GroupCommit(write)
    threads = [threading.Thread(target=group.submit, args=({"n": n},)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    written = sorted(row["n"] for batch in batches for row in batch)
    assert written == list(range(16))  # each row once
    assert len(batches) < 16


def test_group_commit_hands_a_failed_write_to_every_row_of_its_batch_only():
    calls = 0

    def write(rows):  # noqa: ANN001, ANN202
        nonlocal calls
        calls += 1
        if any(row.get("bad") for row in rows):
            raise RuntimeError("database said no")

    group = GroupCommit(write)
    with pytest.raises(RuntimeError, match="database said no"):
        group.submit({"bad": True})
    group.submit({"bad": False})  # the next write is not poisoned
    assert calls == 2


def test_group_commit_under_contention_writes_each_row_once_and_reports_each_failure():
    """Many threads, many rounds, some batches failing: every row lands exactly once or its
    own thread gets the error; nobody is left waiting, and one write runs at a time."""
    landed: list[int] = []
    failed: set[int] = set()
    in_write = threading.Semaphore(1)
    lock = threading.Lock()

    def write(rows):  # noqa: ANN001, ANN202
        assert in_write.acquire(blocking=False), "two writes at once"
        try:
            time.sleep(0.0005)
            if any(row["n"] % 37 == 0 for row in rows):
                with lock:
                    failed.update(row["n"] for row in rows)
                raise RuntimeError("batch refused")
            with lock:
                landed.extend(row["n"] for row in rows)
        finally:
            in_write.release()

    group = GroupCommit(write)
    raised: list[int] = []

    def client(base: int) -> None:
        for n in range(base, base + 40):
            try:
                group.submit({"n": n})
            except RuntimeError:
                with lock:
                    raised.append(n)

    threads = [threading.Thread(target=client, args=(t * 1000,), daemon=True) for t in range(24)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a thread was left waiting"
    assert sorted(landed + raised) == sorted(t * 1000 + i for t in range(24) for i in range(40))
    assert len(landed) == len(set(landed))
    assert set(raised) == failed


@pytest.mark.parametrize("out_of_hours", [False, True])
def test_incoming_call_rows_from_concurrent_webhooks_each_land_once(app, out_of_hours):
    sids = ["CA" + f"{n:032x}" for n in range(12)] * 2  # every call's webhook repeated
    now = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def webhook(sid: str) -> None:
        calls.record_incoming(
            db, sid, "07700 900123", "+441744676767", now, out_of_hours=out_of_hours
        )

    threads = [threading.Thread(target=webhook, args=(sid,)) for sid in sids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    landed = rows(Call)
    assert sorted(c.call_sid for c in landed) == sorted(set(sids))
    assert {(c.from_number, c.outcome) for c in landed} == {
        ("+447700900123", "out_of_hours" if out_of_hours else None)
    }


def test_a_repeated_out_of_hours_webhook_still_marks_the_outcome(app):
    now = datetime(2026, 11, 23, 23, 0, tzinfo=UTC)
    calls.record_incoming(db, CALL, "+447700900123", None, now, out_of_hours=False)
    calls.record_incoming(db, CALL, "+447700900123", None, now, out_of_hours=True)
    calls.record_incoming(db, CALL, "+447700900123", None, now, out_of_hours=False)
    assert one(Call).outcome == "out_of_hours"


def _incoming(sid: str, outcome: str | None = None) -> dict:
    return {
        "call_sid": sid,
        "from_number": "+447700900123",
        "to_number": None,
        "started_at": datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
        "recording_opted_out": False,
        "language": "en",
        "outcome": outcome,
    }


def _upsert(rows_: list[dict], writer=None) -> None:  # noqa: ANN001
    writer = writer or db.fast_writer()
    writer(lambda cursor, dialect: calls._INCOMING.execute(cursor, dialect, rows_))


def test_the_driver_upsert_writes_several_rows_in_one_statement(app):
    _upsert([_incoming("CA" + f"{n:032x}") for n in range(3)])
    _upsert([_incoming("CA" + f"{n:032x}", "out_of_hours") for n in range(1, 5)])
    landed = {c.call_sid: c.outcome for c in rows(Call)}
    assert landed == {"CA" + f"{n:032x}": (None if n == 0 else "out_of_hours") for n in range(5)}


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_refused_upsert_raises_the_drivers_error_and_the_next_one_lands(app):
    """On PostgreSQL the upsert runs as libpq's prepared statement: the server's refusal is
    psycopg's own exception (with its SQLSTATE), and the connection is still usable."""
    with pytest.raises(psycopg.errors.StringDataRightTruncation):
        _upsert([_incoming("CA" + "1" * 40)])  # call_sid is 34 characters at most
    _upsert([_incoming(CALL)])
    assert one(Call).call_sid == CALL


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_nul_in_a_value_is_refused_not_cut_short(app):
    row = _incoming(CALL) | {"from_number": "+44\x007700900123"}
    with pytest.raises(psycopg.DataError):
        _upsert([row])
    assert rows(Call) == []


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_an_upsert_whose_prepared_statement_was_lost_is_prepared_again(app):
    writer = db.fast_writer()
    _upsert([_incoming("CA" + "1" * 32)], writer)
    writer(lambda cursor, _dialect: cursor.execute("DEALLOCATE ALL"))
    with pytest.raises(psycopg.errors.InvalidSqlStatementName):
        _upsert([_incoming("CA" + "2" * 32)], writer)
    _upsert([_incoming("CA" + "3" * 32)], writer)
    assert sorted(c.call_sid[2] for c in rows(Call)) == ["1", "3"]
