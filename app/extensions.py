"""Unbound singletons, bound to an app or a worker at start-up."""

from flask_wtf.csrf import CSRFProtect

from app.db.engine import Database

db = Database()
csrf = CSRFProtect()  # every state-changing console and public-form request

__all__ = ["csrf", "db"]
