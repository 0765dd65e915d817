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
