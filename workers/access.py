"""Packaging a subject access request (SPEC §8): decrypt, redact, MP3, ZIP, store encrypted.

The job takes the request id. Progress is written to the request as it goes (`running`, the
recordings done), and it ends `ready` with a new package, or `failed` with the reason. The ZIP
holds one MP3 per included recording (both channels, explicit bitrate), `manifest.json`, a
readable `manifest.txt` and a plain-language `cover-note.txt`. It is encrypted like a
recording: a fresh data key, wrapped by the master key, with the package id as associated data.

What it packages is the request's review list as the job starts (`listed_recordings`): a
recording of one of its calls that reached us after the officer asked for the package is in it.
If an included recording is not stored yet, the job fails and says which one, rather than leave
it out; RQ's retry (or fulfilling again) packages it once stored.

The object goes under `access-packages/<request id>/<job id>.zip.enc`, a key the request names
before the job runs: a retry of a job killed after storing overwrites its own object, and
whatever settles a job without recording its package (its failure here, the reconcile sweep,
closing the request) deletes the object under that key. A request is marked failed only once
that object is gone, so fulfilling again never leaves an unreferenced package behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain import audit
from app.domain.access_requests import (
    PACKAGE_JOB,
    PACKAGE_PREFIX,
    ListedRecording,
    current_package,
    delete_objects,
    job_package_key,
    listed_recordings,
    package_key,
    shred_package,
)
from app.domain.cover_letters import cover_letter
from app.integrations.queue import enqueue, get_queue, redis_connection
from app.models import (
    AccessPackage,
    AccessRequest,
    PackageState,
    RecordingStatus,
    RequestStatus,
    utcnow,
)
from app.runtime import Runtime, current
from recordings.audio import load_wav, redact, to_mp3
from recordings.cover_letter import Letter, letter_pdf, letter_text
from recordings.crypto import DataKey
from recordings.retention import LONDON
from recordings.subject_access import london_today

__all__ = [
    "PACKAGE_PREFIX",
    "RecordingsNotStored",
    "package_access_request",
    "package_key",
    "reconcile_access_packages",
    "write_package_zip",
]

log = logging.getLogger(__name__)
ACTOR = "system (access packaging job)"
RECONCILE_ACTOR = "system (access packaging reconcile)"
LOST_JOB_REASON = "the packaging job was lost: its worker was killed or the job stopped"
CHUNK = 1024 * 1024
# FAILED too: RQ retries a job that failed; READY means a rerun of a finished job.
STARTABLE_STATES = (PackageState.QUEUED, PackageState.RUNNING, PackageState.FAILED)


class RecordingsNotStored(RuntimeError):
    """Included recordings are not stored (yet): the package would leave them out."""


@dataclass(frozen=True)
class Item:
    """One recording to package, read from the database before any slow work."""

    recording_sid: str
    storage_key: str
    wrapped_key: bytes
    call_started_at: datetime | None
    started_at: datetime | None
    redactions: list[dict[str, Any]]
    reason: str | None


@dataclass(frozen=True)
class Plan:
    """What the job needs to know about the request."""

    request_id: int
    job_id: str
    reference: str
    requester_name: str
    received_on: date
    due_on: date | None
    items: list[Item] = field(default_factory=list)
    unstored: list[str] = field(default_factory=list)  # included, but not stored: RecordingSids
    letter: Letter | None = None  # the cover letter with the ICO's supplementary information

    @property
    def storage_key(self) -> str:
        """Where this job stores the package, on every run."""
        return package_key(self.request_id, self.job_id)


def package_access_request(request_id: int) -> str:
    """Build, encrypt and store the request's package; the request shows progress and result."""
    runtime = current()
    plan = _start(runtime, request_id)
    if plan is None:
        return "nothing to do"
    try:
        if plan.unstored:
            raise RecordingsNotStored(
                "included recordings are not stored yet (wait for them, or exclude them, and "
                f"fulfil again): {', '.join(plan.unstored)}"
            )
        with tempfile.TemporaryDirectory(prefix="sar-") as workdir:
            zip_path = Path(workdir) / "package.zip"
            progress = _Progress(runtime, request_id)
            write_package_zip(runtime, plan, zip_path, workdir=Path(workdir), on_item=progress)
            package_id = _store(runtime, plan, zip_path)
    except Exception as exc:  # recorded on the request for the officer, then re-raised for RQ
        _fail(runtime, plan, exc)
        raise
    return f"package {package_id} ready" if package_id else "the request moved on: nothing kept"


