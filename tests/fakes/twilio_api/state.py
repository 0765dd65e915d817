"""What the fake holds: the account, its recordings, calls and queues, the request log."""

from __future__ import annotations

import io
import re
import threading
import wave
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from werkzeug.wsgi import wrap_file

__all__ = [
    "API",
    "ENDED_CALL",
    "Call",
    "FakeAccount",
    "Fault",
    "Queue",
    "QueueMember",
    "Recording",
    "Redirect",
    "TwilioError",
    "TwilioRequest",
    "aware",
    "not_found",
    "rfc2822",
    "silent_wav",
]

API = "/2010-04-01"
ENDED_CALL = {"completed", "canceled", "failed", "busy", "no-answer"}
_CHUNK = 64 * 1024


def silent_wav(seconds: float = 1.0, channels: int = 2, rate: int = 8000) -> bytes:
    """A silent 16-bit PCM WAV, shaped like Twilio's recording media."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(b"\x00\x00" * channels * int(seconds * rate))
    return buffer.getvalue()


def rfc2822(moment: datetime | None) -> str | None:
    """A time as Twilio writes it in JSON (RFC 2822, UTC)."""
    return None if moment is None else format_datetime(moment.astimezone(UTC))


def aware(moment: datetime) -> datetime:
    """The same time, refused if it has no timezone."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: pass a timezone-aware datetime")
    return moment


@dataclass
class Recording:
    """A recording held by the fake (completed, or started through the API)."""

    sid: str
    call_sid: str
    date_created: datetime
    date_updated: datetime
    duration: int | None
    channels: int
    status: str
    source: str
    track: str = "both"
    audio: bytes | None = None
    audio_path: Path | None = None

    def media_size(self) -> int | None:
        """Size of the media in bytes, or None when there is no media yet."""
        if self.audio_path is not None:
            return self.audio_path.stat().st_size
        return None if self.audio is None else len(self.audio)

    def media_chunks(self, environ: dict[str, Any]) -> Iterable[bytes]:
        """The media as an iterable of chunks, streamed from the file when there is one."""
        if self.audio_path is not None:
            return wrap_file(environ, self.audio_path.open("rb"), buffer_size=_CHUNK)
        audio = self.audio or b""
        return (audio[i : i + _CHUNK] for i in range(0, len(audio), _CHUNK))


@dataclass(frozen=True)
class Redirect:
    """A call redirected through the Calls or Queue Members API."""

    url: str | None
    method: str
    twiml: str | None
    via: str


@dataclass
class Call:
    """A call known to the fake."""

    sid: str
    status: str
    from_: str
    to: str
    date_created: datetime
    date_updated: datetime
    redirects: list[Redirect] = field(default_factory=list)


@dataclass
class QueueMember:
    """A call waiting in a queue."""

    call_sid: str
    date_enqueued: datetime


@dataclass
class Queue:
    """A Twilio queue and its members in arrival order."""

    sid: str
    friendly_name: str
    max_size: int
    date_created: datetime
    date_updated: datetime
    members: list[QueueMember] = field(default_factory=list)


@dataclass
class TwilioRequest:
    """One request the fake received."""

    seq: int
    at: datetime
    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str]
    operation: str | None = None
    status: int = 0


@dataclass
class Fault:
    """An error to answer instead of the next matching requests (``FakeTwilio.fail_next``)."""

    method: str
    path: re.Pattern[str]
    status: int
    times: int
    code: int
    message: str


class TwilioError(Exception):
    """A Twilio-style error answer (not a spec violation)."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def not_found(path: str) -> TwilioError:
    """Twilio's 404 for a resource it does not have."""
    return TwilioError(404, 20404, f"The requested resource {path} was not found")


class FakeAccount:
    """What every resource of the fake shares: the account, the clock, the state and its lock."""

    account_sid: str
    auth_token: str
    base_url: str
    clock: Callable[[], datetime]
    _lock: threading.RLock
    recordings: dict[str, Recording]
    deleted_recordings: dict[str, Recording]
    calls: dict[str, Call]
    queues: dict[str, Queue]

    def _account_path(self) -> str:
        """Where this account's resources live."""
        return f"{API}/Accounts/{self.account_sid}"
