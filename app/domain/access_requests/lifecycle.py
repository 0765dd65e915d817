"""A subject access request from registration to closing (SPEC §8).

Register (finding and holding every matching call), verify the requester's identity, extend
the due date once, record a third party's authority, flag what is overdue or due soon, close.
The rules (due dates, extensions) live in `recordings.subject_access`; this is the I/O around
them. Every function works in the caller's transaction and audits its step; phone numbers
appear in the audit log masked only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import CompoundSelect, Select, select, union
from sqlalchemy.orm import Session

from app.domain.access_requests._shared import (
    BUSY_STATES,
    AccessRequestConflict,
    AccessRequestError,
    AccessRequestInvalid,
    audit_step,
    ensure_open,
)
from app.domain.access_requests.packages import job_package_key, shred_package
from app.domain.access_requests.review import listed_count
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
    Relationship,
    RequestStatus,
)
from recordings.retention import LONDON
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
    "NewAccessRequest",
    "active_hold_ids",
    "close",
    "extend",
    "matching_calls_query",
    "record_authority",
    "register",
    "request_flag",
    "verify_identity",
]


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
    # How it reached us, the language to answer in (SPEC §13), and how to reply (SPEC §15).
    channel: str | None = None
    language: str = "en"
    contact_email: str | None = None
    postal_address: str | None = None
    requester_note: str | None = None
    submission_digest: str | None = None


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
    audit_step(
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


def request_flag(request: AccessRequest, today: date) -> str | None:
    """'overdue', 'due_soon' or None (closed, or clock not started)."""
    if request.due_on is None:
        return None
    return flag(request.due_on, today, request.status == RequestStatus.CLOSED)


def verify_identity(
    session: Session, request: AccessRequest, verified_on: date, *, actor: str, now: datetime
) -> AccessRequest:
    """Identity checked: the clock starts on `verified_on` (never before receipt)."""
    ensure_open(request)
    if not request.identity_pending or request.identity_verified_on is not None:
        raise AccessRequestConflict("identity was not pending for this request")
    if verified_on > london_today(now):
        raise AccessRequestInvalid("verified_on cannot be in the future")
    request.identity_verified_on = verified_on
    request.due_on = _compute_due(request)
    audit_step(
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
    ensure_open(request)
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
            current_due=request.due_on,  # moved later by any days paused
        )
    except AccessRequestRuleError as exc:
        raise AccessRequestConflict(str(exc)) from exc
    previous = request.due_on
    request.extended_by_months, request.extension_reason = months, reason.strip()
    request.extended_at, request.due_on = now, new_due
    audit_step(
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
    ensure_open(request)
    if request.requester_relationship != Relationship.THIRD_PARTY:
        raise AccessRequestConflict("the requester is the data subject: no authority is needed")
    _check_authority(request.requester_relationship, authority, evidence)
    request.authority, request.authority_evidence = authority, evidence.strip()
    audit_step(
        session,
        request,
        actor,
        "access_request.authority",
        authority=authority,
        evidence_reference=request.authority_evidence,
    )
    return request


def close(
    session: Session, request: AccessRequest, *, actor: str, now: datetime
) -> tuple[AccessRequest, list[str]]:
    """Close: release the request's holds and shred its packages; returns keys to delete.

    The holds are those on its calls, and those on recordings that requests registered before
    calls were held placed. The keys include the one its last packaging job stored under, in
    case that job stored a package it never recorded (deleting a missing object is fine).
    """
    ensure_open(request)
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
    audit_step(
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
