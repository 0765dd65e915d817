"""Flask glue: one database session per request, closed (and rolled back) at teardown."""

from __future__ import annotations

from flask import g
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.extensions import db


def request_session() -> Session:
    """The current request's session, opened on first use and closed at teardown."""
    if "db_session" not in g:
        g.db_session = db.new_session()
    return g.db_session  # type: ignore[no-any-return]


def close_request_session(_exc: BaseException | None = None) -> None:
    """Roll back anything uncommitted and close the request's session (SQLite's lock too)."""
    session = g.pop("db_session", None)
    if session is None:
        return
    try:
        session.rollback()
    except SQLAlchemyError:  # the connection is already gone; closing below releases it
        pass
    finally:
        session.close()
