"""Reviewing a subject access request's recordings: the list, include or exclude, redactions.

Registration holds each matching call, not the recordings found then: a call's hold covers
every recording of it, including one we learn of only later (the call still in progress, its
callback late or lost and the recording found by the retention sweep). The review list is read
from the calls each time (`listed_recordings`), so such a recording joins it, included until
the officer decides otherwise; a review row stores only what the officer decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CompoundSelect, and_, func, or_, select, union
from sqlalchemy.orm import Session

from app.domain.access_requests._shared import (
    BUSY_STATES,
    AccessRequestConflict,
    AccessRequestInvalid,
    audit_step,
    ensure_open,
)
from app.models import (
    AccessRequest,
    AccessRequestCall,
    AccessRequestRecording,
    Call,
    Recording,
    RecordingStatus,
    Relationship,
    RequestStatus,
)
from recordings.audio import InvalidRedaction, validate_redactions

__all__ = [
    "ListedRecording",
    "Redaction",
    "fulfilment_blocker",
    "listed_count",
    "listed_recordings",
    "review_recording",
]

HELD_STATUSES = (RecordingStatus.PENDING, RecordingStatus.STORED)


@dataclass(frozen=True)
class Redaction:
    """A range of a recording, in seconds, to replace with silence; and why."""

    start: float
    end: float
    reason: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The stored form."""
        return {"start": self.start, "end": self.end, "reason": self.reason}


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
    ensure_open(request)
    if request.package_state in BUSY_STATES:
        raise AccessRequestConflict("a package is being made: wait for it before changing it")
    item = _item(session, request, recording)
    ranges = _checked_ranges(recording, redactions) if redactions else []
    item.include, item.reason = include, (reason or "").strip() or None
    item.redactions = [r.as_json() for r in ranges]
    item.reviewed_by, item.reviewed_at = actor, now
    audit_step(
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
