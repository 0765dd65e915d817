"""The database layer: durable sessions, and the one non-durable writer."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db


def test_only_the_fast_writer_skips_waiting_for_the_disk(app, database_url):
    fast = db.fast_writer()
    if database_url.startswith("postgres"):
        with db.autocommit() as connection:
            assert connection.execute(text("SHOW synchronous_commit")).scalar() == "on"
        show = fast(lambda cursor, _dialect: cursor.execute("SHOW synchronous_commit").fetchone())
        assert show == ("off",)
    else:  # SQLite: one engine; both write through it
        mode = fast(lambda cursor, _dialect: cursor.execute("PRAGMA journal_mode").fetchone())
        assert mode == ("wal",)


def test_ordinary_sessions_stay_durable(app, database_url):
    with db.transaction() as session:
        if database_url.startswith("postgres"):
            assert session.execute(text("SHOW synchronous_commit")).scalar() == "on"
        else:  # waits for the write lock instead of failing ("database is locked")
            assert session.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_postgresql_compiles_no_statement_to_machine_code(app, database_url):
    """JIT costs 0.1 to 1 s before a statement's first row: never worth it for the app's."""
    if not database_url.startswith("postgres"):
        return
    fast = db.fast_writer()
    with db.transaction() as session:
        assert session.execute(text("SHOW jit")).scalar() == "off"
    assert fast(lambda cursor, _dialect: cursor.execute("SHOW jit").fetchone()) == ("off",)
