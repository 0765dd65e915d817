"""Unbound singletons, bound to an app or a worker at start-up."""

from flask import request
from flask_limiter import Limiter
from flask_wtf.csrf import CSRFProtect

from app.db.engine import Database


def client_address() -> str:
    """The client's address, as the proxy in front of us reports it (see ProxyFix)."""
    return request.remote_addr or "unknown"


db = Database()
csrf = CSRFProtect()  # every state-changing console and public-form request
# Rate limits (SPEC §16): in Redis when REDIS_URL is set, so every web process shares them.
limiter = Limiter(key_func=client_address, headers_enabled=True, strategy="fixed-window")

__all__ = ["client_address", "csrf", "db", "limiter"]
