"""Audio operations on call recordings with pydub and ffmpeg: load, redact, export MP3; the
outline of a waveform (each channel's peaks) read from a stream."""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import warnings
import wave
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

import imageio_ffmpeg

with warnings.catch_warnings():
    # pydub imports audioop (deprecated in 3.11) and looks for ffmpeg on PATH at import;
    # the converter is set just below, so neither warning applies here.
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    warnings.filterwarnings("ignore", "Couldn't find ff", RuntimeWarning)
    import audioop

    from pydub import AudioSegment
    from pydub.audio_segment import fix_wav_headers
    from pydub.exceptions import CouldntDecodeError

__all__ = [
    "DEFAULT_MP3_BITRATE",
    "AudioSegment",
    "InvalidBitrate",
    "InvalidRedaction",
    "UnreadableAudio",
    "Waveform",
    "check_mp3_bitrate",
    "ffmpeg_executable",
    "load_wav",
    "redact",
    "rms_between",
    "to_mp3",
    "validate_redactions",
    "waveform_peaks",
]

DEFAULT_MP3_BITRATE = "64k"
_BITRATE = re.compile(r"([0-9]+)k")


class InvalidRedaction(ValueError):
    """Redaction ranges that do not fit the recording."""


class InvalidBitrate(ValueError):
    """An MP3 bitrate the encoder would not honour."""


class UnreadableAudio(ValueError):
    """Data that ffmpeg could not decode as audio."""


def ffmpeg_executable() -> str:
    """The system ffmpeg when on PATH, else the binary shipped in the imageio-ffmpeg wheel."""
    return shutil.which("ffmpeg") or imageio_ffmpeg.get_ffmpeg_exe()


AudioSegment.converter = ffmpeg_executable()


def load_wav(source: BinaryIO) -> AudioSegment:
    """Read a WAV recording; PCM is parsed directly, other codecs (e.g. mu-law) via ffmpeg."""
    data = source.read()
    try:
        return AudioSegment(data=data)
    except CouldntDecodeError:
        return AudioSegment(data=_decode_to_pcm_wav(data))


@dataclass(frozen=True)
class Waveform:
    """A recording's outline: its length and, per channel, the loudest sample (0 to 1) of each
    of its equal spans, first to last."""

    duration_seconds: float
    peaks: list[list[float]]


PEAK_SPANS = 2400
PEAK_BLOCK_FRAMES = 128 * 1024


def waveform_peaks(source: BinaryIO, spans: int = PEAK_SPANS) -> Waveform:
    """The outline of a 16-bit PCM WAV of one or two channels, read once as a stream in blocks
    (memory does not grow with its length). UnreadableAudio for anything else, e.g. mu-law."""
    try:
        with wave.open(source) as wav:  # a file object given is left open
            channels, width = wav.getnchannels(), wav.getsampwidth()
            if width != 2 or channels not in (1, 2):
                raise UnreadableAudio(f"{width * 8}-bit audio of {channels} channels")
            rate, span = wav.getframerate(), max(1, math.ceil(wav.getnframes() / spans))
            peaks: list[list[int]] = [[] for _ in range(channels)]
            position = 0  # frames read before this block
            while block := wav.readframes(PEAK_BLOCK_FRAMES):
                count = len(block) // (2 * channels)
                for found, mono in zip(peaks, _split(block, channels), strict=True):
                    _add_peaks(found, mono, position, count, span)
                position += count
    except (wave.Error, EOFError) as exc:
        raise UnreadableAudio(f"not a PCM WAV: {exc}") from exc
    full = float(1 << 15)
    outline = [[round(min(1.0, peak / full), 3) for peak in found] for found in peaks]
    return Waveform(position / rate, outline)


def _split(block: bytes, channels: int) -> list[bytes]:
    if channels == 1:
        return [block]
    return [audioop.tomono(block, 2, 1, 0), audioop.tomono(block, 2, 0, 1)]


def _add_peaks(found: list[int], mono: bytes, position: int, count: int, span: int) -> None:
    """Fold one channel's block of `count` frames, starting at frame `position`, into the
    loudest sample of each span (a span may begin in one block and end in the next)."""
    start = 0
    while start < count:
        index = (position + start) // span
        end = min(count, (index + 1) * span - position)
        loudest = audioop.max(mono[2 * start : 2 * end], 2)
        if index < len(found):
            found[index] = max(found[index], loudest)
        else:
            found.append(loudest)
        start = end


