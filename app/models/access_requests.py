"""Subject access requests for recordings (SPEC §8), their review and their packages."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UtcDateTime, utcnow


class Relationship(StrEnum):
    """Who is asking: the data subject, or a third party acting for them."""

    DATA_SUBJECT = "data_subject"
    THIRD_PARTY = "third_party"


class Authority(StrEnum):
    """What lets a third party act for the data subject."""

    CONSENT = "consent"
    POWER_OF_ATTORNEY = "power_of_attorney"
    COURT_ORDER = "court_order"


class RequestStatus(StrEnum):
    """Open until the officer closes it."""

    OPEN = "open"
    CLOSED = "closed"


class PackageState(StrEnum):
    """Progress of the packaging job, shown on the request."""

    QUEUED = "queued"
    RUNNING = "running"
    READY = "ready"
    FAILED = "failed"


class AccessRequest(Base):
    """One subject access request for call recordings."""

    __tablename__ = "access_requests"
    __table_args__ = (Index("ix_access_requests_status_due_on", "status", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    requester_name: Mapped[str] = mapped_column(String(200))
    requester_relationship: Mapped[str] = mapped_column(String(20))
    data_subject_name: Mapped[str | None] = mapped_column(String(200))
    authority: Mapped[str | None] = mapped_column(String(20))
    authority_evidence: Mapped[str | None] = mapped_column(String(200))
    phone_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)  # E.164
    date_from: Mapped[date | None] = mapped_column(Date)  # Europe/London dates, inclusive
    date_to: Mapped[date | None] = mapped_column(Date)
    # [{"type": "nhs_number" | "other", "value": str}]: kept on the request, not matched on calls
    person_references: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    received_on: Mapped[date] = mapped_column(Date)
    identity_pending: Mapped[bool] = mapped_column(Boolean, default=False)
    identity_verified_on: Mapped[date | None] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)  # None while identity is pending
    extended_by_months: Mapped[int | None] = mapped_column(Integer)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    extended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[str] = mapped_column(String(10), default=RequestStatus.OPEN)
    package_state: Mapped[str | None] = mapped_column(String(10))
    package_job_id: Mapped[str | None] = mapped_column(String(64))
    package_progress: Mapped[int] = mapped_column(Integer, default=0)  # recordings done
    package_total: Mapped[int] = mapped_column(Integer, default=0)
    package_error: Mapped[str | None] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(254))
    # How it reached us (phone, letter, in_person, email, online) and the language to answer in.
    channel: Mapped[str | None] = mapped_column(String(12))
    language: Mapped[str] = mapped_column(String(2), default="en")
    contact_email: Mapped[str | None] = mapped_column(String(254))
    postal_address: Mapped[str | None] = mapped_column(Text)
    requester_note: Mapped[str | None] = mapped_column(Text)
    # The online form's duplicate check: a digest of the answers, not the answers.
    submission_digest: Mapped[str | None] = mapped_column(String(64), index=True)
    # Paused while awaiting clarification: the due date moves by the days paused.
    paused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    pause_reason: Mapped[str | None] = mapped_column(Text)
    paused_days: Mapped[int] = mapped_column(Integer, default=0)
    # Refused as manifestly unfounded or excessive (UK GDPR art. 12(5)).
    refused_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    refusal_ground: Mapped[str | None] = mapped_column(String(24))
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[str | None] = mapped_column(String(254))

    recordings: Mapped[list[AccessRequestRecording]] = relationship(
        back_populates="request", order_by="AccessRequestRecording.id"
    )
    calls: Mapped[list[AccessRequestCall]] = relationship(
        back_populates="request", order_by="AccessRequestCall.id"
    )

    @property
    def reference(self) -> str:
        """The reference quoted to the requester and on holds, e.g. `SAR-000042`."""
        return f"SAR-{self.id:06d}"


class AccessRequestCall(Base):
    """A call a request matched when it was registered, and the hold the request put on it.

    The hold covers every recording of the call, those we learn of later included, and those
    recordings join the request's review list. Links of requests registered before calls were
    held (added by migration 0006) have no hold: those requests held the recordings they found.
    """

    __tablename__ = "access_request_calls"
    __table_args__ = (UniqueConstraint("access_request_id", "call_id", name="uq_arc_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access_request_id: Mapped[int] = mapped_column(
        ForeignKey("access_requests.id", ondelete="CASCADE")
    )
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("legal_holds.id"))

    request: Mapped[AccessRequest] = relationship(back_populates="calls")


class AccessRequestRecording(Base):
    """The officer's review of one of a request's recordings: included or not, what to redact.

    Requests registered before calls were held also have one row for each recording they found
    at registration, with the hold they placed on it (`hold_id`).
    """

    __tablename__ = "access_request_recordings"
    __table_args__ = (UniqueConstraint("access_request_id", "recording_id", name="uq_arr_pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    access_request_id: Mapped[int] = mapped_column(
        ForeignKey("access_requests.id", ondelete="CASCADE"), index=True
    )
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id"), index=True)
    hold_id: Mapped[int | None] = mapped_column(ForeignKey("legal_holds.id"))
    include: Mapped[bool] = mapped_column(Boolean, default=True)
    # [{"start": float, "end": float, "reason": str | None}], seconds from the start
    redactions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    reason: Mapped[str | None] = mapped_column(Text)  # for exclusion, or every redaction
    reviewed_by: Mapped[str | None] = mapped_column(String(254))
    reviewed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    request: Mapped[AccessRequest] = relationship(back_populates="recordings")


class AccessPackage(Base):
    """The encrypted ZIP made for a request, and the one download link to it."""

    __tablename__ = "access_packages"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=lambda: uuid4().hex)
    access_request_id: Mapped[int] = mapped_column(
        ForeignKey("access_requests.id", ondelete="CASCADE"), index=True
    )
    storage_key: Mapped[str | None] = mapped_column(String(200))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    master_key_id: Mapped[str | None] = mapped_column(String(20))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    recording_count: Mapped[int] = mapped_column(Integer, default=0)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    link_issued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    downloads: Mapped[int] = mapped_column(Integer, default=0)
    last_downloaded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
