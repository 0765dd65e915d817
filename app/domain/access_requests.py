"""Subject access requests (SPEC §8): register, hold, review, fulfil, link, close.

The rules (due dates, extensions, NHS numbers) live in `recordings.subject_access`; this module
is the I/O around them. Every function works in the caller's transaction and audits its step;
phone numbers appear in the audit log masked only.

Registration holds each matching call, not the recordings found then: a call's hold covers
every recording of it, including one we learn of only later (the call still in progress, its
callback late or lost and the recording found by the retention sweep). The review list is read
from the calls each time (`listed_recordings`), so such a recording joins it, included until
the officer decides otherwise; a review row stores only what the officer decided.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import CompoundSelect, Select, and_, func, or_, select, union
from sqlalchemy.orm import Session

from app.domain import audit
from app.domain.holds import HoldAlreadyReleased, place_hold, release_hold
from app.domain.phone import mask
from app.models import (
    AccessPackage,
    AccessRequest,
    AccessRequestCall,
    AccessRequestRecording,
    Call,
    HoldKind,
    LegalHold,
    PackageState,
    Recording,
    RecordingStatus,
    Relationship,
    RequestStatus,
)
from recordings.audio import InvalidRedaction, validate_redactions
from recordings.retention import LONDON
from recordings.storage import Storage, StorageError
from recordings.subject_access import (
    AccessRequestRuleError,
    clock_start,
    due_date,
    extended_due_date,
    flag,
    london_today,
)

__all__ = [
    "AccessRequestConflict",
    "AccessRequestError",
    "AccessRequestInvalid",
    "ListedRecording",
    "NewAccessRequest",
    "PACKAGE_PREFIX",
    "Redaction",
    "close",
    "fulfilment_blocker",
    "issue_link",
    "job_package_key",
    "listed_count",
    "listed_recordings",
    "matching_calls_query",
    "package_for_token",
    "package_key",
    "record_authority",
    "register",
    "request_flag",
    "review_recording",
    "revoke_link",
    "start_fulfilment",
    "verify_identity",
    "extend",
]

PACKAGE_JOB = "workers.access.package_access_request"
PACKAGE_PREFIX = "access-packages/"
HELD_STATUSES = (RecordingStatus.PENDING, RecordingStatus.STORED)
BUSY_STATES = (PackageState.QUEUED, PackageState.RUNNING)


class AccessRequestError(Exception):
    """A step the request's state or rules do not allow."""


class AccessRequestConflict(AccessRequestError):
    """The request is not in a state where this step can happen (HTTP 409)."""


class AccessRequestInvalid(AccessRequestError):
    """The input does not describe a valid change (HTTP 422)."""


@dataclass(frozen=True)
class NewAccessRequest:
    """What the officer records when a request arrives; numbers already in E.164."""

    requester_name: str
    relationship: Relationship
    phone_numbers: Sequence[str]
    received_on: date
    identity_pending: bool = False
    data_subject_name: str | None = None
    authority: str | None = None
    authority_evidence: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    person_references: Sequence[dict[str, str]] = field(default_factory=tuple)
    # How it reached us, the language to answer in, and how to reply (SPEC §15).
    channel: str | None = None
    language: str = "en"
    contact_email: str | None = None
    postal_address: str | None = None
    requester_note: str | None = None
    submission_digest: str | None = None