def validate_redactions(
    ranges: Iterable[tuple[float, float]], duration_s: float
) -> list[tuple[float, float]]:
    """Check [start, end) second ranges against the duration; return them sorted and merged."""
    merged: list[tuple[float, float]] = []
    for start, end in sorted((float(s), float(e)) for s, e in ranges):
        if not (math.isfinite(start) and math.isfinite(end)):
            raise InvalidRedaction(f"redaction bounds must be finite numbers: {start}-{end}")
        if not 0 <= start < end <= duration_s:
            raise InvalidRedaction(
                f"redaction {start}-{end} s must satisfy 0 <= start < end <= {duration_s} s"
            )
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def redact(segment: AudioSegment, ranges: Iterable[tuple[float, float]]) -> AudioSegment:
    """Replace each [start_s, end_s) range with silence of the same length on every channel."""
    data = bytearray(segment.raw_data)
    for start_s, end_s in validate_redactions(ranges, segment.duration_seconds):
        first, last = (_byte_offset(segment, s) for s in (start_s, end_s))
        # pydub holds PCM as signed integers (8-bit WAV is unbiased on load): zero is silence.
        data[first:last] = bytes(last - first)
    return AudioSegment(
        data=bytes(data),
        sample_width=segment.sample_width,
        frame_rate=segment.frame_rate,
        channels=segment.channels,
    )


def to_mp3(
    segment: AudioSegment, destination: BinaryIO, bitrate: str = DEFAULT_MP3_BITRATE
) -> None:
    """Write `segment` to `destination` as constant-bitrate MP3, keeping every channel."""
    check_mp3_bitrate(bitrate, segment.frame_rate)
    # export() returns `destination` itself; the caller owns it, so it is left open.
    segment.export(destination, format="mp3", codec="libmp3lame", bitrate=bitrate)


def check_mp3_bitrate(bitrate: str, frame_rate: int) -> None:
    """Refuse bitrates like "64k" that the MP3 encoder cannot deliver at this sample rate."""
    match = _BITRATE.fullmatch(bitrate)
    if match is None:
        raise InvalidBitrate(f"bitrate must be kbit/s written like '64k', not {bitrate!r}")
    low, high = _mp3_bitrate_range(frame_rate)
    if not low <= int(match[1]) <= high:
        raise InvalidBitrate(
            f"MP3 at {frame_rate} Hz takes {low} to {high} kbit/s, not {bitrate!r}"
        )


def rms_between(
    segment: AudioSegment, start_s: float, end_s: float, channel: int | None = None
) -> float:
    """RMS over [start_s, end_s) of one channel, or of the loudest channel when None."""
    first, last = (round(s * segment.frame_rate) for s in (start_s, end_s))
    part = segment.get_sample_slice(first, last)
    channels = part.split_to_mono()
    if channel is not None:
        return float(channels[channel].rms)
    return float(max(mono.rms for mono in channels))


def _mp3_bitrate_range(frame_rate: int) -> tuple[int, int]:
    """Kbit/s LAME honours: MPEG-2.5 below 16 kHz (capped at 64), MPEG-2 below 32 kHz, MPEG-1."""
    if frame_rate < 16000:
        return 8, 64
    return (8, 160) if frame_rate < 32000 else (32, 320)


def _byte_offset(segment: AudioSegment, seconds: float) -> int:
    """Byte offset of the frame nearest `seconds` into the segment's raw data."""
    frame = min(round(seconds * segment.frame_rate), int(segment.frame_count()))
    return frame * segment.frame_width


def _decode_to_pcm_wav(data: bytes) -> bytes:
    """Decode any audio ffmpeg reads into 16-bit PCM WAV, through pipes (no ffprobe needed)."""
    command = [AudioSegment.converter, "-hide_banner", "-loglevel", "error", "-i", "pipe:0"]
    command += ["-f", "wav", "-acodec", "pcm_s16le", "pipe:1"]
    result = subprocess.run(command, input=data, capture_output=True, check=False)  # noqa: S603
    if result.returncode != 0 or not result.stdout:
        raise UnreadableAudio(result.stderr.decode(errors="replace").strip() or "no audio")
    # Streaming to a pipe, ffmpeg cannot go back to write the RIFF and data chunk sizes.
    wav = bytearray(result.stdout)
    fix_wav_headers(wav)
    return bytes(wav)
