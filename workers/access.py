"""Packaging a subject access request (SPEC §8): decrypt, redact, MP3, ZIP, store encrypted.

The job takes the request id. Progress is written to the request as it goes (`running`, the
recordings done), and it ends `ready` with a new package, or `failed` with the reason. The ZIP
holds one MP3 per included recording (both channels, explicit bitrate), then the texts
`recordings.access_package` writes. It is encrypted like a recording (`recordings.vault`): a
fresh data key, wrapped by the master key, with the package id as associated data.

What it packages is the request's review list as the job starts (`begin_packaging`): a
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

import logging
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from uuid import uuid4

from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app.domain.access_requests import packages
from app.domain.access_requests.packages import (
    PACKAGE_PREFIX,
    PackageSource,
    PackagingPlan,
    package_key,
)
from app.domain.cover_letters import cover_letter
from app.integrations.queue import enqueue, get_queue, redis_connection
from app.models import AccessRequest
from app.runtime import Runtime, current
from recordings import access_package
from recordings.audio import load_wav, redact, to_mp3
from recordings.cover_letter import Letter, letter_pdf, letter_text
from recordings.subject_access import london_today
from recordings.vault import CHUNK, open_decrypted, put_encrypted
from recordings.workdir import private_workdir

__all__ = [
    "PACKAGE_PREFIX",
    "RecordingsNotStored",
    "package_access_request",
    "package_key",
    "reconcile_access_packages",
    "write_package_zip",
]

log = logging.getLogger(__name__)
LOST_JOB_STATES = {JobStatus.FAILED, JobStatus.STOPPED, JobStatus.CANCELED}


class RecordingsNotStored(RuntimeError):
    """Included recordings are not stored (yet): the package would leave them out."""


def package_access_request(request_id: int) -> str:
    """Build, encrypt and store the request's package; the request shows progress and result."""
    runtime = current()
    job = get_current_job()
    with runtime.db.transaction() as session:
        plan = packages.begin_packaging(session, request_id, job.id if job else None)
        if plan is not None:  # the cover letter with the ICO's supplementary information
            request = session.get(AccessRequest, request_id)
            letter = cover_letter(session, request, london_today(runtime.now()))
    if plan is None:
        return "nothing to do"
    try:
        if plan.unstored:
            raise RecordingsNotStored(
                "included recordings are not stored yet (wait for them, or exclude them, and "
                f"fulfil again): {', '.join(plan.unstored)}"
            )
        with private_workdir(runtime.settings.plaintext_root) as workdir:
            zip_path = workdir / "package.zip"
            progress = _Progress(runtime, request_id)
            write_package_zip(
                runtime, plan, zip_path, workdir=workdir, on_item=progress, letter=letter
            )
            package_id = _store(runtime, plan, zip_path)
    except Exception as exc:  # recorded on the request for the officer, then re-raised for RQ
        _fail(runtime, plan, exc)
        raise
    return f"package {package_id} ready" if package_id else "the request moved on: nothing kept"


class _Progress:
    """Writes 'n recordings done' to the request after each one."""

    def __init__(self, runtime: Runtime, request_id: int) -> None:
        self.runtime, self.request_id, self.done = runtime, request_id, 0

    def __call__(self) -> None:
        self.done += 1
        with self.runtime.db.transaction() as session:
            packages.record_progress(session, self.request_id, self.done)


