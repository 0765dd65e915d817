"""Access requests (SPEC §11): the matching-calls search and the packaging job.

1. Search: 1,000,000 calls (about 200,000 callers) and a recording for a third of them, seeded
   with COPY into a scratch PostgreSQL database; 1,000 lookups of random callers' numbers with
   the query registration runs (calls by number and London date range). Target: p99 < 20 ms.
2. Packaging: 10 recordings of 10 minutes (8 kHz, 2 channels, 16-bit WAV) with redactions,
   through the real job (decrypt, redact, MP3, ZIP, encrypt, store) against a bare ffmpeg
   transcode of the same WAVs at the same bitrate, in the same run. Target: within 1.5×.

Run: .venv/bin/python bench/access.py [--calls N] [--lookups N] [--recordings N] [--minutes M]
"""

from __future__ import annotations

import argparse
import io
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import make_engine, upgrade  # noqa: E402
from app.domain import access_requests as sar  # noqa: E402
from app.models import AccessRequest, Recording, RecordingStatus, Relationship  # noqa: E402
from app.runtime import Runtime, use_runtime  # noqa: E402
from bench.common import bench_run, scratch_postgres  # noqa: E402
from config.settings import load_settings  # noqa: E402
from recordings.audio import AudioSegment, ffmpeg_executable  # noqa: E402
from recordings.crypto import DataKey  # noqa: E402
from workers.access import package_access_request  # noqa: E402

START = datetime(2026, 1, 1, tzinfo=UTC)


def _number(i: int) -> str:
    return f"+4477009{i:05d}" if i < 100_000 else f"+4479{i:08d}"


# --- 1. search ------------------------------------------------------------------------------


def seed_calls(url: str, calls: int, callers: int) -> None:
    """COPY `calls` calls from `callers` numbers, a recording for every third call."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(
            "COPY calls (call_sid, from_number, started_at, recording_opted_out) FROM STDIN"
        ) as copy:
            for i in range(calls):
                moment = START + timedelta(seconds=rng.randrange(300 * 86400))
                copy.write_row((f"CA{i:032x}", _number(rng.randrange(callers)), moment, False))
        with cur.copy(
            "COPY recordings (recording_sid, call_sid, status, started_at, duration_seconds,"
            " ingest_attempts, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(0, calls, 3):
                row = (f"RE{i:032x}", f"CA{i:032x}", "stored", START, 120, 1, now, now)
                copy.write_row(row)
        cur.execute("ANALYZE calls")
        cur.execute("ANALYZE recordings")


def _query(number: str, dated: bool):  # noqa: ANN202
    day_from = (START + timedelta(days=30)).date() if dated else None
    day_to = (START + timedelta(days=200)).date() if dated else None
    return sar.matching_calls_query([number], day_from, day_to)


def bench_search(url: str, callers: int, lookups: int) -> None:
    """p50/p99 of the registration query (through SQLAlchemy) for random callers' numbers."""
    rng = random.Random(11)
    engine = make_engine(url)
    with Session(engine) as session:
        for dated in (False, True):
            timings, found = [], 0
            for _ in range(lookups):
                query = _query(_number(rng.randrange(callers)), dated)
                began = time.perf_counter()
                found += len(session.scalars(query).all())
                timings.append((time.perf_counter() - began) * 1000)
                session.expunge_all()
            timings.sort()
            p99 = timings[int(len(timings) * 0.99) - 1]
            label = "number + date range" if dated else "number only"
            print(
                f"  {label:20} {lookups} lookups: p50 {statistics.median(timings):.2f} ms, "
                f"p99 {p99:.2f} ms, max {timings[-1]:.2f} ms "
                f"({found / lookups:.1f} calls per lookup)  target p99 < 20 ms: "
                f"{'MET' if p99 < 20 else 'MISSED'}"
            )
        compiled = _query(_number(42), True).compile(
            engine, compile_kwargs={"render_postcompile": True}
        )
        with engine.connect() as conn:
            plan = conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + str(compiled), dict(compiled.params)
            ).fetchall()
    engine.dispose()
    print("  EXPLAIN (number + date range):")
    for (line,) in plan:
        print("    " + line)


# --- 2. packaging ---------------------------------------------------------------------------


def recording_wav(minutes: float, seed: int) -> bytes:
    """Two channels of speech-like noise and tone, 8 kHz 16-bit."""
    from pydub.generators import Sine, WhiteNoise

    ms = minutes * 60_000
    caller = Sine(300 + seed * 20, sample_rate=8000, bit_depth=16).to_audio_segment(ms, -12.0)
    caller = caller.overlay(WhiteNoise(sample_rate=8000, bit_depth=16).to_audio_segment(ms, -24))
    advisor = WhiteNoise(sample_rate=8000, bit_depth=16).to_audio_segment(ms, -18.0)
    stereo = AudioSegment.from_mono_audiosegments(caller, advisor)
    with stereo.export(io.BytesIO(), format="wav") as out:
        return out.getvalue()


