"""Ingest end to end (SPEC §6): callback → job → encrypted object → Twilio's copy deleted.

Every test runs against the local store and moto's S3 server over HTTP, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from rq import SimpleWorker

from app.integrations.queue import get_queue, redis_connection
from app.models import AuditEntry, Call, Recording
from recordings.crypto import DecryptionError
from recordings.retention import delete_after
from recordings.storage import StorageError
from tests.conftest import CALL_SID, pcm_wav
from tests.support.rows import count, one, rows
from workers.ingest import ingest_recording, reconcile_recordings

REASON = "?reason=complaint+ref+C-1234"


@pytest.fixture
def recording_store(storage):  # noqa: ANN001, ANN201
    """Both backends: the local store and S3 (moto) over HTTP."""
    return storage


def stored_bytes(runtime, key: str) -> bytes:  # noqa: ANN001
    with runtime.storage.open(key) as source:
        return source.read()


def decrypt(runtime, row: Recording, ciphertext: bytes, recording_id: str | None = None) -> bytes:  # noqa: ANN001
    data_key = runtime.master_key.unwrap(row.wrapped_key, row.recording_sid)
    with data_key.decrypting_reader(io.BytesIO(ciphertext), recording_id or row.recording_sid) as r:
        return r.read()


def test_stored_verified_then_twilio_copy_deleted_and_audio_served_byte_for_byte(
    runtime, app_twilio, announce_recording, client, staff_headers, monkeypatch
):
    audio = pcm_wav(3.0)
    sid = announce_recording(audio)
    checked_at: list[int] = []
    verify = runtime.storage.verify

    def verify_and_note(*args):  # noqa: ANN002, ANN202
        verify(*args)
        checked_at.append(len(app_twilio.requests))

    monkeypatch.setattr(runtime.storage, "verify", verify_and_note)
    assert ingest_recording(one(Recording).id) == "stored"

    (delete,) = app_twilio.find_requests("DELETE", sid)
    (media,) = app_twilio.find_requests("GET", rf"{sid}\.wav$")
    assert media.seq < checked_at[0] <= delete.seq  # DELETE only after the object verified
    assert sid in app_twilio.deleted_recordings
    row = one(Recording)
    assert (row.status, row.size_bytes, row.ingest_attempts) == (
        "stored",
        len(stored_bytes(runtime, row.storage_key)),
        0,
    )
    assert row.storage_key == f"recordings/2026/11/{sid}.enc"
    assert row.twilio_deleted_at is not None and row.master_key_id == runtime.master_key.key_id
    assert row.delete_after == delete_after(datetime(2026, 11, 23, 10, tzinfo=UTC), 6)
    reply = client.get(f"/api/recordings/{sid}/audio{REASON}", headers=staff_headers("supervisor"))
    assert reply.status_code == 200 and reply.mimetype == "audio/wav"
    assert reply.headers["Content-Disposition"].startswith("attachment")
    assert reply.get_data() == audio


def test_stored_bytes_hide_the_audio_and_tampering_fails_loudly(runtime, announce_recording):
    audio = pcm_wav(3.0)
    announce_recording(audio)
    ingest_recording(one(Recording).id)
    row = one(Recording)
    ciphertext = stored_bytes(runtime, row.storage_key)
    assert b"RIFF" not in ciphertext and b"WAVE" not in ciphertext and b"fmt " not in ciphertext
    pcm = audio[44:]
    assert not any(pcm[i : i + 16] in ciphertext for i in range(0, len(pcm) - 16, 997))
    assert decrypt(runtime, row, ciphertext) == audio
    tampered = bytearray(ciphertext)
    tampered[len(tampered) // 2] ^= 0x01
    with pytest.raises(DecryptionError):
        decrypt(runtime, row, bytes(tampered))
    with pytest.raises(DecryptionError):
        decrypt(runtime, row, ciphertext, recording_id="RE" + "0" * 32)
    with pytest.raises(DecryptionError):
        runtime.master_key.unwrap(row.wrapped_key, "RE" + "0" * 32)


class FailingWriter:
    """Passes the first write to the store's writer, then fails as a broken store would."""

    def __init__(self, inner) -> None:  # noqa: ANN001
        self.inner, self.writes = inner, 0

    def __enter__(self):  # noqa: ANN204
        return self

    def __exit__(self, *exc_info) -> None:  # noqa: ANN002
        self.inner.__exit__(*exc_info)

    def write(self, data) -> int:  # noqa: ANN001
        self.writes += 1
        if self.writes > 1:
            raise StorageError("S3 upload_part failed: InternalError")
        return self.inner.write(data)


