"""A subject access request's packages: fulfilment, the packaging job's bookkeeping, links.

The only writer of a request's `package_state`: `start_fulfilment` queues a job; the job (in
`workers.access`) calls `begin_packaging`, `record_progress`, then `record_package` or
`record_failure`; the reconcile sweep calls `requeue_package` or `record_lost_job` for a job
that vanished or died. A job's object goes under `package_key(request id, job id)`, a key the
request names before the job runs, so whatever settles a job without recording its package
can delete its object.

Links: only the SHA-256 of a download token is stored; issuing a link replaces the last one.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain import audit, download_links
from app.domain.access_requests._shared import BUSY_STATES, AccessRequestConflict, audit_step
from app.domain.access_requests.review import ListedRecording, fulfilment_blocker, listed_recordings
from app.models import AccessPackage, AccessRequest, PackageState, RecordingStatus, RequestStatus
from recordings.access_package import PackagedRecording, PackagedRequest
from recordings.storage import Storage, StorageError
from recordings.vault import EncryptedObject

__all__ = [
    "PACKAGE_JOB",
    "PACKAGE_PREFIX",
    "LinkLookup",
    "PackageSource",
    "PackagingPlan",
    "awaiting_packaging",
    "begin_packaging",
    "current_package",
    "delete_objects",
    "issue_link",
    "job_package_key",
    "package_for_token",
    "package_key",
    "package_recorded",
    "record_download",
    "record_failure",
    "record_lost_job",
    "record_package",
    "record_progress",
    "requeue_package",
    "revoke_link",
    "shred_package",
    "start_fulfilment",
    "token_digest",
]

PACKAGE_JOB = "workers.access.package_access_request"
PACKAGE_PREFIX = "access-packages/"
JOB_ACTOR = "system (access packaging job)"
RECONCILE_ACTOR = "system (access packaging reconcile)"
LOST_JOB_REASON = "the packaging job was lost: its worker was killed or the job stopped"
# FAILED too: RQ retries a job that failed; READY means a rerun of a finished job.
STARTABLE_STATES = (PackageState.QUEUED, PackageState.RUNNING, PackageState.FAILED)


def _new_job_id(request: AccessRequest) -> str:
    return f"access-package-{request.id}-{secrets.token_hex(4)}"


def start_fulfilment(
    session: Session, request: AccessRequest, *, actor: str
) -> tuple[AccessRequest, str]:
    """Mark the request queued under a new job id; the caller commits, then enqueues."""
    blocker = fulfilment_blocker(session, request)
    if blocker is not None:
        raise AccessRequestConflict(f"{request.reference} cannot be fulfilled: {blocker}")
    job_id = _new_job_id(request)
    request.package_state, request.package_job_id = PackageState.QUEUED, job_id
    request.package_progress, request.package_error = 0, None
    request.package_total = sum(1 for item in listed_recordings(session, request) if item.include)
    audit_step(session, request, actor, "access_request.fulfil", job_id=job_id)
    return request, job_id


def package_key(request_id: int, job_id: str) -> str:
    """Where the package a job makes is stored: known before the job runs, the same on a retry."""
    return f"{PACKAGE_PREFIX}{request_id}/{job_id}.zip.enc"


def job_package_key(request: AccessRequest) -> str | None:
    """The key the request's current (or last) packaging job stores its package under."""
    return package_key(request.id, request.package_job_id) if request.package_job_id else None


def current_package(session: Session, request: AccessRequest) -> AccessPackage | None:
    """The request's latest package that still exists."""
    return session.scalar(
        select(AccessPackage)
        .where(AccessPackage.access_request_id == request.id, AccessPackage.deleted_at.is_(None))
        .order_by(AccessPackage.created_at.desc())
        .limit(1)
    )


# --- the packaging job's bookkeeping ---------------------------------------------------------


@dataclass(frozen=True)
class PackageSource:
    """One recording to package: its stored ciphertext and wrapped key, and what to say of it."""

    storage_key: str
    wrapped_key: bytes
    recording: PackagedRecording


@dataclass(frozen=True)
class PackagingPlan:
    """What a packaging job needs, read from the database before any slow work."""

    request_id: int
    job_id: str
    request: PackagedRequest
    sources: Sequence[PackageSource] = field(default_factory=tuple)
    unstored: Sequence[str] = field(default_factory=tuple)  # included, not stored: their sids

    @property
    def storage_key(self) -> str:
        """Where this job stores the package, on every run."""
        return package_key(self.request_id, self.job_id)


