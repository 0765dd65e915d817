"""Mail jobs: the confirmation sent to someone who used the online form (SPEC §15).

Jobs take ids and retry (RQ `Retry`, see app.integrations.queue.enqueue) when the SMTP server
fails. A confirmation already sent (audited) is not sent again. The message carries the
reference only: no recording, no phone number.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from app.domain import audit
from app.domain.online_requests import CONFIRMATION_JOB
from app.integrations import mail
from app.models import AccessRequest, AuditEntry
from app.runtime import current
from recordings.correspondence import words

__all__ = ["CONFIRMATION_JOB", "send_request_confirmation"]

log = logging.getLogger(__name__)
SENT = "access_request.confirmation_sent"
ACTOR = "system (mail job)"


def send_request_confirmation(request_id: int) -> str:
    """Email the requester their reference and what happens next, in their language."""
    runtime = current()
    with runtime.db.transaction() as session:
        request = session.get(AccessRequest, request_id)
        if request is None or not request.contact_email:
            return "no email address"
        already = select(AuditEntry.id).where(
            AuditEntry.action == SENT, AuditEntry.subject_id == str(request_id)
        )
        if session.scalar(already.limit(1)) is not None:
            return "already sent"
        text = words(request.language)
        message = mail.compose(
            runtime.settings,
            request.contact_email,
            text["mail_subject"].format(reference=request.reference),
            text["mail_body"].format(name=request.requester_name, reference=request.reference),
            request.language,
        )
        mail.send(runtime.settings, message)
        audit.record(
            session,
            actor=ACTOR,
            action=SENT,
            subject_type="access_request",
            subject_id=str(request_id),
            details={"language": request.language},
        )
    return "sent"