@dataclass(frozen=True)
class Redaction:
    """A range of a recording, in seconds, to replace with silence; and why."""

    start: float
    end: float
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The stored form."""
        return {"start": self.start, "end": self.end, "reason": self.reason}


def _london_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LONDON)


def matching_calls_query(
    numbers: Iterable[str], date_from: date | None = None, date_to: date | None = None
) -> Select[tuple[Call]]:
    """Calls from any of `numbers` (E.164) started within the London dates, inclusive."""
    query = select(Call).where(Call.from_number.in_(list(numbers)))
    if date_from is not None:
        query = query.where(Call.started_at >= _london_midnight(date_from))
    if date_to is not None:
        query = query.where(Call.started_at < _london_midnight(date_to + timedelta(days=1)))
    return query.order_by(Call.started_at, Call.id)


@dataclass(frozen=True)
class ListedRecording:
    """One recording on a request's review list, with the officer's review of it if any."""

    recording: Recording
    review: AccessRequestRecording | None  # None: not reviewed yet, so included whole
    call_started_at: datetime | None
    hold_id: int | None  # the request's hold covering it: on its call (older requests: on it)

    @property
    def include(self) -> bool:
        """Whether it goes into the package."""
        return self.review is None or self.review.include

    @property
    def redactions(self) -> list[dict[str, Any]]:
        """The ranges to silence, as stored."""
        return list(self.review.redactions or []) if self.review else []

    @property
    def reason(self) -> str | None:
        """Why it is excluded, or why its ranges are silenced."""
        return self.review.reason if self.review else None


def _listed_ids(request: AccessRequest) -> CompoundSelect:
    """SQL: ids of the request's recordings (see `listed_recordings`)."""
    reviewed = select(AccessRequestRecording.recording_id).where(
        AccessRequestRecording.access_request_id == request.id
    )
    of_calls = (
        select(Recording.id)
        .join(Call, Call.call_sid == Recording.call_sid)
        .join(AccessRequestCall, AccessRequestCall.call_id == Call.id)
        .where(
            AccessRequestCall.access_request_id == request.id,
            or_(
                Recording.status.in_(HELD_STATUSES),
                and_(  # kept under the hold, then deleted once it was released
                    Recording.status == RecordingStatus.DELETED,
                    Recording.deleted_at > request.created_at,
                ),
            ),
        )
    )
    return union(reviewed, of_calls)


def listed_recordings(session: Session, request: AccessRequest) -> list[ListedRecording]:
    """The request's review list, oldest first: every recording of the calls it matched.

    That is each recording of those calls that is pending or stored (or was deleted after the
    request released it), whenever we learnt of it, and any recording the officer reviewed.
    Recordings already deleted, discarded or failed at registration are not listed.
    """
    review = and_(
        AccessRequestRecording.recording_id == Recording.id,
        AccessRequestRecording.access_request_id == request.id,
    )
    link = and_(
        AccessRequestCall.call_id == Call.id, AccessRequestCall.access_request_id == request.id
    )
    rows = session.execute(
        select(Recording, AccessRequestRecording, Call.started_at, AccessRequestCall.hold_id)
        .outerjoin(AccessRequestRecording, review)
        .outerjoin(Call, Call.call_sid == Recording.call_sid)
        .outerjoin(AccessRequestCall, link)
        .where(Recording.id.in_(_listed_ids(request)))
        .order_by(Recording.started_at, Recording.id)
    ).all()
    return [
        ListedRecording(recording, reviewed, started, _covering_hold(call_hold, reviewed))
        for recording, reviewed, started, call_hold in rows
    ]


def _covering_hold(call_hold: int | None, review: AccessRequestRecording | None) -> int | None:
    """The request's hold on the call; for a request registered before, the one on the recording."""
    if call_hold is not None or review is None:
        return call_hold
    return review.hold_id


def listed_count(session: Session, request: AccessRequest) -> int:
    """How many recordings `listed_recordings` would list."""
    query = (
        select(func.count()).select_from(Recording).where(Recording.id.in_(_listed_ids(request)))
    )
    return int(session.scalar(query) or 0)


def _check_authority(relationship: str, authority: str | None, evidence: str | None) -> None:
    if relationship == Relationship.DATA_SUBJECT and (authority or evidence):
        raise AccessRequestInvalid("authority is recorded only for a third-party request")
    if authority and not (evidence or "").strip():
        raise AccessRequestInvalid(
            f"authority {authority!r} needs an evidence reference (e.g. the document's reference)"
        )
    if evidence and not authority:
        raise AccessRequestInvalid("an evidence reference needs the kind of authority it proves")


def _compute_due(request: AccessRequest) -> date | None:
    start = clock_start(request.received_on, request.identity_verified_on, request.identity_pending)
    return None if start is None else due_date(start)


