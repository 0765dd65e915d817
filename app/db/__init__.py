"""Infrastructure: the engine, migrations and the hot path's fast writes (no Flask here).

The per-request session glue is `app.db.session`, imported by the web edges only.
"""

from app.db.engine import (
    MAX_ID,
    Database,
    insert_for,
    insert_ignoring_duplicates,
    make_engine,
    make_engine_url,
)
from app.db.migrations import alembic_config, upgrade

__all__ = [
    "MAX_ID",
    "Database",
    "alembic_config",
    "insert_for",
    "insert_ignoring_duplicates",
    "make_engine",
    "make_engine_url",
    "upgrade",
]
