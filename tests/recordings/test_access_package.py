"""recordings.access_package: the package's names, manifests and the letter to the requester."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from recordings.access_package import (
    PackagedRecording,
    PackagedRequest,
    cover_note,
    file_name,
    manifest,
    manifest_entry,
    readable_manifest,
    text_files,
)

REQUEST = PackagedRequest("SAR-000042", "Pat Example", date(2026, 6, 29))
NOW = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)  # already 1 July in London (summer time)


def recording(**changes: object) -> PackagedRecording:
    values: dict = {
        "recording_sid": "RE" + "1" * 32,
        "call_started_at": datetime(2026, 7, 10, 9, 15, tzinfo=UTC),
        "started_at": datetime(2026, 7, 10, 9, 15, 20, tzinfo=UTC),
    }
    return PackagedRecording(**{**values, **changes})


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
    text = readable_manifest({"reference": "SAR-000042", "recordings": [_entry(call, recording)]})
    assert f"  Call date and time: {shown} (UK time)\n" in text
    assert "  Length: 1:01.0 (minutes:seconds)\n" in text


def test_the_cover_note_is_dated_as_the_manifest_and_addressed_to_the_requester() -> None:
    prepared = manifest(REQUEST, [], NOW)
    lines = cover_note(REQUEST, prepared).splitlines()
    assert prepared["prepared_at"] == "2026-07-01T00:30:00+01:00"
    assert lines[0] == "Wednesday 1 July 2026"
    assert "Dear Pat Example," in lines
    assert "We searched our call recordings and found none" in "\n".join(lines)


@pytest.mark.parametrize(
    ("changes", "name"),
    [
        ({}, "recordings/03-call-2026-07-10-1015.mp3"),
        ({"call_started_at": None}, "recordings/03-call-2026-07-10-1015.mp3"),
        ({"call_started_at": None, "started_at": None}, "recordings/03-call-2026-07-01-0030.mp3"),
    ],
)
def test_files_are_named_by_the_calls_london_time(changes: dict, name: str) -> None:
    assert file_name(3, recording(**changes), NOW) == name


def test_each_silenced_range_says_why() -> None:
    ranges = [
        {"start": 1.0, "end": 2.5, "reason": "a neighbour's name"},
        {"start": 4.0, "end": 5.0, "reason": None},
    ]
    entry = manifest_entry("f.mp3", recording(redactions=ranges, reason="third party"), 9.5, "64k")
    assert entry["redactions"] == [
        {"start_seconds": 1.0, "end_seconds": 2.5, "reason": "a neighbour's name"},
        {"start_seconds": 4.0, "end_seconds": 5.0, "reason": "third party"},
    ]
    unexplained = manifest_entry("f.mp3", recording(redactions=ranges[1:]), 9.5, "64k")
    assert unexplained["redactions"][0]["reason"] == "information about other people"
    assert entry["format"] == {"codec": "mp3", "bitrate": "64k", "channels": 2}


def test_the_letter_counts_recordings_and_those_with_silences() -> None:
    ranges = [{"start": 1.0, "end": 2.0}]
    entries = [
        manifest_entry("a.mp3", recording(redactions=ranges), 5.0, "64k"),
        manifest_entry("b.mp3", recording(), 5.0, "64k"),
    ]
    letter = cover_note(REQUEST, manifest(REQUEST, entries, NOW))
    assert "We found 2 recordings of your calls to Contact Cares." in letter
    assert "In 1 recording we have replaced short parts with silence" in letter


def test_the_texts_come_in_the_zips_order_with_the_manifest_as_indented_json() -> None:
    prepared = manifest(REQUEST, [manifest_entry("a.mp3", recording(), 5.0, "64k")], NOW)
    texts = text_files(REQUEST, prepared)
    assert list(texts) == ["manifest.json", "manifest.txt", "cover-note.txt"]
    assert texts["manifest.json"] == json.dumps(prepared, indent=2)
    assert json.loads(texts["manifest.json"])["recordings"][0]["file"] == "a.mp3"


WELSH = PackagedRequest("SAR-000042", "Siân Ŵyn", date(2026, 6, 29), "cy")


def test_a_welsh_manifest_reads_in_welsh_with_welsh_dates() -> None:
    entry = manifest_entry(
        "a.mp3", recording(redactions=[{"start": 1, "end": 2}]), 61.0, "64k", "cy"
    )
    text = readable_manifest({"reference": "SAR-000042", "recordings": [entry]}, "cy")
    assert text.startswith("Recordiadau a ddarperir ar gyfer cais SAR-000042\n")
    assert "Dyddiad ac amser yr alwad: Dydd Gwener 10 Gorffennaf 2026, 10:15 (amser y DU)" in text
    assert "  Hyd: 1:01.0 (munudau:eiliadau)\n" in text
    assert "  Tawelwyd o 0:01.0 i 0:02.0: gwybodaeth am bobl eraill\n" in text
    assert "July" not in text and "Silenced" not in text


def test_a_welsh_manifest_without_recordings_or_times_says_so_in_welsh() -> None:
    assert "Ni ddaethom o hyd i unrhyw recordiadau" in readable_manifest(
        {"reference": "SAR-000042", "recordings": []}, "cy"
    )
    unknown = readable_manifest({"reference": "R", "recordings": [_entry(None, None)]}, "cy")
    assert "alwad: anhysbys (amser y DU)" in unknown and "Ni thawelwyd dim" in unknown


def test_a_welsh_cover_note_is_in_welsh_and_dated_in_welsh() -> None:
    entries = [
        manifest_entry("a.mp3", recording(redactions=[{"start": 1, "end": 2}]), 5.0, "64k", "cy"),
        manifest_entry("b.mp3", recording(), 5.0, "64k", "cy"),
    ]
    lines = cover_note(WELSH, manifest(WELSH, entries, NOW)).splitlines()
    assert lines[0] == "Dydd Mercher 1 Gorffennaf 2026"
    assert "Annwyl Siân Ŵyn," in lines
    note = "\n".join(lines)
    assert "Daethom o hyd i 2 recordiad o'ch galwadau i Contact Cares." in note
    assert "Mewn 1 recordiad rydym wedi rhoi distawrwydd" in note
    assert (
        "Swyddfa'r Comisiynydd Gwybodaeth" in note
        and lines[-1] == "Cyngor St Helens, Contact Cares"
    )
    assert "Dear" not in note and "recording" not in note.replace("'recordings'", "")


def test_a_welsh_requests_text_files_are_welsh() -> None:
    texts = text_files(WELSH, manifest(WELSH, [], NOW))
    assert texts["manifest.txt"].startswith("Recordiadau a ddarperir")
    assert "Rydym wedi chwilio ein recordiadau galwadau" in texts["cover-note.txt"]
