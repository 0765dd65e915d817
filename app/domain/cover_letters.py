"""The cover letter for a request, addressed from what the request records (SPEC §8, §15)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from app.domain.access_requests import listed_recordings
from app.models import AccessRequest
from recordings.cover_letter import Letter

__all__ = ["cover_letter"]


def cover_letter(session: Session, request: AccessRequest, dated: date) -> Letter:
    """The letter for `request`, counting the recordings included so far."""
    included = sum(1 for listed in listed_recordings(session, request) if listed.include)
    return Letter(
        reference=request.reference,
        requester_name=request.requester_name,
        language=request.language or "en",
        dated=dated,
        received_on=request.received_on,
        postal_address=request.postal_address,
        contact_email=request.contact_email,
        recordings=included,
    )
