"""An English request's package texts are what they were before the package spoke Welsh.

The golden file was captured from the English-only code; any change to a word of
`manifest.txt` or `cover-note.txt` for an English request fails here.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from recordings.access_package import (
    PackagedRecording,
    PackagedRequest,
    manifest,
    manifest_entry,
    text_files,
)

GOLDEN = Path(__file__).parent / "golden" / "english_package_texts.json"
REQUEST = PackagedRequest("SAR-000042", "Pat Example", date(2026, 6, 29))
NOW = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)


def english_packages() -> dict[str, dict[str, str]]:
    """The texts of an empty package, one with one recording and one with three."""
    summer = datetime(2026, 7, 10, 9, 15, tzinfo=UTC)
    winter = datetime(2026, 1, 5, 9, 3, 41, tzinfo=UTC)
    ranges = [{"start": 1.0, "end": 2.5, "reason": "a neighbour's name"}, {"start": 4, "end": 5}]
    sid = "RE" + "1" * 32
    silenced = PackagedRecording(sid, summer, summer, ranges, "third party")
    unexplained = PackagedRecording(sid, None, winter, ranges[1:])
    plain = PackagedRecording(sid, None, None)
    cases = {"none": [], "one": [silenced], "three": [silenced, unexplained, plain]}
    texts = {}
    for case, recordings in cases.items():
        entries = [
            manifest_entry(f"recordings/{n:02d}.mp3", recording, 61.25 * n, "64k")
            for n, recording in enumerate(recordings, start=1)
        ]
        texts[case] = text_files(REQUEST, manifest(REQUEST, entries, NOW))
    return texts


def test_an_english_package_says_exactly_what_it_said_before(tmp_path) -> None:
    texts = english_packages()
    (tmp_path / GOLDEN.name).write_text(json.dumps(texts, indent=1, ensure_ascii=False) + "\n")
    assert texts == json.loads(GOLDEN.read_text()), f"changed (now in {tmp_path / GOLDEN.name})"
