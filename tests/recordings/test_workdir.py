"""Private work directories for plaintext audio: 0700, the temp default inside, swept when dead."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recordings.workdir import PREFIX, private_workdir, sweep_workdirs


def test_a_workdir_is_private_holds_temp_files_and_is_removed(tmp_path):
    root = tmp_path / "plaintext"
    before = tempfile.gettempdir()
    with pytest.raises(RuntimeError), private_workdir(root) as workdir:
        assert workdir.parent == root and workdir.stat().st_mode & 0o777 == 0o700
        assert root.stat().st_mode & 0o777 == 0o700
        with tempfile.NamedTemporaryFile(delete=False) as stray:  # as pydub's export does
            stray.write(b"RIFF plaintext")
        assert Path(stray.name).parent == workdir
        raise RuntimeError("ffmpeg failed")
    assert list(root.iterdir()) == [] and tempfile.gettempdir() == before


def dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], **_out())  # noqa: S603
    return int(child.stdout)


def _out() -> dict:
    return {"capture_output": True, "text": True, "check": True}


def test_sweep_removes_what_dead_or_old_jobs_left(tmp_path):
    dead = tmp_path / f"{PREFIX}{dead_pid()}-abc"
    live = tmp_path / f"{PREFIX}{os.getpid()}-def"
    stray = tmp_path / "recording.wav"
    for folder in (dead, live):
        folder.mkdir()
        (folder / "recording.wav").write_bytes(b"RIFF")
    stray.write_bytes(b"RIFF")
    assert sweep_workdirs(tmp_path) == 2
    assert list(tmp_path.iterdir()) == [live]
    assert sweep_workdirs(tmp_path, older_than=datetime.now(UTC) - timedelta(hours=1)) == 0
    assert sweep_workdirs(tmp_path, older_than=datetime.now(UTC) + timedelta(hours=1)) == 1
    assert list(tmp_path.iterdir()) == [] and sweep_workdirs(tmp_path / "none") == 0