def register(
    session: Session, new: NewAccessRequest, *, actor: str, now: datetime
) -> AccessRequest:
    """Record the request, find every matching call and hold it (so its recordings) at once."""
    _check_authority(new.relationship, new.authority, new.authority_evidence)
    if new.date_from and new.date_to and new.date_from > new.date_to:
        raise AccessRequestInvalid("date_from must not be after date_to")
    if new.received_on > london_today(now):
        raise AccessRequestInvalid("received_on cannot be in the future")
    request = AccessRequest(
        requester_name=new.requester_name,
        requester_relationship=new.relationship,
        data_subject_name=new.data_subject_name,
        authority=new.authority,
        authority_evidence=new.authority_evidence,
        phone_numbers=list(dict.fromkeys(new.phone_numbers)),
        date_from=new.date_from,
        date_to=new.date_to,
        person_references=[dict(ref) for ref in new.person_references],
        received_on=new.received_on,
        identity_pending=new.identity_pending,
        channel=new.channel,
        language=new.language,
        contact_email=new.contact_email,
        postal_address=new.postal_address,
        requester_note=new.requester_note,
        submission_digest=new.submission_digest,
        status=RequestStatus.OPEN,
        package_progress=0,
        package_total=0,
        created_by=actor,
        created_at=now,
    )
    request.due_on = _compute_due(request)
    session.add(request)
    session.flush()
    calls = _hold_matching_calls(session, request, actor=actor, now=now)
    _audit(
        session,
        request,
        actor,
        "access_request.register",
        numbers=[mask(n) for n in request.phone_numbers],
        relationship=request.requester_relationship,
        authority=request.authority,
        date_from=_iso_date(request.date_from),
        date_to=_iso_date(request.date_to),
        person_references=len(request.person_references),
        received_on=request.received_on.isoformat(),
        identity_pending=request.identity_pending,
        channel=request.channel,
        calls_held=calls,
        recordings_held=listed_count(session, request),
    )
    return request


def _hold_matching_calls(
    session: Session, request: AccessRequest, *, actor: str, now: datetime
) -> int:
    """Link and hold every matching call; returns how many."""
    query = matching_calls_query(request.phone_numbers, request.date_from, request.date_to)
    call_ids = list(session.scalars(query.with_only_columns(Call.id)))
    for call_id in call_ids:
        hold = place_hold(
            session,
            kind=HoldKind.ACCESS_REQUEST,
            reason=f"Subject access request {request.reference}: the call's recordings requested",
            reference=request.reference,
            call_id=call_id,
            actor=actor,
            now=now,
        )
        session.add(
            AccessRequestCall(access_request_id=request.id, call_id=call_id, hold_id=hold.id)
        )
    session.flush()
    return len(call_ids)


def _open(request: AccessRequest) -> None:
    if request.status != RequestStatus.OPEN:
        raise AccessRequestConflict(f"request {request.reference} is closed")


def request_flag(request: AccessRequest, today: date) -> str | None:
    """'overdue', 'due_soon' or None (closed, or clock not started)."""
    if request.due_on is None:
        return None
    return flag(request.due_on, today, request.status == RequestStatus.CLOSED)


def verify_identity(
    session: Session, request: AccessRequest, verified_on: date, *, actor: str, now: datetime
) -> AccessRequest:
    """Identity checked: the clock starts on `verified_on` (never before receipt)."""
    _open(request)
    if not request.identity_pending or request.identity_verified_on is not None:
        raise AccessRequestConflict("identity was not pending for this request")
    if verified_on > london_today(now):
        raise AccessRequestInvalid("verified_on cannot be in the future")
    request.identity_verified_on = verified_on
    request.due_on = _compute_due(request)
    _audit(
        session,
        request,
        actor,
        "access_request.identity_verified",
        verified_on=verified_on.isoformat(),
        due_date=_iso_date(request.due_on),
    )
    return request


def extend(
    session: Session,
    request: AccessRequest,
    months: int,
    reason: str,
    *,
    actor: str,
    now: datetime,
) -> AccessRequest:
    """The one extension, by 1 or 2 further months, before the due date passes."""
    _open(request)
    start = clock_start(request.received_on, request.identity_verified_on, request.identity_pending)
    if start is None:
        raise AccessRequestConflict("the clock has not started: identity is still pending")
    if not reason.strip():
        raise AccessRequestInvalid("an extension needs a reason")
    try:
        new_due = extended_due_date(
            start,
            months,
            london_today(now),
            already_extended=request.extended_by_months is not None,
        )
    except AccessRequestRuleError as exc:
        raise AccessRequestConflict(str(exc)) from exc
    previous = request.due_on
    request.extended_by_months, request.extension_reason = months, reason.strip()
    request.extended_at, request.due_on = now, new_due
    _audit(
        session,
        request,
        actor,
        "access_request.extend",
        reason=request.extension_reason,
        months=months,
        previous_due_date=_iso_date(previous),
        due_date=new_due.isoformat(),
    )
    return request


