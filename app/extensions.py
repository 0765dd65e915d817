"""Unbound singletons, bound to an app or a worker at start-up."""

from app.db.engine import Database

db = Database()

__all__ = ["db"]
