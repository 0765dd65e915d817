"""Calls: one row per inbound call, keyed by Twilio's CallSid."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class Outcome(StrEnum):
    """How a call ended."""

    ANSWERED = "answered"
    ABANDONED = "abandoned"
    OUT_OF_HOURS = "out_of_hours"
    FAILED = "failed"


class OptOutSource(StrEnum):
    """Who said the caller does not want to be recorded."""

    CALLER_KEYPRESS = "caller_keypress"
    ADVISOR = "advisor"


PARTIAL_INDEXES = (
    ("ix_calls_service_dequeued", ("service_code", "dequeued_at"), "service_code IS NOT NULL"),
    (
        "ix_calls_routing_queue",
        ("routing_state", "queue_priority", "queue_sort_at"),
        "routing_state IS NOT NULL",
    ),
    (
        "ix_calls_assigned_advisor_state",
        ("assigned_advisor_id", "routing_state"),
        "assigned_advisor_id IS NOT NULL",
    ),
    # The board's figures for today count only calls offered to a queue (SPEC §14).
    ("ix_calls_offered_started_at", ("started_at",), "enqueued_at IS NOT NULL"),
)


class Call(Base):
    """An inbound call to the contact line."""

    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_from_number_started_at", "from_number", "started_at"),
        # Partial: a new call has no service, routing state, advisor or queue yet, so the
        # incoming-call webhook's insert (every call) maintains none of these (migration 0010).
        *(
            Index(name, *columns, postgresql_where=text(where), sqlite_where=text(where))
            for name, columns, where in PARTIAL_INDEXES
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(34), unique=True)
    from_number: Mapped[str | None] = mapped_column(String(16))
    to_number: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    twilio_status: Mapped[str | None] = mapped_column(String(16))
    recording_opted_out: Mapped[bool] = mapped_column(Boolean, default=False)
    opted_out_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    opt_out_source: Mapped[str | None] = mapped_column(String(20))
    service_code: Mapped[str | None] = mapped_column(String(40))
    enqueued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    dequeued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    queue_result: Mapped[str | None] = mapped_column(String(20))
    queue_wait_seconds: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration_seconds: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(String(16))
    # The caller's language (SPEC §13); None on a line with one language until it is chosen.
    language: Mapped[str | None] = mapped_column(String(5))
    # When a caller waiting for their language accepted the next advisor in another one.
    any_language_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Routing (issue 3): the app keeps the queue order; Twilio's queue only holds the caller.
    queue_sid: Mapped[str | None] = mapped_column(String(34))
    queue_priority: Mapped[int | None] = mapped_column(Integer)
    queue_sort_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    routing_state: Mapped[str | None] = mapped_column(String(12))
    assigned_advisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL")
    )