def _store(runtime: Runtime, wav: bytes, number: str, moment: datetime) -> None:
    from app.models import Call

    recording_sid, call_sid = "RE" + secrets.token_hex(16), "CA" + secrets.token_hex(16)
    data_key = DataKey.generate()
    with runtime.storage.writer(f"recordings/{recording_sid}.enc") as out:
        with data_key.encrypting_writer(out, recording_sid) as plain:
            plain.write(wav)
    with runtime.db.transaction() as session:
        session.add(Call(call_sid=call_sid, from_number=number, started_at=moment))
        session.add(
            Recording(
                recording_sid=recording_sid,
                call_sid=call_sid,
                status=RecordingStatus.STORED,
                channels=2,
                started_at=moment,
                duration_seconds=int(len(wav) / 32000),
                storage_key=out.result.key,  # type: ignore[union-attr]
                wrapped_key=runtime.master_key.wrap(data_key, recording_sid),
                master_key_id=runtime.master_key.key_id,
                ingest_attempts=1,
            )
        )


def _request(runtime: Runtime, number: str, minutes: float) -> int:
    now = datetime.now(UTC)
    new = sar.NewAccessRequest("Bench", Relationship.DATA_SUBJECT, [number], now.date())
    with runtime.db.transaction() as session:
        request = sar.register(session, new, actor="bench", now=now)
        for listed in sar.listed_recordings(session, request):
            recording = listed.recording
            length, span = minutes * 60, min(5.0, minutes * 3)
            starts = [length * f for f in (0.1, 0.3, 0.5, 0.9)]
            ranges = [sar.Redaction(s, s + span, "third party") for s in starts]
            sar.review_recording(
                session,
                request,
                recording,  # type: ignore[arg-type]
                include=True,
                redactions=ranges,
                reason=None,
                actor="bench",
                now=now,
            )
        sar.start_fulfilment(session, request, actor="bench")
        return request.id


def bare_transcode(paths: list[Path], out_dir: Path, bitrate: str) -> float:
    """ffmpeg WAV → MP3 of each file at `bitrate`, one after another; seconds."""
    began = time.perf_counter()
    for path in paths:
        command = [ffmpeg_executable(), "-hide_banner", "-loglevel", "error", "-y", "-i"]
        command += [str(path), "-codec:a", "libmp3lame", "-b:a", bitrate]
        subprocess.run([*command, str(out_dir / f"{path.stem}.mp3")], check=True)
    return time.perf_counter() - began


def bench_packaging(count: int, minutes: float) -> None:
    with tempfile.TemporaryDirectory(prefix="bench-access-") as tmp:
        root = Path(tmp)
        settings = load_settings(
            {
                "APP_ENV": "test",
                "DATABASE_URL": f"sqlite:///{root / 'bench.db'}",
                "INSTANCE_DIR": str(root / "instance"),
                "STORAGE_URL": (root / "store").as_uri(),
            }
        )
        upgrade(settings.database_url)
        runtime = Runtime(settings)
        use_runtime(runtime)
        number, paths = "+447700900123", []
        for i in range(count):
            wav = recording_wav(minutes, i)
            paths.append(root / f"{i}.wav")
            paths[-1].write_bytes(wav)
            _store(runtime, wav, number, START + timedelta(hours=i))
        request_id = _request(runtime, number, minutes)
        bare = bare_transcode(paths, root, settings.mp3_bitrate)
        began = time.perf_counter()
        package_access_request(request_id)
        job = time.perf_counter() - began
        with runtime.db.transaction() as session:
            assert session.get(AccessRequest, request_id).package_state == "ready"  # type: ignore[union-attr]
        ratio = job / bare
        print(
            f"  {count} recordings × {minutes:g} min, 4 redactions each, {settings.mp3_bitrate}:"
            f" packaging job {job:.2f} s, bare ffmpeg transcode {bare:.2f} s → {ratio:.2f}×"
            f"  target ≤ 1.5×: {'MET' if ratio <= 1.5 else 'MISSED'}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--callers", type=int, default=200_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--recordings", type=int, default=10)
    parser.add_argument("--minutes", type=float, default=10)
    args = parser.parse_args()
    print("access-request search (PostgreSQL):")
    with scratch_postgres() as url:
        upgrade(url)
        began = time.perf_counter()
        seed_calls(url, args.calls, args.callers)
        print(f"  seeded {args.calls:,} calls in {time.perf_counter() - began:.1f} s")
        bench_search(url, args.callers, args.lookups)
    print("access-request packaging:")
    bench_packaging(args.recordings, args.minutes)


if __name__ == "__main__":
    with bench_run("access"):
        main()
