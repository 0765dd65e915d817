"""An access request's package for records officers: review its recordings, fulfil it, issue
and revoke the requester's download link (SPEC §8, §12).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import current_app, jsonify
from sqlalchemy import select

from app.api import bp
from app.api.access_requests import clock_now, commit_and_show, iso, request_or_404
from app.api.formats import RECORDING_SID, free_text, matches
from app.api.validation import bounded_list, field, json_body, stripped_text
from app.db.session import request_session
from app.domain import access_requests as sar
from app.integrations.queue import enqueue
from app.models import AccessRequest, PackageState, Recording, RequestStatus, Role
from app.web.auth import current_staff, require_roles
from app.web.errors import ApiError

MAX_REDACTIONS = 200
REVIEW_REASON = free_text(2000, blank=True)
REDACTION_REASON = free_text(500, blank=True)


def _redactions(body: dict[str, Any]) -> list[sar.Redaction]:
    return [_redaction(item) for item in bounded_list(body, "redactions", MAX_REDACTIONS)]


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ApiError(422, "invalid", "Redaction bounds are seconds from the start, 0 or more.")
    return float(value)


def _redaction(item: Any) -> sar.Redaction:
    if isinstance(item, list) and len(item) == 2:
        return sar.Redaction(_seconds(item[0]), _seconds(item[1]))
    if isinstance(item, dict) and "start" in item and "end" in item:
        reason = stripped_text(item, "reason", REDACTION_REASON, required=False)
        return sar.Redaction(_seconds(item["start"]), _seconds(item["end"]), reason)
    raise ApiError(
        422,
        "invalid",
        'Each redaction is [start_s, end_s] or {"start": s, "end": s, "reason": text}.',
    )


def _recording_or_404(recording_sid: str) -> Recording:
    found = None
    if matches(RECORDING_SID, recording_sid):
        query = select(Recording).where(Recording.recording_sid == recording_sid)
        found = request_session().scalar(query)
    if found is None:
        raise ApiError(404, "not_found", f"No recording {recording_sid}.")
    return found


@bp.patch("/access-requests/<int:request_id>/recordings/<recording_sid>")
@require_roles(Role.RECORDS_OFFICER)
def review_recording(request_id: int, recording_sid: str):  # noqa: ANN201
    """Include or exclude one recording and mark the ranges to silence."""
    body = json_body()
    include = field(body, "include", bool)
    redactions = _redactions(body)
    reason = stripped_text(body, "reason", REVIEW_REASON, required=False)
    item = request_or_404(request_id, lock=True)
    recording = _recording_or_404(recording_sid)
    # "Not one of this request's recordings": a builtin, so translated here, not in errors.py
    # (a handler for LookupError there would turn any KeyError into a 404).
    try:
        sar.review_recording(
            request_session(),
            item,
            recording,
            include=include,
            redactions=redactions,
            reason=reason,
            actor=current_staff().email,
            now=clock_now(),
        )
    except LookupError as exc:
        raise ApiError(404, "not_found", str(exc)) from exc
    return commit_and_show(item)


@bp.post("/access-requests/<int:request_id>/fulfil")
@require_roles(Role.RECORDS_OFFICER)
def fulfil(request_id: int):  # noqa: ANN201
    """Queue the packaging job; answers with the job's state and id."""
    session, settings = request_session(), current_app.config["SETTINGS"]
    item = request_or_404(request_id, lock=True)
    _, job_id = sar.start_fulfilment(session, item, actor=current_staff().email)
    session.commit()
    if enqueue(settings, sar.PACKAGE_JOB, item.id, job_id=job_id) is None:
        item.package_state, item.package_error = PackageState.FAILED, "the job queue is down"
        session.commit()
        raise ApiError(503, "queue_unavailable", "The job queue is unreachable: try again.")
    return jsonify({"state": item.package_state, "job_id": job_id}), 202


def _package_or_404(item: AccessRequest):  # noqa: ANN202
    package = sar.current_package(request_session(), item)
    if package is None:
        if item.package_state in (PackageState.QUEUED, PackageState.RUNNING):
            raise ApiError(409, "not_ready", f"The package is still {item.package_state}.")
        raise ApiError(404, "not_found", f"{item.reference} has no package: fulfil it first.")
    return package


@bp.get("/access-requests/<int:request_id>/package")
@require_roles(Role.RECORDS_OFFICER)
def get_package(request_id: int):  # noqa: ANN201
    """A fresh download link for the requester (any earlier link stops working)."""
    session, settings = request_session(), current_app.config["SETTINGS"]
    item = request_or_404(request_id, lock=True)
    if item.status != RequestStatus.OPEN:
        raise ApiError(409, "conflict", f"{item.reference} is closed: its package is deleted.")
    package = _package_or_404(item)
    ttl = timedelta(days=settings.access_link_days)
    token = sar.issue_link(session, package, ttl, actor=current_staff().email, now=clock_now())
    session.commit()
    return jsonify(
        {
            "url": f"{settings.public_base_url}/access/{token}",
            "expires_at": iso(package.expires_at),
            "package_id": package.id,
            "recordings": package.recording_count,
            "size_bytes": package.size_bytes,
            "downloads": package.downloads,
        }
    )


@bp.delete("/access-requests/<int:request_id>/package")
@require_roles(Role.RECORDS_OFFICER)
def revoke_package_link(request_id: int):  # noqa: ANN201
    """Revoke the download link at once."""
    session = request_session()
    item = request_or_404(request_id, lock=True)
    package = _package_or_404(item)
    sar.revoke_link(session, package, actor=current_staff().email, now=clock_now())
    session.commit()
    return jsonify({"package_id": package.id, "revoked_at": iso(package.revoked_at)})
