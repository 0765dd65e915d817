"""Legal holds that stop deletion, and the record of every deletion retention made (SPEC §7)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow
from app.models.calls import Call


class HoldKind(StrEnum):
    """Why a legal hold was placed."""

    ACCESS_REQUEST = "access_request"
    COMPLAINT = "complaint"
    INVESTIGATION = "investigation"


class LegalHold(Base):
    """A hold on one call, one recording, or every call from one number; active until released."""

    __tablename__ = "legal_holds"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN call_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN recording_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN number IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_target",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    reference: Mapped[str] = mapped_column(String(120))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("recordings.id"), index=True)
    number: Mapped[str | None] = mapped_column(String(16), index=True)  # E.164
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    released_by: Mapped[str | None] = mapped_column(String(254))

    @property
    def active(self) -> bool:
        """True until the hold is released."""
        return self.released_at is None


ACTIVE_HOLD = "released_at IS NULL"
ACTIVE_CALL_HOLD = "released_at IS NULL AND call_id IS NOT NULL"
# The holds page: the newest in force first (migration 0012).
LEGAL_HOLDS_ACTIVE_INDEX = Index(
    "ix_legal_holds_active",
    LegalHold.id,
    postgresql_where=text(ACTIVE_HOLD),
    sqlite_where=text(ACTIVE_HOLD),
)
# The retention report reads the calls under active holds as one set (migration 0012).
LEGAL_HOLDS_ACTIVE_CALL_INDEX = Index(
    "ix_legal_holds_active_call",
    LegalHold.call_id,
    postgresql_where=text(ACTIVE_CALL_HOLD),
    sqlite_where=text(ACTIVE_CALL_HOLD),
)


class DeletedWhat(StrEnum):
    """What a deletion record says was destroyed."""

    AUDIO_AND_KEY = "audio+key"  # our encrypted object and its wrapped data key
    TWILIO_COPY = "twilio-copy"  # the recording's copy at Twilio
    CALLER_NUMBER = "caller-number"  # call metadata anonymised


class DeletionRecord(Base):
    """Proof of one deletion: what, when, under which rule. Never audio, keys or numbers."""

    __tablename__ = "deletion_records"
    __table_args__ = (UniqueConstraint("recording_sid", "what", name="uq_deletion_records_once"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recording_sid: Mapped[str | None] = mapped_column(String(34))
    call_sid: Mapped[str | None] = mapped_column(String(34), index=True)
    what: Mapped[str] = mapped_column(String(20))
    rule: Mapped[str] = mapped_column(String(60))
    deleted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)


# Call metadata retention looks for calls by age; declared here, beside the rule that needs it.
CALLS_STARTED_AT_INDEX = Index("ix_calls_started_at", Call.started_at)