def _start(runtime: Runtime, request_id: int) -> Plan | None:
    """Mark the request running and read what to package."""
    with runtime.db.transaction() as session:
        request = session.get(AccessRequest, request_id, with_for_update=True)
        if request is None or request.status != RequestStatus.OPEN or not _ours(request):
            return None
        if request.package_state not in STARTABLE_STATES:
            return None
        request.package_state, request.package_progress = PackageState.RUNNING, 0
        included = [listed for listed in listed_recordings(session, request) if listed.include]
        items = [_item(listed) for listed in included if _stored(listed)]
        unstored = [listed.recording.recording_sid for listed in included if not _stored(listed)]
        request.package_total = len(included)
        assert request.package_job_id is not None  # _ours
        return Plan(
            request.id,
            request.package_job_id,
            request.reference,
            request.requester_name,
            request.received_on,
            request.due_on,
            items,
            unstored,
            cover_letter(session, request, london_today(runtime.now())),
        )


def _ours(request: AccessRequest) -> bool:
    """Whether the request waits on this job (not one it replaced that RQ retries late)."""
    job = get_current_job()
    return request.package_job_id is not None and (job is None or job.id == request.package_job_id)


def _still_packaging(request: AccessRequest | None, plan: Plan) -> bool:
    """Whether the request still waits on this run: not closed, replaced or failed meanwhile."""
    return (
        request is not None
        and request.status == RequestStatus.OPEN
        and request.package_job_id == plan.job_id
        and request.package_state == PackageState.RUNNING
    )


def _stored(listed: ListedRecording) -> bool:
    recording = listed.recording
    return (
        recording.status == RecordingStatus.STORED
        and recording.storage_key is not None
        and recording.wrapped_key is not None
    )


def _item(listed: ListedRecording) -> Item:
    recording = listed.recording
    assert recording.storage_key is not None and recording.wrapped_key is not None  # _stored
    return Item(
        recording_sid=recording.recording_sid,
        storage_key=recording.storage_key,
        wrapped_key=recording.wrapped_key,
        call_started_at=listed.call_started_at,
        started_at=recording.started_at,
        redactions=listed.redactions,
        reason=listed.reason,
    )


class _Progress:
    """Writes 'n recordings done' to the request after each one."""

    def __init__(self, runtime: Runtime, request_id: int) -> None:
        self.runtime, self.request_id, self.done = runtime, request_id, 0

    def __call__(self) -> None:
        self.done += 1
        with self.runtime.db.transaction() as session:
            session.execute(
                update(AccessRequest)
                .where(AccessRequest.id == self.request_id)
                .values(package_progress=self.done)
            )


