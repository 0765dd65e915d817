"""What a subject access package says (SPEC §8): its file names, manifests and cover note.

Pure: plain values in, names, dicts and text out. The packaging job (`workers.access`) makes the
audio and writes the ZIP; this module decides what the ZIP is called inside and what the
requester reads: `manifest.json`, a readable `manifest.txt` and a plain-language
`cover-note.txt`. Times are given in London time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

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

DEFAULT_REDACTION_REASON = "information about other people"


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
    """The request as the package names it, and who it is addressed to."""

    reference: str
    requester_name: str
    received_on: date


def _london(moment: datetime | None) -> str | None:
    return moment.astimezone(LONDON).isoformat() if moment else None


def file_name(number: int, recording: PackagedRecording, now: datetime) -> str:
    """The recording's MP3 inside the ZIP, named by its call's London start (else `now`)."""
    moment = (recording.call_started_at or recording.started_at or now).astimezone(LONDON)
    return f"recordings/{number:02d}-call-{moment:%Y-%m-%d-%H%M}.mp3"


def manifest_entry(
    name: str, recording: PackagedRecording, duration: float, bitrate: str
) -> dict[str, Any]:
    """The manifest's entry for one packaged MP3 of `duration` seconds."""
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
                "reason": r.get("reason") or recording.reason or DEFAULT_REDACTION_REASON,
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


def _spoken_date(day: date) -> str:
    """A date as a letter gives it: 'Friday 10 July 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def _spoken_time(london_iso: str | None) -> str:
    """A London time from the manifest as a person reads it: 'Friday 10 July 2026, 10:15'."""
    if london_iso is None:
        return "not known"
    moment = datetime.fromisoformat(london_iso)
    return f"{_spoken_date(moment.date())}, {moment:%H:%M}"


def readable_manifest(manifest: dict[str, Any]) -> str:
    """`manifest.txt`: each recording's call time, length and silenced ranges, in words."""
    lines = [f"Recordings provided for request {manifest['reference']}", ""]
    for entry in manifest["recordings"]:
        when = entry["call_started_at"] or entry["recording_started_at"]
        lines += [
            entry["file"],
            f"  Call date and time: {_spoken_time(when)} (UK time)",
            f"  Length: {_clock(entry['duration_seconds'])} (minutes:seconds)",
        ]
        for r in entry["redactions"]:
            span = f"{_clock(r['start_seconds'])} to {_clock(r['end_seconds'])}"
            lines.append(f"  Silenced from {span}: {r['reason']}")
        if not entry["redactions"]:
            lines.append("  Nothing was silenced.")
        lines.append("")
    if not manifest["recordings"]:
        lines.append("We found no recordings to provide.")
    return "\n".join(lines) + "\n"


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def cover_note(request: PackagedRequest, manifest: dict[str, Any]) -> str:
    """The letter to the requester, dated as the manifest (one reading of the clock)."""
    entries = manifest["recordings"]
    silenced = sum(1 for e in entries if e["redactions"])
    found = (
        f"We found {_plural(len(entries), 'recording')} of your calls to Contact Cares."
        if entries
        else "We searched our call recordings and found none to provide for your request."
    )
    parts = [
        _spoken_date(datetime.fromisoformat(manifest["prepared_at"]).date()),
        "",
        f"Your request for copies of your call recordings (reference {request.reference})",
        "",
        f"Dear {request.requester_name},",
        "",
        f"{found} They are in the 'recordings' folder as MP3 audio files, which play on "
        "most phones and computers. The file 'manifest.txt' lists the date, time and length "
        "of each call.",
        "",
        "Each recording has two channels: you (the caller) and the council advisor.",
    ]
    if silenced:
        parts += [
            "",
            f"In {_plural(silenced, 'recording')} we have replaced short "
            "parts with silence because they contain information about other people, which we "
            "must protect. The manifest says where and why.",
        ]
    parts += [
        "",
        "We keep call recordings for six months and then delete them. If you think something "
        "is missing, or you are unhappy with how we handled your request, please contact the "
        "council's Data Protection Officer quoting the reference above. You can also complain "
        "to the Information Commissioner's Office (ico.org.uk, 0303 123 1113).",
        "",
        "This download link expires and can be used only by you: please do not share it.",
        "",
        "St Helens Council, Contact Cares",
    ]
    return "\n".join(parts) + "\n"


def text_files(request: PackagedRequest, manifest: dict[str, Any]) -> dict[str, str]:
    """The package's text files by name, in the order the ZIP holds them after the MP3s."""
    return {
        "manifest.json": json.dumps(manifest, indent=2),
        "manifest.txt": readable_manifest(manifest),
        "cover-note.txt": cover_note(request, manifest),
    }
