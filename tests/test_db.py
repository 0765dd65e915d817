"""The database layer: durable and fast autocommit writes, SQLite transactions."""

from __future__ import annotations

from sqlalchemy import text

from app.extensions import db


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