def begin_packaging(session: Session, request_id: int, job_id: str | None) -> PackagingPlan | None:
    """Mark the request running and read what to package; None when it does not wait on us.

    `job_id` is the RQ job running now (None outside RQ): a job the request replaced, which RQ
    retries late, finds the request waiting on another and does nothing.
    """
    request = session.get(AccessRequest, request_id, with_for_update=True)
    if request is None or request.status != RequestStatus.OPEN or request.package_job_id is None:
        return None
    if job_id not in (None, request.package_job_id):
        return None
    if request.package_state not in STARTABLE_STATES:
        return None
    request.package_state, request.package_progress = PackageState.RUNNING, 0
    included = [listed for listed in listed_recordings(session, request) if listed.include]
    request.package_total = len(included)
    return PackagingPlan(
        request.id,
        request.package_job_id,
        PackagedRequest(
            request.reference, request.requester_name, request.received_on, request.language or "en"
        ),
        [_source(listed) for listed in included if _stored(listed)],
        [listed.recording.recording_sid for listed in included if not _stored(listed)],
    )


def _stored(listed: ListedRecording) -> bool:
    recording = listed.recording
    return (
        recording.status == RecordingStatus.STORED
        and recording.storage_key is not None
        and recording.wrapped_key is not None
    )


def _source(listed: ListedRecording) -> PackageSource:
    recording = listed.recording
    assert recording.storage_key is not None and recording.wrapped_key is not None  # _stored
    described = PackagedRecording(
        recording_sid=recording.recording_sid,
        call_started_at=listed.call_started_at,
        started_at=recording.started_at,
        redactions=listed.redactions,
        reason=listed.reason,
    )
    return PackageSource(recording.storage_key, recording.wrapped_key, described)


def record_progress(session: Session, request_id: int, done: int) -> None:
    """Show that the job has packaged `done` recordings."""
    session.execute(
        update(AccessRequest).where(AccessRequest.id == request_id).values(package_progress=done)
    )


def _still_packaging(request: AccessRequest | None, plan: PackagingPlan) -> bool:
    """Whether the request still waits on this run: not closed, replaced or failed meanwhile."""
    return (
        request is not None
        and request.status == RequestStatus.OPEN
        and request.package_job_id == plan.job_id
        and request.package_state == PackageState.RUNNING
    )


def record_package(
    session: Session, plan: PackagingPlan, stored: EncryptedObject, now: datetime
) -> tuple[bool, list[str | None]]:
    """Add the stored package and mark the request ready, if it still waits on this job.

    The package's id is the one its object was encrypted for. Returns whether it was recorded,
    and the object keys to delete: the package it replaced; or its own when the request moved
    on (closed, replaced, failed by the reconcile sweep).
    """
    request = session.get(AccessRequest, plan.request_id, with_for_update=True)
    if not _still_packaging(request, plan):
        return False, [plan.storage_key]
    assert request is not None
    previous = current_package(session, request)
    stale_keys = [shred_package(previous, now)] if previous else []
    package = AccessPackage(
        id=stored.object_id,
        access_request_id=plan.request_id,
        storage_key=plan.storage_key,
        wrapped_key=stored.wrapped_key,
        master_key_id=stored.master_key_id,
        size_bytes=stored.plaintext_size,
        sha256=stored.plaintext_sha256,
        recording_count=len(plan.sources),
        downloads=0,
        created_at=now,
    )
    session.add(package)
    request.package_state, request.package_error = PackageState.READY, None
    request.package_progress = package.recording_count
    _job_audit(
        session,
        plan,
        "package_ready",
        package_id=stored.object_id,
        recordings=len(plan.sources),
        bytes=stored.plaintext_size,
    )
    return True, [key for key in stale_keys if key != plan.storage_key]


def package_recorded(session: Session, storage_key: str) -> bool:
    """Whether a package row holds this key (a job's commit went through after all)."""
    query = select(AccessPackage.id).where(AccessPackage.storage_key == storage_key)
    return session.scalar(query) is not None


def record_failure(session: Session, plan: PackagingPlan, error: BaseException) -> None:
    """Mark the request failed with the error, if it still waits on this job; its object gone."""
    request = session.get(AccessRequest, plan.request_id, with_for_update=True)
    if not _still_packaging(request, plan):
        return
    assert request is not None
    request.package_state = PackageState.FAILED
    request.package_error = f"{type(error).__name__}: {error}"[:300]
    _job_audit(session, plan, "package_failed", error=type(error).__name__)


def _job_audit(session: Session, plan: PackagingPlan, step: str, **details: object) -> None:
    """Audit a step of the packaging job, as the job."""
    audit.record(
        session,
        actor=JOB_ACTOR,
        action=f"access_request.{step}",
        subject_type="access_request",
        subject_id=str(plan.request_id),
        details=details,
    )


def awaiting_packaging(session: Session) -> Iterable[AccessRequest]:
    """Requests queued or running, locked; one whose job is recording its package is skipped."""
    return session.scalars(
        select(AccessRequest)
        .where(AccessRequest.package_state.in_(BUSY_STATES))
        .with_for_update(skip_locked=True)
    )


