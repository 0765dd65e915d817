import io
import math
import os
import subprocess

import pytest

from recordings.audio import (
    AudioSegment,
    InvalidBitrate,
    InvalidRedaction,
    UnreadableAudio,
    ffmpeg_executable,
    load_wav,
    redact,
    rms_between,
    to_mp3,
    validate_redactions,
)

SECONDS = 4.0
FRAME_RATE = 8000
CHANNELS = (0, 1)
AUDIBLE = 5000  # a -6 dBFS sine has an RMS of about 11,600
CODEC_NOISE = 200


def tone(frequency: float) -> AudioSegment:
    # Imported here so that recordings.audio has already imported pydub quietly.
    from pydub.generators import Sine

    generator = Sine(frequency, sample_rate=FRAME_RATE, bit_depth=16)
    return generator.to_audio_segment(duration=SECONDS * 1000, volume=-6.0)


@pytest.fixture(scope="module")
def call() -> AudioSegment:
    """Four seconds of 8 kHz 16-bit stereo: caller at 440 Hz, advisor at 620 Hz."""
    return AudioSegment.from_mono_audiosegments(tone(440), tone(620))


def ffmpeg(data: bytes, *options: str) -> bytes:
    command = [ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-i", "pipe:0"]
    return subprocess.run(
        [*command, *options, "pipe:1"], input=data, capture_output=True, check=True
    ).stdout


def decode_mp3(data: bytes) -> AudioSegment:
    # Naming the codec keeps pydub from asking ffprobe, which imageio-ffmpeg does not ship.
    return AudioSegment.from_file(io.BytesIO(data), format="mp3", codec="mp3")


def mp3_bytes(segment: AudioSegment, **bitrate: str) -> bytes:
    destination = io.BytesIO()
    to_mp3(segment, destination, **bitrate)
    return destination.getvalue()


def test_converter_is_a_real_ffmpeg():
    assert AudioSegment.converter == ffmpeg_executable()
    assert os.access(AudioSegment.converter, os.X_OK)


def test_test_tone_is_two_channel_8khz_16bit(call):
    assert (call.channels, call.frame_rate, call.sample_width) == (2, 8000, 2)
    assert all(rms_between(call, 0, SECONDS, channel) > AUDIBLE for channel in CHANNELS)


def test_redacted_ranges_are_silent_on_both_channels(call):
    redacted = redact(call, [(0.5, 1.0), (2.0, 2.75)])
    for start, end in [(0.5, 1.0), (2.0, 2.75)]:
        assert [rms_between(redacted, start, end, channel) for channel in CHANNELS] == [0, 0]


def test_the_rest_stays_audible_and_untouched(call):
    redacted = redact(call, [(0.5, 1.0), (2.0, 2.75)])
    for start, end in [(0, 0.5), (1.0, 2.0), (2.75, SECONDS)]:
        assert all(rms_between(redacted, start, end, channel) > AUDIBLE for channel in CHANNELS)
        frames = slice(round(start * FRAME_RATE) * 4, round(end * FRAME_RATE) * 4)
        assert redacted.raw_data[frames] == call.raw_data[frames]


def test_redaction_keeps_length_and_format(call):
    redacted = redact(call, [(1.0, 3.0)])
    assert len(redacted.raw_data) == len(call.raw_data)
    assert redacted.duration_seconds == call.duration_seconds == SECONDS
    assert (redacted.channels, redacted.frame_rate, redacted.sample_width) == (2, 8000, 2)


def test_redaction_is_exact_to_the_frame(call):
    redacted = redact(call, [(1.0, 1.0005)])  # frames 8000-8003 at 8 kHz
    assert [redacted.get_frame(i) for i in range(8000, 8004)] == [bytes(4)] * 4
    assert all(redacted.get_frame(i) == call.get_frame(i) for i in (7999, 8004))


def test_redaction_to_the_very_end(call):
    redacted = redact(call, [(3.5, SECONDS)])
    assert rms_between(redacted, 3.5, SECONDS) == 0
    assert len(redacted.raw_data) == len(call.raw_data)


def test_no_ranges_leave_the_audio_unchanged(call):
    assert redact(call, []).raw_data == call.raw_data


def test_overlapping_unsorted_ranges_are_merged(call):
    redacted = redact(call, [(2.0, 3.0), (0.5, 1.5), (1.0, 2.5)])
    assert rms_between(redacted, 0.5, 3.0) == 0
    assert rms_between(redacted, 0, 0.5) > AUDIBLE


def test_redact_rejects_ranges_outside_the_recording(call):
    with pytest.raises(InvalidRedaction, match="<= 4.0 s"):
        redact(call, [(3.0, 4.5)])


@pytest.mark.parametrize(
    ("ranges", "merged"),
    [
        ([], []),
        ([(1, 2)], [(1.0, 2.0)]),
        ([(3, 4), (1, 2)], [(1.0, 2.0), (3.0, 4.0)]),
        ([(1, 2), (2, 3)], [(1.0, 3.0)]),
        ([(1, 3), (2, 2.5)], [(1.0, 3.0)]),
        ([(0, 10)], [(0.0, 10.0)]),
    ],
)
def test_validate_redactions_sorts_and_merges(ranges, merged):
    assert validate_redactions(ranges, 10.0) == merged


@pytest.mark.parametrize(
    "bad_range",
    [(2, 2), (3, 2), (-0.1, 1), (9, 10.01), (math.nan, 1), (1, math.inf), (11, 12)],
)
def test_validate_redactions_rejects_bad_ranges(bad_range):
    with pytest.raises(InvalidRedaction):
        validate_redactions([(0.5, 1), bad_range], 10.0)


def test_invalid_redaction_is_a_value_error():
    assert issubclass(InvalidRedaction, ValueError)


def test_load_wav_reads_pcm_wav(call):
    wav = io.BytesIO()
    call.export(wav, format="wav")
    wav.seek(0)
    loaded = load_wav(wav)
    assert (loaded.channels, loaded.frame_rate, loaded.sample_width) == (2, 8000, 2)
    assert loaded.raw_data == call.raw_data


def test_load_wav_decodes_mu_law_wav(call):
    pcm = io.BytesIO()
    call.export(pcm, format="wav")
    mu_law = ffmpeg(pcm.getvalue(), "-acodec", "pcm_mulaw", "-f", "wav")
    loaded = load_wav(io.BytesIO(mu_law))
    assert (loaded.channels, loaded.frame_rate, loaded.sample_width) == (2, 8000, 2)
    assert loaded.duration_seconds == pytest.approx(SECONDS, abs=0.01)
    assert rms_between(loaded, 0, SECONDS, 1) == pytest.approx(
        rms_between(call, 0, SECONDS, 1), rel=0.05
    )


def test_load_wav_rejects_data_that_is_not_audio():
    with pytest.raises(UnreadableAudio):
        load_wav(io.BytesIO(b"this is not a recording" * 100))


def test_mp3_keeps_both_channels_and_the_duration(call):
    decoded = decode_mp3(mp3_bytes(call))
    assert decoded.channels == 2
    assert decoded.frame_rate == FRAME_RATE
    assert decoded.duration_seconds == pytest.approx(SECONDS, abs=0.15)


def test_mp3_keeps_redactions_silent_and_the_rest_audible(call):
    decoded = decode_mp3(mp3_bytes(redact(call, [(0.5, 1.5), (2.5, 3.0)])))
    # Stay clear of the edges, where the codec smears a little sound into the silence.
    for start, end in [(0.6, 1.4), (2.6, 2.9)]:
        assert all(rms_between(decoded, start, end, ch) < CODEC_NOISE for ch in CHANNELS)
    for start, end in [(0.1, 0.4), (1.6, 2.4), (3.1, 3.9)]:
        assert all(rms_between(decoded, start, end, ch) > AUDIBLE for ch in CHANNELS)


@pytest.mark.parametrize(
    ("bitrate", "kbps"), [({}, 64), ({"bitrate": "32k"}, 32), ({"bitrate": "16k"}, 16)]
)
def test_mp3_bitrate_is_honoured(call, bitrate, kbps):
    size = len(mp3_bytes(call, **bitrate))
    assert size == pytest.approx(kbps * 1000 / 8 * SECONDS, rel=0.1)


@pytest.mark.parametrize("bitrate", ["128k", "80k", "4k", "64", "64 k", "64000", "k"])
def test_to_mp3_refuses_bitrates_it_cannot_deliver_at_8khz(call, bitrate):
    with pytest.raises(InvalidBitrate):
        to_mp3(call, io.BytesIO(), bitrate=bitrate)


def test_higher_bitrates_are_allowed_at_higher_sample_rates(call):
    size = len(mp3_bytes(call.set_frame_rate(22050), bitrate="128k"))
    assert size == pytest.approx(128 * 1000 / 8 * SECONDS, rel=0.1)


def test_to_mp3_leaves_the_destination_open_for_the_caller(call):
    destination = io.BytesIO()
    to_mp3(call, destination)
    assert not destination.closed
    assert destination.getvalue()[:3] in (b"ID3", b"\xff\xf3", b"\xff\xe3")


def test_to_mp3_writes_to_a_real_file(call, tmp_path):
    path = tmp_path / "call.mp3"
    with path.open("wb") as destination:
        to_mp3(call, destination)
    assert decode_mp3(path.read_bytes()).channels == 2
