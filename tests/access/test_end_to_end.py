"""Request → holds → redaction → fulfil → download → revoke → close, on both stores."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime

import pytest
from rq import SimpleWorker

from app.integrations.queue import get_queue, redis_connection
from app.models import AccessPackage, AuditEntry, LegalHold, Recording
from recordings.audio import AudioSegment, rms_between
from tests.access.support import register_request, store_recording
from tests.support.rows import one, rows
from workers.access import package_access_request

NUMBER = "07700 900123"
E164 = "+447700900123"
SUMMER_CALL = datetime(2026, 7, 10, 9, 15, tzinfo=UTC)  # 10:15 BST
AUTUMN_CALL = datetime(2026, 11, 2, 14, 0, tzinfo=UTC)  # 14:00 GMT
REDACTED = [(1.0, 2.0), (3.5, 4.5)]
EDGE = 0.05  # MP3 frames smear a boundary by a few milliseconds
SILENT, AUDIBLE = 50, 5000


def decode_mp3(data: bytes) -> AudioSegment:
    return AudioSegment.from_file(io.BytesIO(data), format="mp3", codec="mp3")


def download(client, officer, request_id: int) -> tuple[str, bytes]:  # noqa: ANN001
    link = client.get(f"/api/access-requests/{request_id}/package", headers=officer)
    assert link.status_code == 200, link.json
    token = link.json["url"].rsplit("/access/", 1)[1]
    assert link.json["url"].startswith("https://contact.example.gov.uk/access/")
    reply = client.get(f"/access/{token}")
    assert reply.status_code == 200 and reply.mimetype == "application/zip"
    return token, reply.data


@pytest.fixture
def recordings(runtime):  # noqa: ANN001, ANN201
    """Two calls from the requester's number, one from someone else."""
    mine = [
        store_recording(runtime, number=E164, started_at=SUMMER_CALL)[1],
        store_recording(runtime, number=E164, started_at=AUTUMN_CALL)[1],
    ]
    store_recording(runtime, number="+447700900999", started_at=AUTUMN_CALL)
    return mine


def test_request_to_close(client, officer, runtime, recordings):
    first, second = recordings
    request = register_request(client, officer, NUMBER)
    rid = request["id"]
    assert [r["recording_sid"] for r in request["recordings"]] == [first, second]
    holds = rows(LegalHold, LegalHold.released_at.is_(None))
    mine = {one(Recording, Recording.recording_sid == s).call_id for s in (first, second)}
    assert {h.call_id for h in holds} == mine  # the calls: their later recordings too
    assert {h.kind for h in holds} == {"access_request"} and len(holds) == 2
    assert {h.reference for h in holds} == {request["reference"]}
    assert all(r["held"] for r in request["recordings"])

    redactions = [[1.0, 2.0], {"start": 3.5, "end": 4.5, "reason": "a neighbour's name"}]
    reply = client.patch(
        f"/api/access-requests/{rid}/recordings/{first}",
        json={"include": True, "redactions": redactions, "reason": "third party details"},
        headers=officer,
    )
    assert reply.status_code == 200, reply.json
    reply = client.patch(
        f"/api/access-requests/{rid}/recordings/{second}",
        json={"include": False, "reason": "another person's call from a shared phone"},
        headers=officer,
    )
    assert reply.status_code == 200

    fulfil = client.post(f"/api/access-requests/{rid}/fulfil", headers=officer)
    assert fulfil.status_code == 202 and fulfil.json["state"] == "queued"
    get_queue(runtime.settings).empty()  # run it here instead, in-process
    package_access_request(rid)
    state = client.get(f"/api/access-requests/{rid}", headers=officer).json["package"]
    assert state | {"job_id": None} == {
        "state": "ready",
        "job_id": None,
        "recordings_done": 1,
        "recordings_total": 1,
        "error": None,
    }

    token, data = download(client, officer, rid)
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    assert names == [
        "recordings/01-call-2026-07-10-1015.mp3",
        "manifest.json",
        "manifest.txt",
        "cover-note.txt",
        "cover-letter.txt",
        "cover-letter.pdf",
    ]
    manifest = json.loads(archive.read("manifest.json"))
    (entry,) = manifest["recordings"]
    assert entry["call_started_at"] == "2026-07-10T10:15:00+01:00"
    assert entry["duration_seconds"] == pytest.approx(6.0, abs=0.01)
    assert entry["redactions"] == [
        {"start_seconds": 1.0, "end_seconds": 2.0, "reason": "third party details"},
        {"start_seconds": 3.5, "end_seconds": 4.5, "reason": "a neighbour's name"},
    ]
    readable = archive.read("manifest.txt").decode()
    assert "Silenced from 0:03.5 to 0:04.5: a neighbour's name" in readable
    assert "Call date and time: Friday 10 July 2026, 10:15 (UK time)" in readable
    note = archive.read("cover-note.txt").decode()
    assert "reference SAR-" in note and "Dear Pat Example," in note
    letter = archive.read("cover-letter.txt").decode()
    assert "We found 1 recording(s)" in letter and "Information Commissioner's Office" in letter
    assert archive.read("cover-letter.pdf").startswith(b"%PDF-")

    audio = decode_mp3(archive.read(names[0]))
    assert (audio.channels, audio.frame_rate) == (2, 8000)
    for start, end in REDACTED:
        for channel in (0, 1):
            assert rms_between(audio, start + EDGE, end - EDGE, channel) < SILENT
    for start, end in [(0.0, 1.0), (2.0, 3.5), (4.5, 6.0)]:
        for channel in (0, 1):
            assert rms_between(audio, start + EDGE, end - EDGE, channel) > AUDIBLE

    downloads = rows(AuditEntry, AuditEntry.action == "access_request.package_download")
    assert len(downloads) == 1 and downloads[0].actor == "requester (download link)"

    assert client.delete(f"/api/access-requests/{rid}/package", headers=officer).status_code == 200
    gone = client.get(f"/access/{token}")
    assert gone.status_code == 410 and "withdrawn" in gone.text

    closed = client.post(f"/api/access-requests/{rid}/close", headers=officer)
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert rows(LegalHold, LegalHold.released_at.is_(None)) == []
    package = one(AccessPackage)
    assert package.wrapped_key is None and package.deleted_at is not None
    assert not runtime.storage.exists(package.storage_key)

    log = rows(AuditEntry)
    assert "7700900123" not in json.dumps([e.details for e in log])
    actions = {e.action for e in log}
    assert {"access_request.register", "access_request.review", "access_request.fulfil"} <= actions
    assert {"access_request.package_ready", "access_request.link_issued"} <= actions
    assert {"access_request.link_revoked", "access_request.close", "hold.release"} <= actions


def test_fulfil_through_a_real_rq_worker(client, officer, runtime, recordings, settings):
    rid = register_request(client, officer, NUMBER)["id"]
    queue = get_queue(settings)
    queue.empty()
    fulfil = client.post(f"/api/access-requests/{rid}/fulfil", headers=officer)
    assert fulfil.status_code == 202
    assert queue.job_ids == [fulfil.json["job_id"]]
    worker = SimpleWorker([queue], connection=redis_connection(settings))
    assert worker.work(burst=True)
    assert queue.fetch_job(fulfil.json["job_id"]).is_finished
    detail = client.get(f"/api/access-requests/{rid}", headers=officer).json
    assert detail["package"]["state"] == "ready" and detail["package"]["recordings_done"] == 2
    _, data = download(client, officer, rid)
    assert (
        len(json.loads(zipfile.ZipFile(io.BytesIO(data)).read("manifest.json"))["recordings"]) == 2
    )