def requeue_package(request: AccessRequest) -> str:
    """Queue the request again under a new job id (its job vanished); the caller enqueues it."""
    request.package_job_id = _new_job_id(request)
    request.package_state = PackageState.QUEUED
    return request.package_job_id


def record_lost_job(session: Session, request: AccessRequest, job_status: str) -> None:
    """Mark the request failed because its job died (RQ's `job_status`), and audit it."""
    request.package_state = PackageState.FAILED
    request.package_error = "the packaging job stopped; fulfil again"
    audit_step(
        session,
        request,
        RECONCILE_ACTOR,
        "access_request.package_failed",
        reason=LOST_JOB_REASON,
        job_id=request.package_job_id,
        job_status=job_status,
    )


# --- download links and deleting packages ----------------------------------------------------
def token_digest(token: str) -> str:
    """Only this SHA-256 of a download token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(
    session: Session, package: AccessPackage, ttl: timedelta, *, actor: str, now: datetime
) -> str:
    """A fresh download token for the package; any earlier link stops working."""
    token = download_links.new_token(package.id)
    package.token_hash, package.link_issued_at = token_digest(token), now
    package.expires_at, package.revoked_at = now + ttl, None
    request = session.get(AccessRequest, package.access_request_id)
    assert request is not None
    audit_step(
        session,
        request,
        actor,
        "access_request.link_issued",
        package_id=package.id,
        expires_at=package.expires_at.isoformat(),
    )
    return token


def revoke_link(
    session: Session, package: AccessPackage, *, actor: str, now: datetime
) -> AccessPackage:
    """The download link stops working at once."""
    if package.token_hash is None or package.revoked_at is not None:
        raise AccessRequestConflict("the package has no live download link")
    package.revoked_at = now
    request = session.get(AccessRequest, package.access_request_id)
    assert request is not None
    audit_step(session, request, actor, "access_request.link_revoked", package_id=package.id)
    return package


@dataclass(frozen=True)
class LinkLookup:
    """What a token leads to: the package when usable, otherwise why not.

    For a refused link, `language` is that of the request its package belongs to, so the
    refusal can be worded in it; None when the token names no package ("unknown").
    """

    package: AccessPackage | None
    problem: str | None  # "unknown", "revoked", "expired", "deleted", "replaced"
    language: str | None = None


def package_for_token(session: Session, token: str, now: datetime) -> LinkLookup:
    """The package a download token opens, or why it does not open one."""
    if not token or len(token) > 100:
        return LinkLookup(None, "unknown")
    package = session.scalar(
        select(AccessPackage).where(AccessPackage.token_hash == token_digest(token))
    )
    if package is None:
        named = download_links.superseded_package(session, token)
        if named is None:
            return LinkLookup(None, "unknown")
        return _refused(session, named, "deleted" if named.deleted_at else "replaced")
    if package.deleted_at is not None or package.storage_key is None:
        return _refused(session, package, "deleted")
    if package.revoked_at is not None:
        return _refused(session, package, "revoked")
    if package.expires_at is None or package.expires_at <= now:
        return _refused(session, package, "expired")
    return LinkLookup(package, None)


def _refused(session: Session, package: AccessPackage, problem: str) -> LinkLookup:
    return LinkLookup(None, problem, _language_of(session, package))


def _language_of(session: Session, package: AccessPackage) -> str | None:
    """The language to answer the package's requester in."""
    return session.scalar(
        select(AccessRequest.language).where(AccessRequest.id == package.access_request_id)
    )


def record_download(
    session: Session,
    package: AccessPackage,
    now: datetime,
    *,
    client_address: str | None = None,
    user_agent: str | None = None,
) -> None:
    """Count and audit one download through the link, with where it came from."""
    package.downloads += 1
    package.last_downloaded_at = now
    audit.record(
        session,
        actor="requester (download link)",
        action="access_request.package_download",
        subject_type="access_request",
        subject_id=str(package.access_request_id),
        details={
            "package_id": package.id,
            "download": package.downloads,
            "client_address": client_address or "unknown",
            "user_agent": (user_agent or "")[:300] or "unknown",
        },
    )


def shred_package(package: AccessPackage, now: datetime) -> str | None:
    """Destroy the package's key and mark it deleted; returns the object key to delete."""
    key = package.storage_key
    package.wrapped_key, package.deleted_at = None, now
    return key


def delete_objects(storage: Storage, keys: Iterable[str | None]) -> list[str]:
    """Delete package objects (already crypto-shredded); returns the keys that failed."""
    failed = []
    for key in keys:
        if key is None:
            continue
        try:
            storage.delete(key)
        except StorageError:
            failed.append(key)
    return failed
