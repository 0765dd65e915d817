"""Recordings stored the way ingest stores them, and the requests made of them."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Call, Recording, RecordingStatus
from app.runtime import Runtime
from recordings.audio import AudioSegment
from recordings.storage import LocalStorage, Storage
from recordings.vault import put_encrypted
from tests.support.sids import new_sid as sid

PACKAGE_PREFIX = "access-packages/"
ACCESS_REQUESTS = "/api/access-requests"
FRAME_RATE = 8000
CALLER_HZ, ADVISOR_HZ = 440, 620


def tone(frequency: float, seconds: float) -> AudioSegment:
    """A -6 dBFS sine, 8 kHz 16-bit mono."""
    from pydub.generators import Sine

    generator = Sine(frequency, sample_rate=FRAME_RATE, bit_depth=16)
    return generator.to_audio_segment(duration=seconds * 1000, volume=-6.0)


def call_audio(seconds: float) -> bytes:
    """A two-channel WAV like Twilio's dual recordings: caller left, advisor right."""
    stereo = AudioSegment.from_mono_audiosegments(
        tone(CALLER_HZ, seconds), tone(ADVISOR_HZ, seconds)
    )
    out = io.BytesIO()
    with stereo.export(out, format="wav") as exported:  # export() returns `out` itself
        return exported.getvalue()


def store_recording(
    runtime: Runtime,
    *,
    number: str | None,
    started_at: datetime,
    seconds: int = 6,
    wav: bytes | None = None,
    call_sid: str | None = None,
) -> tuple[str, str]:
    """A call from `number` and its stored, encrypted recording; returns (CallSid, RecordingSid).

    With `call_sid`, the recording is of that existing call instead (one we learn of late).
    """
    existing, call_sid, recording_sid = call_sid, call_sid or sid("CA"), sid("RE")
    key = f"recordings/{started_at:%Y}/{started_at:%m}/{recording_sid}.enc"
    audio = wav if wav is not None else call_audio(seconds)
    encrypted = put_encrypted(runtime.storage, runtime.master_key, key, recording_sid, [audio])
    stored = encrypted.stored
    with db.transaction() as session:
        if existing is None:
            call = add_call(session, number, started_at, seconds=seconds + 30, call_sid=call_sid)
        else:
            call = session.scalars(select(Call).where(Call.call_sid == existing)).one()
        session.add(
            Recording(
                recording_sid=recording_sid,
                call_id=call.id,
                call_sid=call_sid,
                status=RecordingStatus.STORED,
                channels=2,
                started_at=started_at + timedelta(seconds=20),
                duration_seconds=seconds,
                storage_key=stored.key,
                size_bytes=stored.size,
                sha256=stored.digest,
                wrapped_key=encrypted.wrapped_key,
                master_key_id=runtime.master_key.key_id,
                delete_after=started_at + timedelta(days=183),
                stored_at=started_at + timedelta(minutes=1),
                ingest_attempts=1,
            )
        )
    return call_sid, recording_sid


def add_call(
    session: Session,
    number: str | None,
    started_at: datetime,
    seconds: int = 60,
    call_sid: str | None = None,
) -> Call:
    """A finished call from `number`, without any recording yet."""
    call = Call(
        call_sid=call_sid or sid("CA"),
        from_number=number,
        started_at=started_at,
        ended_at=started_at + timedelta(seconds=seconds),
        duration_seconds=seconds,
        outcome="answered",
    )
    session.add(call)
    session.flush()
    return call


def call_from(number: str | None, started_at: datetime) -> str:
    """`add_call` in its own transaction; returns the CallSid."""
    with db.transaction() as session:
        return add_call(session, number, started_at).call_sid


def register_request(client, officer, number: str, **changes: object) -> dict:  # noqa: ANN001
    """A data subject's request for the calls of `number`, registered through the API."""
    body = {"requester_name": "Pat Example", "relationship": "data_subject"}
    reply = client.post(
        ACCESS_REQUESTS, json={**body, "phone_numbers": [number], **changes}, headers=officer
    )
    assert reply.status_code == 201, reply.json
    return reply.json  # type: ignore[no-any-return]


def package_objects(store: Storage) -> list[str]:
    """Keys of the package objects anyone could open (not temporary files or open uploads)."""
    if isinstance(store, LocalStorage):
        folder = store.root / PACKAGE_PREFIX
        found = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]
        return sorted(str(p.relative_to(store.root)) for p in found)
    from tests.fixtures.s3 import s3_client

    listed = s3_client(store.client.meta.endpoint_url).list_objects_v2(
        Bucket=store.bucket, Prefix=f"{store.prefix}/{PACKAGE_PREFIX}"
    )
    return sorted(
        item["Key"].removeprefix(f"{store.prefix}/") for item in listed.get("Contents", [])
    )


def store_unrecorded_package(store: Storage, request_id: int, job_id: str) -> str:
    """What a job killed after storing its package, before recording it, leaves behind."""
    key = f"{PACKAGE_PREFIX}{request_id}/{job_id}.zip.enc"
    with store.writer(key) as out:
        out.write(b"ciphertext whose data key was never saved")
    return key
