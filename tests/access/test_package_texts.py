"""The package's texts for the requester: times as a person reads them, the letter addressed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workers import access
from workers.access import Plan, _cover_note, _manifest, _readable_manifest


def _entry(call: str | None, recording: str | None) -> dict[str, object]:
    return {
        "file": "recordings/01-call.mp3",
        "call_started_at": call,
        "recording_started_at": recording,
        "duration_seconds": 61.0,
        "redactions": [],
    }


@pytest.mark.parametrize(
    ("call", "recording", "shown"),
    [
        ("2026-07-10T10:15:00.250000+01:00", None, "Friday 10 July 2026, 10:15"),
        (None, "2026-01-05T09:03:41+00:00", "Monday 5 January 2026, 09:03"),
        (None, None, "not known"),
    ],
)
def test_the_readable_manifest_gives_call_times_as_a_person_reads_them(
    call: str | None, recording: str | None, shown: str
) -> None:
    text = _readable_manifest({"reference": "SAR-000042", "recordings": [_entry(call, recording)]})
    assert f"  Call date and time: {shown} (UK time)\n" in text
    assert "  Length: 1:01.0 (minutes:seconds)\n" in text


def test_the_cover_note_is_dated_as_the_manifest_and_addressed_to_the_requester(
    monkeypatch,  # noqa: ANN001
) -> None:
    # 23:30 UTC on 30 June is already 1 July in London (summer time).
    monkeypatch.setattr(access, "utcnow", lambda: datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    plan = Plan(42, "job", "SAR-000042", "Pat Example", date(2026, 6, 29), None)
    manifest = _manifest(plan, [])
    lines = _cover_note(plan, manifest).splitlines()
    assert manifest["prepared_at"] == "2026-07-01T00:30:00+01:00"
    assert lines[0] == "Wednesday 1 July 2026"
    assert "Dear Pat Example," in lines
    assert "We searched our call recordings and found none" in "\n".join(lines)
