"""`flask --app wsgi keys rotate`: a new master key, and every data key re-wrapped under it.

The audio is never rewritten: only each recording's wrapped data key changes. The new keyset
keeps the old keys, so anything wrapped under them still unwraps while rotation runs (and
in processes that loaded the keyset earlier, until they restart).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select, update

from app import audit
from app.db import Database
from app.extensions import db
from app.models import Recording
from config.settings import Settings
from recordings.crypto import MasterKey, add_primary_key
from recordings.master_keys import DEV_KEYSET_NAME, master_keyset_json

keys_cli = AppGroup("keys", help="Master keys of the recording store.")
REWRAP_BATCH = 500


def keyset_file(settings: Settings) -> Path | None:
    """The file the master keyset is read from, or None when it comes from MASTER_KEYSET."""
    if settings.master_keyset:
        return None
    return settings.master_keyset_file or settings.instance_dir / DEV_KEYSET_NAME


def write_keyset(path: Path, keyset_json: str) -> None:
    """Replace the keyset file atomically, readable by its owner only."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(keyset_json)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def rewrap_data_keys(database: Database, master: MasterKey, batch: int = REWRAP_BATCH) -> int:
    """Re-wrap every data key not yet under `master`'s primary key; returns how many."""
    done, last_id = 0, 0
    while True:
        with database.transaction() as session:
            rows = session.execute(
                select(Recording.id, Recording.recording_sid, Recording.wrapped_key)
                .where(
                    Recording.id > last_id,
                    Recording.wrapped_key.is_not(None),
                    (Recording.master_key_id != master.key_id) | Recording.master_key_id.is_(None),
                )
                .order_by(Recording.id)
                .limit(batch)
            ).all()
            for row in rows:
                data_key = master.unwrap(row.wrapped_key, row.recording_sid)
                session.execute(
                    update(Recording)
                    .where(Recording.id == row.id, Recording.wrapped_key == row.wrapped_key)
                    .values(
                        wrapped_key=master.wrap(data_key, row.recording_sid),
                        master_key_id=master.key_id,
                    )
                )
        done += len(rows)
        if len(rows) < batch:
            return done
        last_id = rows[-1].id


@keys_cli.command("rotate")
@click.option(
    "--rewrap-only",
    is_flag=True,
    help="Add no key: re-wrap data keys not yet under the current primary key "
    "(after installing a new MASTER_KEYSET, or to finish an interrupted rotation).",
)
def keys_rotate(rewrap_only: bool) -> None:
    """Add a new primary master key and re-wrap every recording's data key under it."""
    settings: Settings = current_app.config["SETTINGS"]
    current_json = master_keyset_json(settings)
    path = keyset_file(settings)
    if rewrap_only:
        new_json = current_json
    else:
        new_json = add_primary_key(current_json)
        if path is None:
            _print_for_environment(new_json)
            return
        write_keyset(path, new_json)  # before re-wrapping: the new key must never be lost
        click.echo(f"new primary key written to {path}")
    master = MasterKey.from_json(new_json)
    count = rewrap_data_keys(db, master)
    with db.transaction() as session:
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="keys.rotate",
            subject_type="master_key",
            subject_id=master.key_id,
            details={"rewrapped": count, "new_key": not rewrap_only},
        )
    click.echo(f"re-wrapped {count} data keys under master key {master.key_id}")


def _print_for_environment(new_json: str) -> None:
    """The keyset comes from MASTER_KEYSET, which this command cannot change."""
    click.echo(
        "MASTER_KEYSET is set in the environment, which this command cannot change.\n"
        "1. Set MASTER_KEYSET to the keyset printed on standard output (it keeps the old keys)\n"
        "   and restart every web and worker process.\n"
        "2. Run `flask --app wsgi keys rotate --rewrap-only` to re-wrap every data key.\n"
        "Nothing was re-wrapped yet. Treat the printed keyset as a secret.",
        err=True,
    )
    click.echo(new_json)
