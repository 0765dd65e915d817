"""`flask --app wsgi keys rotate`: a new primary master key, and every data key re-wrapped."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.domain import audit
from app.domain.keys import keyset_file, rewrap_data_keys, write_keyset
from app.extensions import db
from config.settings import Settings
from recordings.crypto import MasterKey, add_primary_key
from recordings.master_keys import master_keyset_json

keys_cli = AppGroup("keys", help="Master keys of the recording store.")


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
