"""Master key rotation: a new master key, and every data key re-wrapped under it.

The audio is never rewritten: only each recording's wrapped data key changes. The new keyset
keeps the old keys, so anything wrapped under them still unwraps while rotation runs; running
processes re-read a keyset file when it changes (recordings.master_keys.FileMasterKey).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from sqlalchemy import select, update

from app.db import Database
from app.models import Recording
from config.settings import Settings
from recordings.crypto import MasterKey
from recordings.master_keys import DEV_KEYSET_NAME

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
