"""The waveform's outline read from a WAV stream: each channel's loudest sample per span."""

from __future__ import annotations

import io
import random
import wave
from array import array

import pytest

import recordings.audio
from recordings.audio import UnreadableAudio, waveform_peaks

RATE = 8000


def pcm_wav(channels: list[list[int]], rate: int = RATE) -> bytes:
    frames = array("h", [sample for frame in zip(*channels, strict=True) for sample in frame])
    out = io.BytesIO()
    with wave.open(out, "wb") as wav:
        wav.setnchannels(len(channels))
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(frames.tobytes())
    return out.getvalue()


class Trickle(io.RawIOBase):
    """A stream that cannot seek and gives at most 100 bytes a read, like a decrypting one."""

    def __init__(self, data: bytes) -> None:
        self.source = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001
        chunk = self.source.read(min(len(buffer), 100))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def test_each_channel_has_its_own_outline():
    half = RATE * 3
    caller = [16384] * half + [0] * half
    advisor = [0] * half + [-8192] * half
    outline = waveform_peaks(io.BytesIO(pcm_wav([caller, advisor])), spans=6)
    assert outline.duration_seconds == 6.0
    assert outline.peaks == [[0.5, 0.5, 0.5, 0, 0, 0], [0, 0, 0, 0.25, 0.25, 0.25]]


def test_spans_across_blocks_match_the_loudest_sample_of_each(monkeypatch):
    monkeypatch.setattr(recordings.audio, "PEAK_BLOCK_FRAMES", 7)
    rng = random.Random(3)
    samples = [[rng.randint(-32768, 32767) for _ in range(1000)] for _ in range(2)]
    outline = waveform_peaks(io.BufferedReader(Trickle(pcm_wav(samples))), spans=30)
    span = 34  # ceil(1000 / 30): the last span is shorter
    expected = [
        [
            round(min(1.0, max(abs(s) for s in channel[i : i + span]) / 32768), 3)
            for i in range(0, 1000, span)
        ]  # fmt: skip
        for channel in samples
    ]
    assert outline.peaks == expected
    assert outline.duration_seconds == 1000 / RATE


def test_a_mono_recording_has_one_channel():
    outline = waveform_peaks(io.BytesIO(pcm_wav([[0, 32767, -32768, 0]])), spans=2)
    assert outline.peaks == [[1.0, 1.0]]


def test_a_short_recording_has_a_span_per_frame():
    outline = waveform_peaks(io.BytesIO(pcm_wav([[100, 200], [300, 400]])), spans=2400)
    assert [len(channel) for channel in outline.peaks] == [2, 2]


@pytest.mark.parametrize(
    "data",
    [
        b"this is not a recording" * 100,
        pcm_wav([[1, 2], [3, 4], [5, 6]]),  # three channels
    ],
)
def test_what_it_cannot_outline_is_unreadable(data):
    with pytest.raises(UnreadableAudio):
        waveform_peaks(io.BytesIO(data))


def test_mu_law_is_unreadable():
    header = bytearray(pcm_wav([[0] * 10]))
    header[20:22] = (7).to_bytes(2, "little")  # WAVE_FORMAT_MULAW
    with pytest.raises(UnreadableAudio):
        waveform_peaks(io.BytesIO(bytes(header)))
