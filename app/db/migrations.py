"""Schema migrations: Alembic pointed at the repository's migrations/ folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from app.db.engine import make_engine, make_engine_url

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(url: str) -> AlembicConfig:
    """Alembic's configuration for our migrations folder and `url`."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", make_engine_url(url).replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the schema at `url` up to `revision`."""
    if url.startswith("sqlite"):
        make_engine(url).dispose()  # creates the folder of the SQLite file
    command.upgrade(alembic_config(url), revision)


def on_this_dialect(dialect: str) -> Callable[..., bool]:
    """Alembic's `include_object` for comparing the models with a database of `dialect`: an
    index the models create on other dialects only (`Index.ddl_if`) is not expected there."""

    def include(
        obj: object, _name: str | None, type_: str, reflected: bool, _other: object
    ) -> bool:
        if type_ != "index" or reflected:
            return True
        only = getattr(obj, "_ddl_if", None)
        allowed = None if only is None else only.dialect  # a name, several, or None: any
        if isinstance(allowed, str):
            allowed = (allowed,)
        return allowed is None or dialect in allowed

    return include
