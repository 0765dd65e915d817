"""Reading rows in tests, outside any request."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from app.extensions import db


def rows(model: type, *where: Any) -> list[Any]:
    """Every row of `model` matching `where`, loaded and detached."""
    with db.transaction() as session:
        return list(session.scalars(select(model).where(*where)))


def one(model: type, *where: Any) -> Any:
    """The single row of `model` matching `where`."""
    (row,) = rows(model, *where)
    return row


def count(model: type, *where: Any) -> int:
    """How many rows of `model` match `where`."""
    with db.transaction() as session:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)
