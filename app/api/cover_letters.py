"""GET /api/access-requests/{id}/cover-letter: the officer previews the requester's letter."""

from __future__ import annotations

from flask import Response, current_app, request

from app.api import bp
from app.db.session import request_session
from app.domain import audit
from app.domain.cover_letters import cover_letter
from app.models import AccessRequest, Role
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError
from recordings.cover_letter import letter_pdf, letter_text
from recordings.subject_access import london_today

FORMATS = ("pdf", "txt")


@bp.get("/access-requests/<int:request_id>/cover-letter")
@require_roles(Role.RECORDS_OFFICER)
def preview_cover_letter(request_id: int) -> Response:
    """The cover letter as it would be sent today, in the request's language (PDF or text)."""
    kind = request.args.get("format", "pdf")
    if kind not in FORMATS:
        raise ApiError(422, "invalid", "'format' must be pdf or txt.")
    session = request_session()
    item = session.get(AccessRequest, request_id)
    if item is None:
        raise ApiError(404, "not_found", f"No access request {request_id}.")
    letter = cover_letter(session, item, london_today(current_app.config["CLOCK"]()))
    audit.record(
        session,
        actor=current_staff().email,
        action="access_request.cover_letter_preview",
        subject_type="access_request",
        subject_id=str(item.id),
        details={"format": kind},
    )
    session.commit()
    name = f"cover-letter-{item.reference}.{kind}"
    headers = {"Content-Disposition": f'inline; filename="{name}"', "Cache-Control": "no-store"}
    if kind == "txt":
        return Response(letter_text(letter), mimetype="text/plain", headers=headers)
    return Response(letter_pdf(letter), mimetype="application/pdf", headers=headers)