def write_package_zip(
    runtime: Runtime, plan: Plan, destination: Path, *, workdir: Path, on_item: Any = None
) -> None:
    """Write the ZIP: MP3s (stored, already compressed), manifests and cover note."""
    entries = []
    with zipfile.ZipFile(destination, "w") as archive:
        for number, item in enumerate(plan.items, start=1):
            mp3 = workdir / f"{number}.mp3"
            duration = _redacted_mp3(runtime, item, workdir, mp3)
            name = _file_name(number, item)
            archive.write(mp3, name, compress_type=zipfile.ZIP_STORED)
            mp3.unlink()
            entries.append(_manifest_entry(name, item, duration, runtime.settings.mp3_bitrate))
            if on_item is not None:
                on_item()
        manifest = _manifest(plan, entries, runtime.now())
        text = dict(compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("manifest.json", json.dumps(manifest, indent=2), **text)  # type: ignore[arg-type]
        archive.writestr("manifest.txt", _readable_manifest(manifest), **text)  # type: ignore[arg-type]
        archive.writestr("cover-note.txt", _cover_note(plan, manifest), **text)  # type: ignore[arg-type]
        if plan.letter is not None:
            prepared_on = datetime.fromisoformat(manifest["prepared_at"]).date()
            letter = replace(plan.letter, dated=prepared_on, recordings=len(entries))
            archive.writestr("cover-letter.txt", letter_text(letter), **text)  # type: ignore[arg-type]
            archive.writestr("cover-letter.pdf", letter_pdf(letter), **text)  # type: ignore[arg-type]


def _redacted_mp3(runtime: Runtime, item: Item, workdir: Path, destination: Path) -> float:
    """Decrypt the recording to a temporary file, silence its ranges, write MP3; its length."""
    wav = workdir / "recording.wav"
    data_key = runtime.master_key.unwrap(item.wrapped_key, item.recording_sid)
    source = runtime.storage.open(item.storage_key)
    try:
        with data_key.decrypting_reader(source, item.recording_sid) as plain, wav.open("wb") as out:
            shutil.copyfileobj(plain, out, CHUNK)
    finally:
        source.close()
    with wav.open("rb") as handle:
        segment = load_wav(handle)
    wav.unlink()
    length = segment.duration_seconds
    # The row's duration is whole seconds; never ask to silence past the end of the audio.
    ranges = [(r["start"], min(r["end"], length)) for r in item.redactions if r["start"] < length]
    with destination.open("wb") as out:
        to_mp3(redact(segment, ranges), out, bitrate=runtime.settings.mp3_bitrate)
    return length


def _london(moment: datetime | None) -> str | None:
    return moment.astimezone(LONDON).isoformat() if moment else None


def _file_name(number: int, item: Item) -> str:
    moment = (item.call_started_at or item.started_at or utcnow()).astimezone(LONDON)
    return f"recordings/{number:02d}-call-{moment:%Y-%m-%d-%H%M}.mp3"


def _manifest_entry(name: str, item: Item, duration: float, bitrate: str) -> dict[str, Any]:
    return {
        "file": name,
        "recording_sid": item.recording_sid,
        "call_started_at": _london(item.call_started_at),
        "recording_started_at": _london(item.started_at),
        "duration_seconds": round(duration, 2),
        "format": {"codec": "mp3", "bitrate": bitrate, "channels": 2},
        "channels": {"1": "caller", "2": "council advisor"},
        "redactions": [
            {
                "start_seconds": r["start"],
                "end_seconds": r["end"],
                "reason": r.get("reason") or item.reason or "information about other people",
            }
            for r in item.redactions
        ],
    }


def _manifest(plan: Plan, entries: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    return {
        "reference": plan.reference,
        "received_on": plan.received_on.isoformat(),
        "prepared_at": now.astimezone(LONDON).isoformat(timespec="seconds"),
        "time_zone": "Europe/London",
        "recordings": entries,
    }


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}.{int(round((seconds - whole) * 10)) % 10}"


def _spoken_date(day: date) -> str:
    """A date as a letter gives it: 'Friday 10 July 2026'."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def _spoken_time(london_iso: str | None) -> str:
    """A London time from the manifest as a person reads it: 'Friday 10 July 2026, 10:15'."""
    if london_iso is None:
        return "not known"
    moment = datetime.fromisoformat(london_iso)
    return f"{_spoken_date(moment.date())}, {moment:%H:%M}"


def _readable_manifest(manifest: dict[str, Any]) -> str:
    lines = [f"Recordings provided for request {manifest['reference']}", ""]
    for entry in manifest["recordings"]:
        when = entry["call_started_at"] or entry["recording_started_at"]
        lines += [
            entry["file"],
            f"  Call date and time: {_spoken_time(when)} (UK time)",
            f"  Length: {_clock(entry['duration_seconds'])} (minutes:seconds)",
        ]
        for r in entry["redactions"]:
            span = f"{_clock(r['start_seconds'])} to {_clock(r['end_seconds'])}"
            lines.append(f"  Silenced from {span}: {r['reason']}")
        if not entry["redactions"]:
            lines.append("  Nothing was silenced.")
        lines.append("")
    if not manifest["recordings"]:
        lines.append("We found no recordings to provide.")
    return "\n".join(lines) + "\n"


def _cover_note(plan: Plan, manifest: dict[str, Any]) -> str:
    """The letter to the requester, dated as the manifest (one reading of the clock)."""
    entries = manifest["recordings"]
    count = len(entries)
    silenced = sum(1 for e in entries if e["redactions"])
    found = (
        f"We found {count} recording{'s' if count != 1 else ''} of your calls to Contact Cares."
        if count
        else "We searched our call recordings and found none to provide for your request."
    )
    parts = [
        _spoken_date(datetime.fromisoformat(manifest["prepared_at"]).date()),
        "",
        f"Your request for copies of your call recordings (reference {plan.reference})",
        "",
        f"Dear {plan.requester_name},",
        "",
        f"{found} They are in the 'recordings' folder as MP3 audio files, which play on "
        "most phones and computers. The file 'manifest.txt' lists the date, time and length "
        "of each call.",
        "",
        "Each recording has two channels: you (the caller) and the council advisor.",
    ]
    if silenced:
        parts += [
            "",
            f"In {silenced} recording{'s' if silenced != 1 else ''} we have replaced short "
            "parts with silence because they contain information about other people, which we "
            "must protect. The manifest says where and why.",
        ]
    parts += [
        "",
        "We keep call recordings for six months and then delete them. If you think something "
        "is missing, or you are unhappy with how we handled your request, please contact the "
        "council's Data Protection Officer quoting the reference above. You can also complain "
        "to the Information Commissioner's Office (ico.org.uk, 0303 123 1113).",
        "",
        "This download link expires and can be used only by you: please do not share it.",
        "",
        "St Helens Council, Contact Cares",
    ]
    return "\n".join(parts) + "\n"


def _store(runtime: Runtime, plan: Plan, zip_path: Path) -> str | None:
    """Encrypt the ZIP into the store, verify it, then record the package as ready.

    Returns the package id; None when the request moved on meanwhile (closed, replaced, failed
    by the reconcile sweep), in which case the object is deleted and nothing recorded.
    """
    package_id = uuid4().hex
    data_key = DataKey.generate()
    size, digest = _encrypt_into_store(runtime, data_key, package_id, plan, zip_path)
    package = AccessPackage(
        id=package_id,
        access_request_id=plan.request_id,
        storage_key=plan.storage_key,
        wrapped_key=runtime.master_key.wrap(data_key, package_id),
        master_key_id=runtime.master_key.key_id,
        size_bytes=size,
        sha256=digest,
        recording_count=len(plan.items),
        downloads=0,
        created_at=runtime.now(),
    )
    with runtime.db.transaction() as session:
        request = session.get(AccessRequest, plan.request_id, with_for_update=True)
        if _still_packaging(request, plan):
            assert request is not None
            stale_keys = _record(session, request, package)
        else:
            stale_keys, package_id = [plan.storage_key], None
    delete_objects(runtime.storage, stale_keys)
    return package_id


def _record(session: Session, request: AccessRequest, package: AccessPackage) -> list[str | None]:
    """Add the package and mark the request ready; returns the replaced package's key."""
    previous = current_package(session, request)
    stale_keys = [shred_package(previous, package.created_at)] if previous else []
    session.add(package)
    request.package_state, request.package_error = PackageState.READY, None
    request.package_progress = package.recording_count
    audit.record(
        session,
        actor=ACTOR,
        action="access_request.package_ready",
        subject_type="access_request",
        subject_id=str(request.id),
        details={
            "package_id": package.id,
            "recordings": package.recording_count,
            "bytes": package.size_bytes,
        },
    )
    return [key for key in stale_keys if key != package.storage_key]


def _encrypt_into_store(
    runtime: Runtime, data_key: DataKey, package_id: str, plan: Plan, zip_path: Path
) -> tuple[int, str]:
    """Stream the ZIP through encryption into the store; verify; plaintext size and SHA-256."""
    plain_hash, size = hashlib.sha256(), 0
    with zip_path.open("rb") as source, runtime.storage.writer(plan.storage_key) as out:
        with data_key.encrypting_writer(out, package_id) as sink:
            while chunk := source.read(CHUNK):
                plain_hash.update(chunk)
                size += len(chunk)
                sink.write(chunk)
    stored = out.result
    assert stored is not None
    runtime.storage.verify(stored.key, stored.size, stored.digest)
    return size, plain_hash.hexdigest()


def _fail(runtime: Runtime, plan: Plan, exc: BaseException) -> None:
    """Delete what this job stored, then mark the request failed if it still waits on the job.

    If the store cannot delete it, the request stays `running`: RQ retries the job (which
    overwrites the object) or fails it, and the reconcile sweep then deletes it and says so.
    """
    log.warning("packaging access request %s failed: %s", plan.request_id, type(exc).__name__)
    if _recorded(runtime, plan) or delete_objects(runtime.storage, [plan.storage_key]):
        return  # made after all (a commit that reported an error), or the store refused
    with runtime.db.transaction() as session:
        request = session.get(AccessRequest, plan.request_id, with_for_update=True)
        if not _still_packaging(request, plan):
            return
        assert request is not None
        request.package_state, request.package_error = PackageState.FAILED, _error_text(exc)
        audit.record(
            session,
            actor=ACTOR,
            action="access_request.package_failed",
            subject_type="access_request",
            subject_id=str(plan.request_id),
            details={"error": type(exc).__name__},
        )


def _recorded(runtime: Runtime, plan: Plan) -> bool:
    """Whether a package row holds this job's key (its commit went through after all)."""
    with runtime.db.transaction() as session:
        query = select(AccessPackage.id).where(AccessPackage.storage_key == plan.storage_key)
        return session.scalar(query) is not None


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


LOST_JOB_STATES = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


def _job_status(runtime: Runtime, job_id: str | None) -> JobStatus | None:
    try:
        return Job.fetch(job_id or "", connection=redis_connection(runtime.settings)).get_status()
    except NoSuchJobError:
        return None


def reconcile_access_packages() -> dict[str, int]:
    """Packaging jobs that vanished from the queue are queued again; ones that died are failed.

    A request left `queued` or `running` would otherwise block its own fulfil and close. A job
    whose worker was killed stays `started` in RQ until its heartbeat lapses and a registry
    cleanup retries it (RQ's `Retry`) or fails it: run that cleanup here rather than wait for
    a worker's maintenance pass (every 10 minutes, and never while it is busy with a long job).
    Either way the dead job may have stored a package it never recorded: it is deleted first,
    and a request whose object the store cannot delete now is left for the next sweep.
    """
    runtime, requeue, failed = current(), [], 0
    get_queue(runtime.settings).started_job_registry.cleanup()
    with runtime.db.transaction() as session:
        waiting = session.scalars(
            select(AccessRequest)
            .where(AccessRequest.package_state.in_((PackageState.QUEUED, PackageState.RUNNING)))
            .with_for_update(skip_locked=True)  # a job recording its package right now
        )
        for request in waiting:
            status = _job_status(runtime, request.package_job_id)
            if status is not None and status not in LOST_JOB_STATES:
                continue  # queued, running, scheduled for a retry: RQ still has it
            if delete_objects(runtime.storage, [job_package_key(request)]):
                continue  # the store refused: the next sweep tries again
            if status is None:  # Redis lost it (restart, flush): run it again
                request.package_job_id = f"access-package-{request.id}-{uuid4().hex[:8]}"
                request.package_state = PackageState.QUEUED
                requeue.append((request.id, request.package_job_id))
            else:  # the worker died or gave up: say so, allow a retry
                _lost(session, request, status)
                failed += 1
    for request_id, job_id in requeue:
        enqueue(runtime.settings, PACKAGE_JOB, request_id, job_id=job_id)
    return {"requeued": len(requeue), "failed": failed}


def _lost(session: Session, request: AccessRequest, status: JobStatus) -> None:
    """Mark the request failed because its job died, and audit it."""
    request.package_state = PackageState.FAILED
    request.package_error = "the packaging job stopped; fulfil again"
    audit.record(
        session,
        actor=RECONCILE_ACTOR,
        action="access_request.package_failed",
        subject_type="access_request",
        subject_id=str(request.id),
        reason=LOST_JOB_REASON,
        details={
            "reference": request.reference,
            "job_id": request.package_job_id,
            "job_status": status.value,
        },
    )
