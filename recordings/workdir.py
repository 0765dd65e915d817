"""Private work directories for plaintext audio (decrypted WAVs, MP3s, unencrypted ZIPs).

Plaintext may exist only in memory or in a directory of mode 0700 under one root (the
instance folder's `plaintext/`, or PLAINTEXT_WORKDIR). Each job gets its own directory, named
after its process, removed in `finally`; anything that used the temporary-files default
meanwhile (pydub's NamedTemporaryFiles, when ffmpeg runs) lands in it too. A process killed
with SIGKILL cannot clean up: `sweep_workdirs` removes what dead processes left, at worker start
and in the daily housekeeping.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

PREFIX = "plain-"
MODE = 0o700


def _private_root(root: Path) -> Path:
    root.mkdir(mode=MODE, parents=True, exist_ok=True)
    root.chmod(MODE)
    return root


@contextmanager
def private_workdir(root: Path) -> Iterator[Path]:
    """A fresh 0700 directory under `root`, also the temporary-files default while it lasts."""
    workdir = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-", dir=_private_root(root)))
    previous = tempfile.tempdir
    tempfile.tempdir = str(workdir)
    try:
        yield workdir
    finally:
        tempfile.tempdir = previous
        shutil.rmtree(workdir, ignore_errors=True)


def _owner_alive(name: str) -> bool:
    pid = name.removeprefix(PREFIX).split("-", 1)[0]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(int(pid))


def _zombie(pid: int) -> bool:
    """A killed process nobody has reaped yet: it still has a pid, but runs nothing."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state in {"Z", "X"}


def sweep_workdirs(root: Path, older_than: datetime | None = None) -> int:
    """Remove work directories whose process is gone, or last changed before `older_than`."""
    if not root.is_dir():
        return 0
    removed = 0
    for entry in root.iterdir():
        stale = older_than is not None and entry.lstat().st_mtime < older_than.timestamp()
        if entry.name.startswith(PREFIX) and _owner_alive(entry.name) and not stale:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed += 1
    return removed
