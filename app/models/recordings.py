"""Recordings of advisor legs, and the privacy alerts raised when old ones are opened."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UtcDateTime, utcnow
from app.models.calls import Call


class RecordingStatus(StrEnum):
    """Where a recording is in its life (SPEC §6)."""

    PENDING = "pending"  # announced by Twilio, not yet stored
    STORED = "stored"  # encrypted in our store, verified; Twilio's copy deleted or to be
    DISCARDED = "discarded"  # the caller opted out: never stored
    DELETED = "deleted"  # retention (or hold release) deleted it; its key destroyed
    FAILED = "failed"  # Twilio reported the recording absent or failed


class Recording(Base):
    """One recording, keyed by Twilio's RecordingSid; audio lives encrypted in the store."""

    __tablename__ = "recordings"
    __table_args__ = (
        # SQLite only: its planner reads the partial index below only when a statement's
        # condition is written as the index's is; PostgreSQL reads the partial index, and
        # dropped this one (0013), which only cost the sweep's UPDATEs there.
        Index("ix_recordings_status_delete_after", "status", "delete_after").ddl_if(
            dialect="sqlite"
        ),
        # The reconcile job's two queries (pending; a copy still at Twilio). PostgreSQL indexes
        # only the rows they can ask for (0014); SQLite's planner would not take that index.
        Index("ix_recordings_status_updated_at", "status", "updated_at").ddl_if(dialect="sqlite"),
        Index(
            "ix_recordings_to_reconcile",
            "status",
            "updated_at",
            postgresql_where=text("status = 'pending' OR twilio_deleted_at IS NULL"),
        ).ddl_if(dialect="postgresql"),
        # Recordings without a call row, looked up by CallSid instead (holds, the report); 0014.
        Index(
            "ix_recordings_without_call_id",
            "call_id",
            postgresql_where=text("call_id IS NULL"),
            sqlite_where=text("call_id IS NULL"),
        ),
        # The retention report's counts read this index alone on PostgreSQL (migration 0012).
        Index(
            "ix_recordings_stored_delete_after",
            "delete_after",
            postgresql_include=["call_id", "id"],
            postgresql_where=text("status = 'stored'"),
            sqlite_where=text("status = 'stored'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_sid: Mapped[str] = mapped_column(String(34), unique=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    call_sid: Mapped[str] = mapped_column(String(34), index=True)
    status: Mapped[str] = mapped_column(String(10), default=RecordingStatus.PENDING)
    twilio_status: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(30))
    channels: Mapped[int | None] = mapped_column(Integer)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    storage_key: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    master_key_id: Mapped[str | None] = mapped_column(String(20))
    delete_after: Mapped[datetime | None] = mapped_column(UtcDateTime)
    stored_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    twilio_deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ingest_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    call: Mapped[Call | None] = relationship()


class PrivacyAlert(Base):
    """An access to an old recording that records officers should look at (SPEC §6)."""

    __tablename__ = "privacy_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_id: Mapped[int] = mapped_column(ForeignKey("recordings.id"), index=True)
    staff_email: Mapped[str] = mapped_column(String(254))
    reason: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(60))
    raised_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Closed by a records officer: `legitimate` or `breach`, with a note (SPEC §12).
    outcome: Mapped[str | None] = mapped_column(String(12))
    outcome_note: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[str | None] = mapped_column(String(254))
    # A breach: reported to the ICO within 72 hours, and the caller told, or why not.
    ico_reported_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ico_report_note: Mapped[str | None] = mapped_column(Text)
    subject_told_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    subject_told_note: Mapped[str | None] = mapped_column(Text)
