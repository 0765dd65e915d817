"""/healthz (the process is up) and /readyz (database, queue and store reachable)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Blueprint, current_app, jsonify
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db
from app.integrations.queue import redis_connection
from app.web.runtime import recording_store
from recordings.storage import StorageError

log = logging.getLogger(__name__)
bp = Blueprint("health", __name__)
PROBE_KEY = "readiness-probe"


@bp.get("/healthz")
def healthz():  # noqa: ANN201
    """The process answers."""
    return jsonify({"status": "ok"})


def _database() -> None:
    with db.autocommit() as connection:
        connection.execute(text("SELECT 1"))


def _queue() -> None:
    redis_connection(current_app.config["SETTINGS"]).ping()


def _store() -> None:
    recording_store().exists(PROBE_KEY)


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "queue": _queue, "store": _store}


@bp.get("/readyz")
def readyz():  # noqa: ANN201
    """200 when every dependency answers, else 503 naming the ones that do not."""
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except (SQLAlchemyError, RedisError, StorageError, OSError) as exc:
            log.warning("readiness: %s unreachable (%s)", name, type(exc).__name__)
            results[name] = "unreachable"
    ready = all(v == "ok" for v in results.values())
    return jsonify({"status": "ready" if ready else "not ready", "checks": results}), (
        200 if ready else 503
    )