def record_authority(
    session: Session,
    request: AccessRequest,
    authority: str,
    evidence: str,
    *,
    actor: str,
) -> AccessRequest:
    """Record (or correct) the authority a third party acts under, with its evidence."""
    _open(request)
    if request.requester_relationship != Relationship.THIRD_PARTY:
        raise AccessRequestConflict("the requester is the data subject: no authority is needed")
    _check_authority(request.requester_relationship, authority, evidence)
    request.authority, request.authority_evidence = authority, evidence.strip()
    _audit(
        session,
        request,
        actor,
        "access_request.authority",
        authority=authority,
        evidence_reference=request.authority_evidence,
    )
    return request


def review_recording(
    session: Session,
    request: AccessRequest,
    recording: Recording,
    *,
    include: bool,
    redactions: Sequence[Redaction],
    reason: str | None,
    actor: str,
    now: datetime,
) -> AccessRequestRecording:
    """Include or exclude one of the request's recordings and set the ranges to redact in it."""
    _open(request)
    if request.package_state in BUSY_STATES:
        raise AccessRequestConflict("a package is being made: wait for it before changing it")
    item = _item(session, request, recording)
    ranges = _checked_ranges(recording, redactions) if redactions else []
    item.include, item.reason = include, (reason or "").strip() or None
    item.redactions = [r.as_json() for r in ranges]
    item.reviewed_by, item.reviewed_at = actor, now
    _audit(
        session,
        request,
        actor,
        "access_request.review",
        reason=item.reason,
        recording_sid=recording.recording_sid,
        include=include,
        redactions=[[r.start, r.end] for r in ranges],
    )
    return item


def _item(session: Session, request: AccessRequest, recording: Recording) -> AccessRequestRecording:
    """The recording's review row, added on its first review; LookupError if it is not listed."""
    item = session.scalar(
        select(AccessRequestRecording).where(
            AccessRequestRecording.access_request_id == request.id,
            AccessRequestRecording.recording_id == recording.id,
        )
    )
    if item is not None:
        return item
    listed = select(Recording.id).where(
        Recording.id == recording.id, Recording.id.in_(_listed_ids(request))
    )
    if session.scalar(listed) is None:
        raise LookupError(f"{recording.recording_sid} is not one of this request's recordings")
    item = AccessRequestRecording(
        access_request_id=request.id, recording_id=recording.id, include=True, redactions=[]
    )
    session.add(item)
    return item


def _checked_ranges(recording: Recording, redactions: Sequence[Redaction]) -> list[Redaction]:
    """Each range checked against the recording's duration; sorted by start."""
    if recording.duration_seconds is None:
        raise AccessRequestConflict(
            f"{recording.recording_sid} has no known duration yet: it is still {recording.status}"
        )
    for redaction in redactions:
        try:
            validate_redactions([(redaction.start, redaction.end)], recording.duration_seconds)
        except InvalidRedaction as exc:
            raise AccessRequestInvalid(f"{recording.recording_sid}: {exc}") from exc
    return sorted(redactions, key=lambda r: (r.start, r.end))


def fulfilment_blocker(session: Session, request: AccessRequest) -> str | None:
    """Why the request cannot be fulfilled now, in words for the officer; None when it can."""
    if request.status != RequestStatus.OPEN:
        return "the request is closed"
    if request.requester_relationship == Relationship.THIRD_PARTY and not (
        request.authority and request.authority_evidence
    ):
        return (
            "the requester is a third party and no authority (consent, power of attorney or "
            "court order) with an evidence reference is recorded: record it before fulfilling"
        )
    if request.identity_pending and request.identity_verified_on is None:
        return "the requester's identity has not been verified yet"
    if request.package_state in BUSY_STATES:
        return f"a package is already {request.package_state}"
    unstored = [
        item.recording.recording_sid
        for item in listed_recordings(session, request)
        if item.include and item.recording.status != RecordingStatus.STORED
    ]
    if unstored:
        return f"included recordings are not stored (exclude them or wait): {', '.join(unstored)}"
    return None


def start_fulfilment(
    session: Session, request: AccessRequest, *, actor: str
) -> tuple[AccessRequest, str]:
    """Mark the request queued under a new job id; the caller commits, then enqueues."""
    blocker = fulfilment_blocker(session, request)
    if blocker is not None:
        raise AccessRequestConflict(f"{request.reference} cannot be fulfilled: {blocker}")
    job_id = f"access-package-{request.id}-{secrets.token_hex(4)}"
    request.package_state, request.package_job_id = PackageState.QUEUED, job_id
    request.package_progress, request.package_error = 0, None
    request.package_total = sum(1 for item in listed_recordings(session, request) if item.include)
    _audit(session, request, actor, "access_request.fulfil", job_id=job_id)
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