def test_store_failing_mid_upload_keeps_twilios_copy_and_the_retry_stores_it(
    runtime, app_twilio, announce_recording, monkeypatch
):
    sid = announce_recording(pcm_wav(40.0))
    writer = runtime.storage.writer
    monkeypatch.setattr(runtime.storage, "writer", lambda key: FailingWriter(writer(key)))
    with pytest.raises(StorageError):
        ingest_recording(one(Recording).id)
    row = one(Recording)
    assert (row.status, row.ingest_attempts) == ("pending", 1)
    assert "StorageError" in row.last_error
    assert not runtime.storage.exists(f"recordings/2026/11/{sid}.enc")
    assert app_twilio.find_requests("DELETE") == [] and sid in app_twilio.recordings
    monkeypatch.undo()
    assert ingest_recording(row.id) == "stored"
    assert one(Recording).last_error is None and app_twilio.find_requests("DELETE", sid)


def test_duplicate_callbacks_make_one_row_one_job_and_one_object(
    runtime, app_twilio, twilio_post, announce_recording
):
    sid = announce_recording()
    form = {
        "RecordingSid": sid,
        "RecordingStatus": "completed",
        "CallSid": CALL_SID,
        "AccountSid": runtime.settings.twilio_account_sid,
    }
    twilio_post("/twilio/recording-status", **form)
    assert count(Recording) == 1 and get_queue(runtime.settings).count == 1
    SimpleWorker([get_queue(runtime.settings)], connection=redis_connection(runtime.settings)).work(
        burst=True
    )
    recording_id = one(Recording).id
    assert ingest_recording(recording_id) == "stored"  # a second run changes nothing
    twilio_post("/twilio/recording-status", **form)  # a completed after stored changes nothing
    assert one(Recording).status == "stored"
    assert len(app_twilio.find_requests("GET", rf"{sid}\.wav$")) == 1
    assert len(app_twilio.find_requests("DELETE", sid)) == 1


def test_opted_out_call_is_discarded_and_deleted_at_twilio(
    runtime, app_twilio, announce_recording, twilio_post
):
    twilio_post("/twilio/notice", CallSid=CALL_SID, Digits="*")
    sid = announce_recording()
    assert ingest_recording(one(Recording).id) == "discarded"
    row = one(Recording)
    assert (row.status, row.storage_key, row.wrapped_key) == ("discarded", None, None)
    assert row.twilio_deleted_at is not None and sid in app_twilio.deleted_recordings
    assert app_twilio.find_requests("GET", rf"{sid}\.wav$") == []
    assert not runtime.storage.exists(f"recordings/2026/11/{sid}.enc")
    assert [e.action for e in rows(AuditEntry)][-1] == "recording.discard"
    assert one(Call).recording_opted_out


def test_through_a_real_rq_worker_a_failed_run_is_retried_by_rq(
    runtime, app_twilio, announce_recording, monkeypatch
):
    sid = announce_recording()
    queue = get_queue(runtime.settings)
    (job,) = queue.get_jobs()
    assert job.id == f"ingest-{sid}"
    app_twilio.fail_next("GET", rf"{sid}\.wav$", status=500)
    worker = SimpleWorker([queue], connection=redis_connection(runtime.settings))
    worker.work(burst=True)
    job.refresh()
    assert job.get_status() == "scheduled" and job.retries_left == 4  # RQ retries with backoff
    assert one(Recording).ingest_attempts == 1 and sid in app_twilio.recordings
    reconcile_recordings(stale_minutes=0)  # the sweep does not wait for RQ's backoff
    worker.work(burst=True)
    assert one(Recording).status == "stored" and sid in app_twilio.deleted_recordings
