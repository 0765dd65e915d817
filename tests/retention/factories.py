"""Rows and objects for retention tests: calls, stored recordings (with objects), staff tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from app.models import Call, Recording, RecordingStatus
from recordings.storage import Storage
from tests.support.sids import new_sid

T0 = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)  # "now" in most retention tests
NUMBER = "+447700900123"


def add_call(
    session: Session, *, number: str | None = NUMBER, started_at: datetime = T0, **fields: object
) -> Call:
    """A finished call from `number`."""
    call = Call(
        call_sid=new_sid("CA"),
        from_number=number,
        to_number="+441744676767",
        started_at=started_at,
        ended_at=started_at + timedelta(minutes=5),
        outcome="answered",
        **fields,
    )
    session.add(call)
    session.flush()
    return call


def put_object(store: Storage, key: str) -> None:
    """A small opaque object, as ingest would leave it (contents do not matter here)."""
    with store.writer(key) as out:
        out.write(b"encrypted-" + key.encode())


def add_recording(
    session: Session,
    store: Storage,
    call: Call,
    *,
    delete_after: datetime,
    status: str = RecordingStatus.STORED,
    twilio_deleted: bool = True,
    sid: str | None = None,
) -> Recording:
    """A stored recording of `call` with its object in `store` and a wrapped key."""
    sid = sid or new_sid("RE")
    key = f"recordings/{sid}.wav.enc"
    if status == RecordingStatus.STORED:
        put_object(store, key)
    recording = Recording(
        recording_sid=sid,
        call_id=call.id,
        call_sid=call.call_sid,
        status=status,
        started_at=call.started_at,
        storage_key=key if status == RecordingStatus.STORED else None,
        wrapped_key=b"wrapped-data-key" if status == RecordingStatus.STORED else None,
        master_key_id="k1",
        delete_after=delete_after,
        stored_at=call.started_at,
        twilio_deleted_at=call.started_at if twilio_deleted else None,
    )
    session.add(recording)
    session.flush()
    return recording