def token_digest(token: str) -> str:
    """Only this SHA-256 of a download token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue_link(
    session: Session, package: AccessPackage, ttl: timedelta, *, actor: str, now: datetime
) -> str:
    """A fresh download token for the package; any earlier link stops working."""
    token = secrets.token_urlsafe(32)
    package.token_hash, package.link_issued_at = token_digest(token), now
    package.expires_at, package.revoked_at = now + ttl, None
    request = session.get(AccessRequest, package.access_request_id)
    assert request is not None
    _audit(
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
    _audit(session, request, actor, "access_request.link_revoked", package_id=package.id)
    return package


@dataclass(frozen=True)
class LinkLookup:
    """What a token leads to: the package when usable, otherwise why not."""

    package: AccessPackage | None
    problem: str | None  # "unknown", "revoked", "expired", "deleted"


def package_for_token(session: Session, token: str, now: datetime) -> LinkLookup:
    """The package a download token opens, or why it does not open one."""
    if not token or len(token) > 100:
        return LinkLookup(None, "unknown")
    package = session.scalar(
        select(AccessPackage).where(AccessPackage.token_hash == token_digest(token))
    )
    if package is None:
        return LinkLookup(None, "unknown")
    if package.deleted_at is not None or package.storage_key is None:
        return LinkLookup(None, "deleted")
    if package.revoked_at is not None:
        return LinkLookup(None, "revoked")
    if package.expires_at is None or package.expires_at <= now:
        return LinkLookup(None, "expired")
    return LinkLookup(package, None)


def record_download(session: Session, package: AccessPackage, now: datetime) -> None:
    """Count and audit one download through the link."""
    package.downloads += 1
    package.last_downloaded_at = now
    audit.record(
        session,
        actor="requester (download link)",
        action="access_request.package_download",
        subject_type="access_request",
        subject_id=str(package.access_request_id),
        details={"package_id": package.id, "download": package.downloads},
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


def close(
    session: Session, request: AccessRequest, *, actor: str, now: datetime
) -> tuple[AccessRequest, list[str]]:
    """Close: release the request's holds and shred its packages; returns keys to delete.

    The holds are those on its calls, and those on recordings that requests registered before
    calls were held placed. The keys include the one its last packaging job stored under, in
    case that job stored a package it never recorded (deleting a missing object is fine).
    """
    _open(request)
    if request.package_state in BUSY_STATES:
        raise AccessRequestConflict("a package is being made: wait for it before closing")
    released = 0
    for hold_id in list(session.scalars(_hold_ids(request))):
        try:
            release_hold(session, hold_id, actor, now=now)
            released += 1
        except HoldAlreadyReleased:  # released by hand through the holds API
            pass
    packages = session.scalars(
        select(AccessPackage).where(
            AccessPackage.access_request_id == request.id, AccessPackage.deleted_at.is_(None)
        )
    ).all()
    keys = [shred_package(package, now) for package in packages] + [job_package_key(request)]
    request.status, request.closed_at, request.closed_by = RequestStatus.CLOSED, now, actor
    _audit(
        session,
        request,
        actor,
        "access_request.close",
        holds_released=released,
        packages_deleted=len(packages),
    )
    return request, [k for k in dict.fromkeys(keys) if k]


def _hold_ids(request: AccessRequest) -> CompoundSelect:
    """SQL: ids of the holds the request placed, in order."""
    on_calls = select(AccessRequestCall.hold_id.label("id")).where(
        AccessRequestCall.access_request_id == request.id, AccessRequestCall.hold_id.is_not(None)
    )
    on_recordings = select(AccessRequestRecording.hold_id.label("id")).where(
        AccessRequestRecording.access_request_id == request.id,
        AccessRequestRecording.hold_id.is_not(None),
    )
    return union(on_calls, on_recordings).order_by("id")


def active_hold_ids(session: Session, request: AccessRequest) -> set[int]:
    """Ids of this request's holds that are still in force."""
    query = select(LegalHold.id).where(
        LegalHold.id.in_(_hold_ids(request).order_by(None)), LegalHold.released_at.is_(None)
    )
    return set(session.scalars(query))


def _iso_date(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _audit(
    session: Session,
    request: AccessRequest,
    actor: str,
    action: str,
    *,
    reason: str | None = None,
    **details: object,
) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        subject_type="access_request",
        subject_id=str(request.id),
        reason=reason,
        details={"reference": request.reference, **details},
    )
