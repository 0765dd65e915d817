"""Routing state: where a caller stands in the app's queue, and each advisor leg of a call."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class RoutingState(StrEnum):
    """Where a call is in routing (kept on `calls.routing_state`)."""

    WAITING = "waiting"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    DONE = "done"


class LegKind(StrEnum):
    """Why an advisor leg was dialled."""

    FIRST = "first"
    TRANSFER = "transfer"


class CallLeg(Base):
    """One attempt to connect the caller to one advisor."""

    __tablename__ = "call_legs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    advisor_id: Mapped[int | None] = mapped_column(
        ForeignKey("staff.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default=LegKind.FIRST)
    dial_call_sid: Mapped[str | None] = mapped_column(String(34))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    result: Mapped[str | None] = mapped_column(String(16))
    recorded: Mapped[bool] = mapped_column(Boolean, default=False)
