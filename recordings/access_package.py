"""What a subject access package says (SPEC §8): its file names, manifests and cover note.

Pure: plain values in, names, dicts and text out. The packaging job (`workers.access`) makes the
audio and writes the ZIP; this module decides what the ZIP is called inside and what the
requester reads: `manifest.json`, a readable `manifest.txt` and a plain-language
`cover-note.txt`, the last two in the request's language (SPEC §13; the words are in
`recordings.correspondence`). Times are given in London time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from recordings.correspondence import weekday_date, words
from recordings.retention import LONDON

__all__ = [
    "PackagedRecording",
    "PackagedRequest",
    "cover_note",
    "file_name",
    "manifest",
    "manifest_entry",
    "readable_manifest",
    "text_files",
]


@dataclass(frozen=True)
class PackagedRecording:
    """One recording as the package describes it; `redactions` as the review stored them."""

    recording_sid: str
    call_started_at: datetime | None
    started_at: datetime | None
    redactions: list[dict[str, Any]] = field(default_factory=list)
    reason: str | None = None


@dataclass(frozen=True)
class PackagedRequest:
    """The request as the package names it, who it is addressed to and in which language."""

    reference: str
    requester_name: str
    received_on: date
    language: str = "en"


def _london(moment: datetime | None) -> str | None:
    return moment.astimezone(LONDON).isoformat() if moment else None


def file_name(number: int, recording: PackagedRecording, now: datetime) -> str:
    """The recording's MP3 inside the ZIP, named by its call's London start (else `now`)."""
    moment = (recording.call_started_at or recording.started_at or now).astimezone(LONDON)
    return f"recordings/{number:02d}-call-{moment:%Y-%m-%d-%H%M}.mp3"


def manifest_entry(
    name: str, recording: PackagedRecording, duration: float, bitrate: str, language: str = "en"
) -> dict[str, Any]:
    """The manifest's entry for one packaged MP3 of `duration` seconds.

    A silenced range the officer gave no reason for is explained in the request's `language`.
    """
    unexplained = words(language)["redaction_reason"]
    return {
        "file": name,
        "recording_sid": recording.recording_sid,
        "call_started_at": _london(recording.call_started_at),
        "recording_started_at": _london(recording.started_at),
        "duration_seconds": round(duration, 2),
        "format": {"codec": "mp3", "bitrate": bitrate, "channels": 2},
        "channels": {"1": "caller", "2": "council advisor"},
        "redactions": [
            {
                "start_seconds": r["start"],
                "end_seconds": r["end"],
                "reason": r.get("reason") or recording.reason or unexplained,
            }
            for r in recording.redactions
        ],
    }


def manifest(
    request: PackagedRequest, entries: list[dict[str, Any]], now: datetime
) -> dict[str, Any]:
    """The whole manifest, prepared `now`."""
    return {
        "reference": request.reference,
        "received_on": request.received_on.isoformat(),
        "prepared_at": now.astimezone(LONDON).isoformat(timespec="seconds"),
        "time_zone": "Europe/London",
        "recordings": entries,
    }


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}.{int(round((seconds - whole) * 10)) % 10}"


def _spoken_time(london_iso: str | None, language: str) -> str:
    """A London time from the manifest as a person reads it: 'Friday 10 July 2026, 10:15'."""
    text = words(language)
    if london_iso is None:
        return text["time_not_known"]
    moment = datetime.fromisoformat(london_iso)
    day = weekday_date(moment.date(), language)
    return text["date_and_time"].format(date=day, time=f"{moment:%H:%M}")


def _entry_lines(entry: dict[str, Any], language: str) -> list[str]:
    """One recording in `manifest.txt`: its file, call time, length and silenced ranges."""
    text = words(language)
    when = _spoken_time(entry["call_started_at"] or entry["recording_started_at"], language)
    lines = [
        entry["file"],
        "  " + text["manifest_when"].format(when=when),
        "  " + text["manifest_length"].format(length=_clock(entry["duration_seconds"])),
    ]
    for r in entry["redactions"]:
        start, end = _clock(r["start_seconds"]), _clock(r["end_seconds"])
        lines.append(
            "  " + text["manifest_silenced"].format(start=start, end=end, reason=r["reason"])
        )
    if not entry["redactions"]:
        lines.append("  " + text["manifest_nothing_silenced"])
    return [*lines, ""]


def readable_manifest(manifest: dict[str, Any], language: str = "en") -> str:
    """`manifest.txt`: each recording's call time, length and silenced ranges, in words."""
    text = words(language)
    lines = [text["manifest_title"].format(reference=manifest["reference"]), ""]
    for entry in manifest["recordings"]:
        lines += _entry_lines(entry, language)
    if not manifest["recordings"]:
        lines.append(text["manifest_none_found"])
    return "\n".join(lines) + "\n"


def _recordings(count: int, language: str) -> str:
    """'1 recording', '2 recordings' ('2 recordiad': a Welsh numeral takes the singular)."""
    key = "recordings_one" if count == 1 else "recordings_many"
    return words(language)[key].format(count=count)


def cover_note(request: PackagedRequest, manifest: dict[str, Any]) -> str:
    """The letter to the requester in their language, dated as the manifest (one clock reading)."""
    language, text = request.language, words(request.language)
    entries = manifest["recordings"]
    silenced = sum(1 for e in entries if e["redactions"])
    found = (
        text["note_found"].format(recordings=_recordings(len(entries), language))
        if entries
        else text["found_none"]
    )
    parts = [
        weekday_date(datetime.fromisoformat(manifest["prepared_at"]).date(), language),
        text["subject"].format(reference=request.reference),
        text["greeting"].format(name=request.requester_name),
        f"{found} {text['note_files']}",
        text["note_channels"],
    ]
    if silenced:
        parts.append(text["note_silenced"].format(recordings=_recordings(silenced, language)))
    parts += [text["note_keeping"], text["note_link"], text["note_signature"]]
    return "\n\n".join(parts) + "\n"


def text_files(request: PackagedRequest, manifest: dict[str, Any]) -> dict[str, str]:
    """The package's text files by name, in the order the ZIP holds them after the MP3s."""
    return {
        "manifest.json": json.dumps(manifest, indent=2),
        "manifest.txt": readable_manifest(manifest, request.language),
        "cover-note.txt": cover_note(request, manifest),
    }
