"""The database's plan for a query, read the way each engine describes it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def query_plan(session: Session, query: Any) -> str:
    """EXPLAIN `query` with its bound values (PostgreSQL: with sequential scans off, so the
    plan shows whether an index can serve the query at all, whatever the table's size)."""
    compiled = query.compile(session.get_bind(), compile_kwargs={"render_postcompile": True})
    params = compiled.construct_params(escape_names=False)
    processors = compiled._bind_processors  # noqa: SLF001  (e.g. the UtcDateTime conversion)
    params = {k: processors[k](v) if k in processors else v for k, v in params.items()}
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL enable_seqscan = off"))
        explain = "EXPLAIN"
    else:  # SQLite's compiled SQL uses positional parameters
        params = tuple(params[name] for name in compiled.positiontup)  # type: ignore[assignment]
        explain = "EXPLAIN QUERY PLAN"
    plan = session.connection().exec_driver_sql(f"{explain} {compiled}", params).all()
    return " ".join(str(row) for row in plan)
