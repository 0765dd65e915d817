"""Pause, resume and refuse an access request (SPEC §8, §12); the clock rules are in the domain."""

from __future__ import annotations

from flask import jsonify, request

from app.api import bp
from app.api.access_requests import clock_now, commit_and_show, request_json, request_or_404
from app.api.formats import free_text
from app.api.validation import choice, json_body, stripped_text
from app.db.session import request_session
from app.domain import access_request_clock as sar_clock
from app.domain import access_requests as sar
from app.models import Role
from app.web.auth import current_staff, require_roles
from app.web.runtime import recording_store
from recordings.refusal_notice import RefusalGround

PAUSE_REASON = free_text(2000)
REFUSAL_REASON = free_text(4000)


@bp.post("/access-requests/<int:request_id>/pause")
@require_roles(Role.RECORDS_OFFICER)
def pause_access_request(request_id: int):  # noqa: ANN201
    """Stop the clock while awaiting the requester's clarification."""
    reason = stripped_text(json_body(), "reason", PAUSE_REASON)
    item = request_or_404(request_id, lock=True)
    sar_clock.pause(request_session(), item, reason, actor=current_staff().email, now=clock_now())
    return commit_and_show(item)


@bp.post("/access-requests/<int:request_id>/resume")
@require_roles(Role.RECORDS_OFFICER)
def resume_access_request(request_id: int):  # noqa: ANN201
    """Restart the clock: the due date moves by the whole days paused."""
    if request.get_data():
        json_body()  # a body, if sent, must still be JSON
    item = request_or_404(request_id, lock=True)
    sar_clock.resume(request_session(), item, actor=current_staff().email, now=clock_now())
    return commit_and_show(item)


@bp.post("/access-requests/<int:request_id>/refuse")
@require_roles(Role.RECORDS_OFFICER)
def refuse_access_request(request_id: int):  # noqa: ANN201
    """Refuse as manifestly unfounded or excessive: the notice is stored, the holds released."""
    body = json_body()
    ground = choice(body, "ground", RefusalGround)
    reason = stripped_text(body, "reason", REFUSAL_REASON)
    session = request_session()
    item = request_or_404(request_id, lock=True)
    _, keys = sar_clock.refuse(
        session, item, ground, reason, actor=current_staff().email, now=clock_now()
    )
    session.commit()
    sar.delete_objects(recording_store(), keys)
    return jsonify(request_json(session, item, detail=True))