def write_package_zip(
    runtime: Runtime,
    plan: PackagingPlan,
    destination: Path,
    *,
    workdir: Path,
    on_item: Callable[[], None] | None = None,
    letter: Letter | None = None,
) -> None:
    """Write the ZIP: MP3s (stored, already compressed), manifests, cover note and letter."""
    entries = []
    bitrate, language = runtime.settings.mp3_bitrate, plan.request.language
    with zipfile.ZipFile(destination, "w") as archive:
        for number, source in enumerate(plan.sources, start=1):
            mp3 = workdir / f"{number}.mp3"
            duration = _redacted_mp3(runtime, source, workdir, mp3)
            name = access_package.file_name(number, source.recording, runtime.now())
            archive.write(mp3, name, compress_type=zipfile.ZIP_STORED)
            mp3.unlink()
            entries.append(
                access_package.manifest_entry(name, source.recording, duration, bitrate, language)
            )
            if on_item is not None:
                on_item()
        manifest = access_package.manifest(plan.request, entries, runtime.now())
        for name, text in access_package.text_files(plan.request, manifest).items():
            archive.writestr(name, text, compress_type=zipfile.ZIP_DEFLATED)
        if letter is not None:
            prepared_on = datetime.fromisoformat(manifest["prepared_at"]).date()
            letter = replace(letter, dated=prepared_on, recordings=len(entries))
            archive.writestr("cover-letter.txt", letter_text(letter), zipfile.ZIP_DEFLATED)
            archive.writestr("cover-letter.pdf", letter_pdf(letter), zipfile.ZIP_DEFLATED)


def _redacted_mp3(runtime: Runtime, source: PackageSource, workdir: Path, mp3: Path) -> float:
    """Decrypt the recording to a temporary file, silence its ranges, write MP3; its length."""
    wav, sid = workdir / "recording.wav", source.recording.recording_sid
    plain = open_decrypted(
        runtime.storage, runtime.master_key, source.storage_key, source.wrapped_key, sid
    )
    with plain, wav.open("wb") as out:
        shutil.copyfileobj(plain, out, CHUNK)
    with wav.open("rb") as handle:
        segment = load_wav(handle)
    wav.unlink()
    length = segment.duration_seconds
    # The row's duration is whole seconds; never ask to silence past the end of the audio.
    ranges = [
        (r["start"], min(r["end"], length))
        for r in source.recording.redactions
        if r["start"] < length
    ]
    with mp3.open("wb") as out:
        to_mp3(redact(segment, ranges), out, bitrate=runtime.settings.mp3_bitrate)
    return length


def _store(runtime: Runtime, plan: PackagingPlan, zip_path: Path) -> str | None:
    """Encrypt the ZIP into the store, verify it, then record the package as ready.

    Returns the package id; None when the request moved on meanwhile (closed, replaced, failed
    by the reconcile sweep), in which case the object is deleted and nothing recorded.
    """
    package_id = uuid4().hex
    with zip_path.open("rb") as zipped:
        stored = put_encrypted(
            runtime.storage, runtime.master_key, plan.storage_key, package_id, zipped
        )
    with runtime.db.transaction() as session:
        recorded, stale_keys = packages.record_package(session, plan, stored, runtime.now())
    packages.delete_objects(runtime.storage, stale_keys)
    return package_id if recorded else None


def _fail(runtime: Runtime, plan: PackagingPlan, exc: BaseException) -> None:
    """Delete what this job stored, then mark the request failed if it still waits on the job.

    If the store cannot delete it, the request stays `running`: RQ retries the job (which
    overwrites the object) or fails it, and the reconcile sweep then deletes it and says so.
    """
    log.warning("packaging access request %s failed: %s", plan.request_id, type(exc).__name__)
    with runtime.db.transaction() as session:
        recorded = packages.package_recorded(session, plan.storage_key)
    if recorded or packages.delete_objects(runtime.storage, [plan.storage_key]):
        return  # made after all (a commit that reported an error), or the store refused
    with runtime.db.transaction() as session:
        packages.record_failure(session, plan, exc)


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
        for request in packages.awaiting_packaging(session):
            status = _job_status(runtime, request.package_job_id)
            if status is not None and status not in LOST_JOB_STATES:
                continue  # queued, running, scheduled for a retry: RQ still has it
            if packages.delete_objects(runtime.storage, [packages.job_package_key(request)]):
                continue  # the store refused: the next sweep tries again
            if status is None:  # Redis lost it (restart, flush): run it again
                requeue.append((request.id, packages.requeue_package(request)))
            else:  # the worker died or gave up: say so, allow a retry
                packages.record_lost_job(session, request, status.value)
                failed += 1
    for request_id, job_id in requeue:
        enqueue(runtime.settings, packages.PACKAGE_JOB, request_id, job_id=job_id)
    return {"requeued": len(requeue), "failed": failed}
