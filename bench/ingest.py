"""Recording ingest against a plain copy of the same bytes (SPEC §11).

20 recordings of 10 MB and one of 500 MB go from the fake Twilio REST API (real HTTP, media
streamed from files) into a moto S3 server, once through `ingest_recording` (fetch, encrypt,
store, verify, DB writes, Twilio DELETE) and once as a plain copy (streamed GET from the same
fake, boto3 `upload_fileobj` to the same S3). The 500 MB ones run in child processes, which
report their peak RSS (VmHWM) above what they held before the transfer.

    .venv/bin/python bench/ingest.py [--small-mb 10] [--count 20] [--large-mb 500]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import wave
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import bench_run  # noqa: E402
from tests.fixtures.s3 import REGION, s3_env  # noqa: E402

ACCOUNT_SID = "AC" + "b" * 32
AUTH_TOKEN = "bench-token"  # noqa: S105
BUCKET = "bench"
MiB = 1024 * 1024


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_wav(path: Path, size: int) -> None:
    """A stereo 8 kHz 16-bit WAV of about `size` bytes of random PCM, written in chunks."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(8000)
        left = size - 44
        while left > 0:
            block = min(left, 4 * MiB) // 4 * 4
            out.writeframes(os.urandom(block))
            left -= block
            if block == 0:
                break


def vm_hwm_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def environment(work: Path, s3_url: str, twilio_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "APP_ENV": "bench",
        "INSTANCE_DIR": str(work / "instance"),
        "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        **s3_env(s3_url, BUCKET),
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_API_BASE_URL": twilio_url,
    }


# --- the two ways of moving a recording ----------------------------------------------------


def plain_copy(sid: str) -> None:
    """GET the media from the fake Twilio and stream it into S3 with boto3, nothing else."""
    import requests

    from config.settings import load_settings
    from recordings.storage import make_s3_client

    settings = load_settings()
    client = make_s3_client(REGION, settings.s3_endpoint_url)
    url = f"{settings.twilio_api_base_url}/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}.wav"
    with requests.get(url, auth=(ACCOUNT_SID, AUTH_TOKEN), stream=True, timeout=60) as response:
        response.raise_for_status()
        response.raw.decode_content = True
        client.upload_fileobj(response.raw, BUCKET, f"plain/{sid}.wav")


def ingest(recording_id: int) -> None:
    from workers.ingest import ingest_recording

    result = ingest_recording(recording_id)
    if result != "stored":
        raise RuntimeError(f"ingest of {recording_id}: {result}")


def child(mode: str, arg: str) -> None:
    """Run one transfer in this fresh process and print its time and peak RSS increase."""
    import requests  # noqa: F401  (imports done before the baseline reading)

    import workers.ingest  # noqa: F401
    from app.runtime import current

    runtime = current()
    runtime.storage, runtime.master_key, runtime.twilio  # noqa: B018  (built before measuring)
    before = vm_hwm_kib()
    started = time.perf_counter()
    plain_copy(arg) if mode == "plain" else ingest(int(arg))
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "rss_increase_kib": vm_hwm_kib() - before}))


# --- set-up ------------------------------------------------------------------------------------


def seed_rows(sids: list[str], call_sid: str) -> dict[str, int]:
    """Pending, completed recordings as the callback leaves them; returns their ids by SID."""
    from app.db import upgrade
    from app.models import Call, Recording
    from app.runtime import current

    runtime = current()
    upgrade(runtime.settings.database_url)
    started = datetime(2026, 11, 23, 10, tzinfo=UTC)
    with runtime.db.transaction() as session:
        call = Call(call_sid=call_sid, started_at=started, recording_opted_out=False)
        session.add(call)
        session.flush()
        rows = [
            Recording(
                recording_sid=sid,
                call_id=call.id,
                call_sid=call_sid,
                status="pending",
                twilio_status="completed",
                started_at=started,
                ingest_attempts=0,
            )
            for sid in sids
        ]
        session.add_all(rows)
        session.flush()
        return {row.recording_sid: row.id for row in rows}


def run_child(env: dict[str, str], mode: str, arg: str) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603
        [sys.executable, __file__, "--child", mode, arg],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--small-mb", type=int, default=10)
    parser.add_argument("--large-mb", type=int, default=500)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "ARG"))
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as scratch:
        work = Path(scratch)
        port = free_port()
        moto = subprocess.Popen(  # noqa: S603
            [
                str(Path(sys.executable).with_name("moto_server")),
                "-H",
                "127.0.0.1",
                "-p",
                str(port),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            bench(work, f"http://127.0.0.1:{port}", args)
        finally:
            moto.terminate()
            moto.wait(10)


def bench(work: Path, s3_url: str, args: argparse.Namespace) -> None:
    from tests.fakes.twilio_api import FakeTwilio

    print(f"writing {args.count} x {args.small_mb} MB and 1 x {args.large_mb} MB WAV files ...")
    small = []
    for n in range(args.count):
        write_wav(work / f"small{n}.wav", args.small_mb * 1000 * 1000)
        small.append(work / f"small{n}.wav")
    large = work / "large.wav"
    write_wav(large, args.large_mb * 1000 * 1000)
    with FakeTwilio(ACCOUNT_SID, AUTH_TOKEN) as fake:
        env = environment(work, s3_url, fake.base_url)
        os.environ.update(env)
        _wait_for(s3_url)
        from recordings.storage import make_s3_client

        make_s3_client(REGION, s3_url).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        call_sid = "CA" + "d" * 32
        sids = [fake.add_recording(call_sid=call_sid, audio_path=p) for p in small]
        big = fake.add_recording(call_sid=call_sid, audio_path=large)
        ids = seed_rows([*sids, big], call_sid)
        from app.runtime import current

        current().storage, current().master_key  # noqa: B018  (warm: not part of the timing)
        plain_copy(sids[0])  # warm both paths' connections and imports
        plain_s = ingest_s = 0.0
        for sid in sids:  # interleaved, so drift in the machine hits both alike
            started = time.perf_counter()
            plain_copy(sid)
            plain_s += time.perf_counter() - started
            started = time.perf_counter()
            ingest(ids[sid])
            ingest_s += time.perf_counter() - started
        total = args.count * args.small_mb
        print(
            f"{args.count} x {args.small_mb} MB: plain copy {plain_s:.2f} s "
            f"({total / plain_s:.0f} MB/s), ingest {ingest_s:.2f} s ({total / ingest_s:.0f} MB/s),"
            f" ratio {ingest_s / plain_s:.2f} (target <= 1.25)"
        )
        plain = run_child(env, "plain", big)
        ours = run_child(env, "ingest", str(ids[big]))
        print(
            f"1 x {args.large_mb} MB: plain copy {plain['seconds']:.2f} s, ingest "
            f"{ours['seconds']:.2f} s, ratio {ours['seconds'] / plain['seconds']:.2f} "
            f"(target <= 1.25)"
        )
        print(
            f"peak RSS increase, {args.large_mb} MB recording: ingest "
            f"{ours['rss_increase_kib'] / 1024:.1f} MB (target < 64 MB); plain copy "
            f"{plain['rss_increase_kib'] / 1024:.1f} MB"
        )


def _wait_for(url: str) -> None:
    import requests

    for _ in range(200):
        try:
            requests.get(url, timeout=1).close()
            return
        except requests.ConnectionError:
            time.sleep(0.1)
    raise RuntimeError(f"moto_server did not start at {url}")


if __name__ == "__main__":
    with bench_run("ingest"):
        main()
