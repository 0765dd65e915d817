"""Arranging callers and advisors with languages (SPEC §13) for routing tests."""

from __future__ import annotations

from sqlalchemy import update

from app.extensions import db
from app.models import Call, Staff


def speaks(staff_id: int, *languages: str) -> None:
    """Record the advisor's languages."""
    with db.transaction() as session:
        session.execute(update(Staff).where(Staff.id == staff_id).values(languages=list(languages)))


def caller_language(call_id: int, language: str) -> None:
    """Record the caller's chosen language."""
    with db.transaction() as session:
        session.execute(update(Call).where(Call.id == call_id).values(language=language))
