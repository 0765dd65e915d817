"""The database engine and session factory of one process, usable with or without Flask."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Insert, Table, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, sessionmaker

from app.db.fast_writes import FastWriter, GroupCommit

MAX_ID = 2**31 - 1  # ids are INTEGER columns: 32-bit on PostgreSQL


# PostgreSQL compiles a statement it estimates costly to machine code first (JIT): 0.1 to 1 s
# before the first row, which pays only for long analytic scans, never for the app's short
# statements. A page's few index-driven counts over 100,000 recordings were estimated costly
# enough to compile: 1 s of JIT for 20 ms of work (the console pages bench, SPEC §11).
NO_JIT = "-c jit=off"


def make_engine(url: str, *, durable: bool = True) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout and foreign keys.

    `durable=False` (PostgreSQL) commits without waiting for the WAL to reach the disk: only
    for writes that a later request repeats anyway (a crash of the database server, not of
    ours, can lose the last fraction of a second of them). Its pool does not ping before each
    checkout; `FastWriter` retries once on a fresh connection instead.
    """
    if url.startswith("sqlite"):
        database = url.split("///", 1)[-1]
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    url = url.replace("postgres://", "postgresql+psycopg://", 1)
    if durable:
        return create_engine(
            url,
            pool_pre_ping=True,
            pool_size=5,
            max_overflow=10,
            connect_args={"options": NO_JIT},
        )
    return create_engine(  # every statement its own transaction: nothing to reset on return
        url,
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
        skip_autocommit_rollback=True,  # no rollback() call on a connection that has no transaction
        pool_size=5,
        max_overflow=10,
        connect_args={"options": f"-c synchronous_commit=off {NO_JIT}"},
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide where transactions begin, so savepoints work.
    dbapi_connection.isolation_level = None
    # SQLite's own lower() folds ASCII only; PostgreSQL's folds every letter (`Ć` too).
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: a read-then-write transaction waits its turn
    # (busy_timeout) instead of failing with "database is locked" when it tries to write.
    if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """Holds the engine and session factory of one process."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._fast_engine: Engine | None = None
        self._factory: sessionmaker[Session] | None = None
        self._groups: dict[str, GroupCommit] = {}
        self._writers: list[FastWriter] = []
        self._groups_lock = threading.Lock()

    def configure(self, url: str) -> None:
        """Point this database at `url` (idempotent for the same URL)."""
        if self.engine is not None and str(self.engine.url) == str(make_engine_url(url)):
            return
        self.dispose()
        self.engine = make_engine(url)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    def dispose(self) -> None:
        """Close every connection this process holds (the group writers' kept ones too)."""
        with self._groups_lock:
            writers, self._writers, self._groups = self._writers, [], {}
        for writer in writers:
            writer.close()
        for engine in (self.engine, self._fast_engine):
            if engine is not None:
                engine.dispose()
        self._fast_engine = None

    def new_session(self) -> Session:
        """A new session; the caller closes it."""
        if self._factory is None:
            raise RuntimeError("the database is not configured")
        return self._factory()

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection whose every statement commits by itself (one round trip a write)."""
        if self.engine is None:
            raise RuntimeError("the database is not configured")
        with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            yield conn

    def fast_writer(self) -> FastWriter:
        """A writer holding its own connection of the non-durable engine (see `FastWriter`);
        `dispose` closes it."""
        writer = FastWriter(self._non_durable_engine())
        with self._groups_lock:
            self._writers.append(writer)
        return writer

    def grouped(
        self, name: str, write: Callable[[Any, Dialect, list[dict[str, Any]]], None]
    ) -> GroupCommit:
        """The `GroupCommit` called `name`: `write(cursor, dialect, rows)` runs on
        the group's own `FastWriter` (a group writes one batch at a time)."""
        group = self._groups.get(name)
        if group is None:
            writer = self.fast_writer()
            with self._groups_lock:
                group = self._groups.setdefault(
                    name, GroupCommit(lambda rows: writer(lambda c, d: write(c, d, rows)))
                )
        return group

    def _non_durable_engine(self) -> Engine:
        """PostgreSQL: the engine of `make_engine(durable=False)`; SQLite: its one engine."""
        if self.engine is None:
            raise RuntimeError("the database is not configured")
        if self.engine.dialect.name != "postgresql":
            return self.engine
        if self._fast_engine is None:
            url = self.engine.url.render_as_string(hide_password=False)
            self._fast_engine = make_engine(url, durable=False)
        return self._fast_engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session that commits on success, rolls back on error and always closes."""
        session = self.new_session()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def insert_for(dialect: str) -> Callable[[Table], Insert]:
    """The dialect's INSERT construct, with ON CONFLICT (PostgreSQL and SQLite)."""
    return pg_insert if dialect == "postgresql" else sqlite_insert  # type: ignore[return-value]


@cache
def _insert_ignoring_duplicates(dialect: str, table: Table) -> Insert:
    return insert_for(dialect)(table).on_conflict_do_nothing()


def insert_ignoring_duplicates(
    connection: Connection, table: Table, values: dict[str, Any]
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING as one prebuilt statement; True when a row went in."""
    statement = _insert_ignoring_duplicates(connection.dialect.name, table)
    return bool(connection.execute(statement, values).rowcount)


def make_engine_url(url: str) -> str:
    """The URL as the engine will see it (driver made explicit)."""
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    return url.replace("postgres://", "postgresql+psycopg://", 1)
