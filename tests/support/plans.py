"""The database's plan for a query, read the way each engine describes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def plan_lines(session: Session, query: Any, *, analyze: bool = False) -> list[str]:
    """EXPLAIN `query` with its bound values, a line per row of the plan.

    By default on PostgreSQL with sequential scans off, so the plan shows whether an index can
    serve the query at all, whatever the table's size. With `analyze` (PostgreSQL only) the
    query runs, as planned for the table as it is, and the plan shows its times and buffers.
    """
    compiled = query.compile(session.get_bind(), compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params(escape_names=False)
    processors = compiled._bind_processors  # noqa: SLF001  (e.g. the UtcDateTime conversion)
    params = {k: processors[k](v) if k in processors else v for k, v in params.items()}
    if session.get_bind().dialect.name == "postgresql":
        if analyze:
            explain = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)"
        else:
            session.execute(text("SET LOCAL enable_seqscan = off"))
            explain = "EXPLAIN"
    else:  # SQLite's compiled SQL uses positional parameters
        params = tuple(params[name] for name in compiled.positiontup)  # type: ignore[assignment]
        explain = "EXPLAIN QUERY PLAN"
    rows = session.connection().exec_driver_sql(f"{explain} {compiled}", params).all()
    return [" ".join(str(value) for value in row) for row in rows]


def query_plan(session: Session, query: Any) -> str:
    """The plan of `plan_lines`, on one line (to look for an index's name in)."""
    return " ".join(plan_lines(session, query))
