"""The hot path's writes: one kept connection, group commit, one prebuilt upsert.

The incoming-call webhook writes a row on every call before it answers (SPEC §11 measures it
against a bare endpoint). These are the parts that make that write cheap; `Database.grouped`
puts them together.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import psycopg
from psycopg import pq
from sqlalchemy import Engine, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.pool import PoolProxiedConnection

T = TypeVar("T")


class FastWriter:
    """Runs idempotent writes, one at a time, on one kept connection of the non-durable engine.

    `work(cursor, dialect)` gets a cursor of the driver's own connection, in autocommit (each
    statement commits by itself: writes are one statement), not a SQLAlchemy Connection: for the
    statement the hot path runs on every call, SQLAlchemy's execution machinery costs more CPU
    than the driver and the database together (see `DriverUpsert`). The connection and its
    cursor are kept between writes, which saves a pool checkout and return and a new cursor
    each (measured: 0.025 ms and 0.013 ms of the webhook's 0.39 ms of CPU). It is not pinged:
    when the server has dropped it (a restart), `work` runs once more on a new connection.
    Other errors are raised as the driver raised them; a connection that might be left in a
    transaction is rolled back or discarded.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._held: PoolProxiedConnection | None = None
        self._cursor: Any = None
        self._lock = threading.Lock()  # one write at a time on the one connection

    def close(self) -> None:
        """Close the kept connection (its pool may already have been replaced: a restart)."""
        with self._lock:
            held, self._held, self._cursor = self._held, None, None
        if held is not None:
            held.invalidate()

    def __call__(self, work: Callable[[Any, Dialect], T]) -> T:
        """Run `work`; once more, on a new connection, if the server dropped the old one."""
        engine = self._engine
        with self._lock:
            for attempt in (1, 2):
                if self._held is None:
                    self._held = engine.raw_connection()
                    if engine.dialect.name == "sqlite":  # each statement commits by itself,
                        self._held.driver_connection.isolation_level = None  # as on PostgreSQL
                    self._cursor = self._held.driver_connection.cursor()
                held = self._held
                try:
                    result = work(self._cursor, engine.dialect)
                except BaseException as exc:
                    dropped = _dropped(engine, exc, held)
                    if dropped or not _rolled_back(held):
                        held.invalidate(exc if isinstance(exc, Exception) else None)
                        self._held = self._cursor = None
                    if dropped:  # the pool's idle connections died with the server's restart
                        engine.dispose()
                    if dropped and attempt == 1:
                        continue
                    raise
                return result
        raise AssertionError("unreachable")


def _dropped(engine: Engine, exc: BaseException, held: PoolProxiedConnection) -> bool:
    """Whether `exc` says the server dropped the connection. SQLAlchemy's own test looks only
    at the connection's state, which psycopg has not always updated when the server's
    "terminating connection" message (SQLSTATE 57P01, on a restart) is what it read."""
    if not isinstance(exc, engine.dialect.loaded_dbapi.Error):
        return False
    sqlstate = getattr(exc, "sqlstate", None) or ""
    return (
        sqlstate.startswith(("08", "57P"))
        or engine.dialect.is_disconnect(exc, held.dbapi_connection, None)  # type: ignore[arg-type]
    )


def _rolled_back(connection: PoolProxiedConnection) -> bool:
    try:
        connection.rollback()
    except Exception:  # noqa: BLE001  (the caller discards the connection)
        return False
    return True


class GroupCommit:
    """Rows that many threads of one process write with the same statement, written together.

    A thread hands in its row and waits until it is committed (or the write failed, which it
    then raises, as if it had written alone). Whoever finds no write under way writes every
    row waiting at that moment in one round trip; rows arriving meanwhile wait for the next,
    which the first of them writes when woken. Under load that is one round trip for several
    requests instead of one each; alone, a row is written at once. A finished write wakes only
    the threads it concerns (its rows' and the next writer), not every waiting thread.
    """

    def __init__(self, write: Callable[[list[dict[str, Any]]], None]) -> None:
        self._write = write
        self._lock = threading.Lock()
        self._waiting: list[_Row] = []
        self._writing = False

    def submit(self, values: dict[str, Any]) -> None:
        """Write `values` (with whatever else is waiting); return once committed."""
        row = _Row(values)
        with self._lock:
            self._waiting.append(row)
            leads = not self._writing
            self._writing = True
        if not leads:
            row.wake.acquire()  # released when its batch is written or when it is to write next
        if not row.done:  # this thread writes: every row waiting now, its own first
            with self._lock:
                batch, self._waiting = self._waiting, []
            error: BaseException | None = None
            try:
                self._write([r.values for r in batch])
            except BaseException as exc:  # noqa: BLE001  (handed to every writer of the batch)
                error = exc
            with self._lock:
                following = self._waiting[0] if self._waiting else None
                self._writing = following is not None
            for r in batch:
                r.done, r.error = True, error
                if r is not row:
                    r.wake.release()
            if following is not None:
                following.wake.release()
        if row.error is not None:
            raise row.error


class _Row:
    __slots__ = ("done", "error", "values", "wake")

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.done = False
        self.error: BaseException | None = None
        self.wake = threading.Lock()
        self.wake.acquire()


class DriverUpsert:
    """INSERT … ON CONFLICT of one or more rows, below SQLAlchemy.

    For the incoming-call webhook, which every call hits first. CPU per statement, measured
    in-process: SQLAlchemy's execution about 0.2 ms, psycopg's cursor 0.084 ms, libpq's own
    prepared statement (`psycopg.pq`, on the same connection) 0.044 ms. So on PostgreSQL the
    rows go through a statement prepared once per connection and row count; on SQLite through
    the cursor. Each value goes through its column's SQLAlchemy bind processor, so what lands
    is exactly what the ORM would have written (UTC datetimes, for one).
    """

    def __init__(self, table: Table, columns: tuple[str, ...], on_conflict: str) -> None:
        self._table = table
        self._columns = columns
        self._on_conflict = on_conflict
        self._statements: dict[tuple[bool, int], str] = {}
        self._processors: dict[str, list[Callable[[Any], Any] | None]] = {}
        # Prepared statements: named after what they do, and the row counts prepared on each
        # libpq connection (gone with the connection).
        self._name = (
            "upsert_"
            + hashlib.sha1(  # noqa: S324  (a name, not a secret)
                f"{table.name} {columns} {on_conflict}".encode(), usedforsecurity=False
            ).hexdigest()[:16]
        )
        self._prepared: WeakKeyDictionary[Any, set[int]] = WeakKeyDictionary()

    def execute(self, cursor: Any, dialect: Dialect, rows: list[dict[str, Any]]) -> None:
        """Write `rows` in one statement (one commit for the lot)."""
        processors = self._processors.get(dialect.name)
        if processors is None:
            processors = self._processors.setdefault(
                dialect.name,
                [self._table.c[name].type.bind_processor(dialect) for name in self._columns],
            )
        values = [
            row[name] if process is None else process(row[name])
            for row in rows
            for name, process in zip(self._columns, processors, strict=True)
        ]
        if dialect.name == "postgresql":
            self._execute_prepared(cursor.connection.pgconn, len(rows), values)
        else:  # SQLite (qmark parameters)
            cursor.execute(self._statement(len(rows), numbered=False), values)

    def _execute_prepared(self, pgconn: Any, rows: int, values: list[Any]) -> None:
        """Through libpq (whose calls release the GIL while they wait, as psycopg's do)."""
        statement = self._statement(rows, numbered=True)
        name = f"{self._name}_{rows}".encode()
        prepared = self._prepared.setdefault(pgconn, set())
        try:
            if rows not in prepared:
                _raise_for(pgconn.prepare(name, statement.encode()))
                prepared.add(rows)
            _raise_for(pgconn.exec_prepared(name, [_as_text(value) for value in values]))
        except BaseException:
            self._prepared.pop(pgconn, None)  # whatever happened, prepare again next time
            raise

    def _statement(self, rows: int, *, numbered: bool) -> str:
        """The statement for `rows` rows, with `$1, $2, …` (libpq) or `?` (SQLite) parameters."""
        key = (numbered, rows)
        statement = self._statements.get(key)
        if statement is None:
            width = len(self._columns)
            markers = [f"${n + 1}" if numbered else "?" for n in range(rows * width)]
            row_texts = [
                "(" + ", ".join(markers[row * width : (row + 1) * width]) + ")"
                for row in range(rows)
            ]
            # Only our own table and column names go into the text; values are bound.
            statement = self._statements.setdefault(
                key,
                f"INSERT INTO {self._table.name} ({', '.join(self._columns)}) "  # noqa: S608
                f"VALUES {', '.join(row_texts)} {self._on_conflict}",
            )
        return statement


def _as_text(value: Any) -> bytes | None:
    """A bound value in PostgreSQL's text format (which the server casts to the column's type)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return b"t" if value else b"f"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.isoformat().encode()
    if isinstance(value, str) and "\x00" in value:  # libpq would cut the text short there
        raise psycopg.DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    if isinstance(value, str | int):
        return str(value).encode()
    raise TypeError(f"no text form for a {type(value).__name__}")


def _raise_for(result: Any) -> None:
    if result.status != pq.ExecStatus.COMMAND_OK:
        raise psycopg.errors.error_from_result(result)
