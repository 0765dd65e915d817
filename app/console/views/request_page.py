"""/console/requests/{id}: an access request's whole life on one page (SPEC §14). Every step
calls the domain service the API calls (so the same rules and audit), checks its fields with
the API's helpers, and answers by redirecting back with what happened (or why not)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from app.api import access_request_clock as clock_api
from app.api import access_requests as api
from app.api.validation import choice, day, stripped_text
from app.console import bp
from app.console.auth import console_roles, now
from app.console.request_forms import (
    CHOICES,
    AuthorityForm,
    ExtendForm,
    ReasonForm,
    RefuseForm,
    VerifyForm,
)
from app.db.session import request_session
from app.domain import access_request_clock as sar_clock
from app.domain import access_requests as sar
from app.domain import audit
from app.integrations.queue import enqueue
from app.models import AccessRequest, Authority, PackageState, Recording, Role
from app.web.errors import ApiError
from app.web.runtime import recording_store
from recordings.refusal_notice import RefusalGround
from recordings.subject_access import london_today

Step = Callable[[Session, AccessRequest], str]


def _request(request_id: int, *, lock: bool = False) -> AccessRequest:
    item = request_session().get(AccessRequest, request_id, with_for_update=lock)
    if item is None:
        abort(404)
    return item


def _actor() -> str:
    return str(g.staff.email)


def _form() -> dict[str, Any]:
    """The posted form as the API's JSON body (blank answers absent)."""
    return {k: v for k, v in request.form.items() if k != "csrf_token" and v.strip()}


def _page(item: AccessRequest, status: int = 200, **extra: Any) -> tuple[str, int]:
    session = request_session()
    audit.record(
        session,
        actor=_actor(),
        action="console.access_request_view",
        subject_type="access_request",
        subject_id=str(item.id),
        details={"reference": item.reference},
    )
    session.commit()
    today = london_today(now())
    page = render_template(
        "console/requests/show.html",
        item=item,
        flag=sar.request_flag(item, today),
        blocker=sar.fulfilment_blocker(session, item),
        listed=sar.listed_recordings(session, item),
        package=sar.current_package(session, item),
        notice=sar_clock.refusal_notice_of(item),
        busy=item.package_state in sar.BUSY_STATES,
        forms={
            "verify": VerifyForm(),
            "pause": ReasonForm(prefix="pause"),
            "extend": ExtendForm(),
            "authority": AuthorityForm(),
            "refuse": RefuseForm(),
        },
        choices=CHOICES,
        **extra,
    )
    return page, status


@bp.get("/requests/<int:request_id>")
@console_roles(Role.RECORDS_OFFICER)
def access_request(request_id: int) -> tuple[str, int]:
    """The request, its review list, its package and every step still open to it."""
    return _page(_request(request_id))


@bp.get("/requests/<int:request_id>/progress")
@console_roles(Role.RECORDS_OFFICER)
def request_progress(request_id: int) -> Response | str:
    """The packaging progress fragment htmx polls while a package is being made; once it is
    done, htmx reloads the whole page (the link and review steps change with it)."""
    item = _request(request_id)
    busy = item.package_state in sar.BUSY_STATES
    page = render_template("console/requests/_progress.html", item=item, busy=busy)
    if busy or "HX-Request" not in request.headers:
        return page
    return Response(page, headers={"HX-Refresh": "true"})


def _run(request_id: int, make: Callable[[], Step]) -> Response:
    """Check the form, run the step in a transaction, flash the outcome; back to the page."""
    session = request_session()
    try:
        step = make()
        item = _request(request_id, lock=True)
        done = step(session, item)
        session.commit()
        flash(done, "success")
    except (ApiError, sar.AccessRequestError, LookupError) as exc:
        session.rollback()
        g.pop("shredded", None)
        flash(exc.message if isinstance(exc, ApiError) else str(exc).strip("'\""), "error")
    # Closing shreds the packages' keys with the commit; removing the ciphertext is tidying.
    sar.delete_objects(recording_store(), g.pop("shredded", []))
    return redirect(url_for("console.access_request", request_id=request_id))


def _post(path: str) -> Callable[[Callable[..., Step]], Callable[..., Response]]:
    """Route a POST step under /requests/{id}/ for records officers."""

    def register(make: Callable[..., Step]) -> Callable[..., Response]:
        @bp.post(f"/requests/<int:request_id>/{path}", endpoint=f"request_{make.__name__}")
        @console_roles(Role.RECORDS_OFFICER)
        def view(request_id: int, **kwargs: Any) -> Response:
            return _run(request_id, lambda: make(**kwargs))

        view.__doc__ = make.__doc__
        return view

    return register


@_post("verify")
def verify() -> Step:
    """Identity verified: the clock starts."""
    verified_on = day(_form(), "verified_on") or london_today(now())

    def step(session: Session, item: AccessRequest) -> str:
        sar.verify_identity(session, item, verified_on, actor=_actor(), now=now())
        return f"Identity verified. Due {item.due_on:%-d %B %Y}."

    return step


@_post("pause")
def pause() -> Step:
    """Pause the clock for clarification."""
    reason = stripped_text(_form(), "reason", clock_api.PAUSE_REASON)

    def step(session: Session, item: AccessRequest) -> str:
        sar_clock.pause(session, item, reason, actor=_actor(), now=now())
        return "The clock is paused."

    return step


@_post("resume")
def resume() -> Step:
    """Restart the clock."""

    def step(session: Session, item: AccessRequest) -> str:
        sar_clock.resume(session, item, actor=_actor(), now=now())
        return f"The clock restarted. Due {item.due_on:%-d %B %Y}."

    return step


@_post("extend")
def extend() -> Step:
    """The one extension."""
    body = _form()
    months = int(body["months"]) if body.get("months") in ("1", "2") else 0
    if not months:
        raise ApiError(422, "invalid", "'months' must be 1 or 2.")
    reason = stripped_text(body, "reason", api.EXTENSION_REASON)

    def step(session: Session, item: AccessRequest) -> str:
        sar_clock.extend(session, item, months, reason, actor=_actor(), now=now())
        return f"Extended. Due {item.due_on:%-d %B %Y}."

    return step


@_post("authority")
def authority() -> Step:
    """Record a third party's authority."""
    body = _form()
    kind = choice(body, "authority", Authority)
    evidence = stripped_text(body, "authority_evidence", api.EVIDENCE)

    def step(session: Session, item: AccessRequest) -> str:
        sar.record_authority(session, item, str(kind), evidence, actor=_actor())
        return "Authority recorded."

    return step


@_post("refuse")
def refuse() -> Step:
    """Refuse with a ground and reason; the holds are released."""
    body = _form()
    ground = choice(body, "ground", RefusalGround)
    reason = stripped_text(body, "reason", clock_api.REFUSAL_REASON)

    def step(session: Session, item: AccessRequest) -> str:
        _, keys = sar_clock.refuse(session, item, str(ground), reason, actor=_actor(), now=now())
        g.shredded = keys
        return "Refused and closed; its holds are released. Send the requester the notice."

    return step


@_post("close")
def close() -> Step:
    """Close: holds released, package deleted."""

    def step(session: Session, item: AccessRequest) -> str:
        _, keys = sar.close(session, item, actor=_actor(), now=now())
        g.shredded = keys
        return "Closed; its holds are released."

    return step


@_post("recordings/<recording_sid>")
def review(recording_sid: str) -> Step:
    """Include or exclude one recording (its redactions kept)."""
    include = request.form.get("include") == "yes"
    reason = stripped_text(_form(), "reason", api.EXTENSION_REASON, required=False)

    def step(session: Session, item: AccessRequest) -> str:
        recording = _recording(session, recording_sid)
        listed = {r.recording.id: r for r in sar.listed_recordings(session, item)}
        kept = listed[recording.id].redactions if recording.id in listed else []
        ranges = [sar.Redaction(r["start"], r["end"], r.get("reason")) for r in kept]
        sar.review_recording(
            session,
            item,
            recording,
            include=include,
            redactions=ranges,
            reason=reason,
            actor=_actor(),
            now=now(),
        )
        return f"{recording_sid} {'included' if include else 'excluded'}."

    return step


def _recording(session: Session, recording_sid: str) -> Recording:
    found = session.scalar(select(Recording).where(Recording.recording_sid == recording_sid))
    if found is None:
        raise LookupError(f"No recording {recording_sid}")
    return found


@bp.post("/requests/<int:request_id>/fulfil")
@console_roles(Role.RECORDS_OFFICER)
def request_fulfil(request_id: int) -> Response:
    """Queue the packaging job; the page then shows its progress."""
    session, settings = request_session(), current_app.config["SETTINGS"]
    try:
        item = _request(request_id, lock=True)
        _, job_id = sar.start_fulfilment(session, item, actor=_actor())
        session.commit()
    except sar.AccessRequestError as exc:
        session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("console.access_request", request_id=request_id))
    if enqueue(settings, sar.PACKAGE_JOB, item.id, job_id=job_id) is None:
        item.package_state, item.package_error = PackageState.FAILED, "the job queue is down"
        session.commit()
        flash("The job queue is unreachable: try again.", "error")
    else:
        flash("Packaging started.", "success")
    return redirect(url_for("console.access_request", request_id=request_id))


@bp.post("/requests/<int:request_id>/link")
@console_roles(Role.RECORDS_OFFICER)
def request_issue_link(request_id: int) -> Response | tuple[str, int]:
    """Issue a fresh download link (any earlier one stops working); shown once, to copy."""
    session, settings = request_session(), current_app.config["SETTINGS"]
    item = _request(request_id, lock=True)
    package = sar.current_package(session, item) if item.status == "open" else None
    if package is None:
        flash("There is no package to link to.", "error")
        return redirect(url_for("console.access_request", request_id=request_id))
    ttl = timedelta(days=settings.access_link_days)
    token = sar.issue_link(session, package, ttl, actor=_actor(), now=now())
    session.commit()
    return _page(item, issued_link=f"{settings.public_base_url}/access/{token}")


@bp.post("/requests/<int:request_id>/link/revoke")
@console_roles(Role.RECORDS_OFFICER)
def request_revoke_link(request_id: int) -> Response:
    """Revoke the download link at once."""

    def step(session: Session, item: AccessRequest) -> str:
        package = sar.current_package(session, item)
        if package is None:
            raise LookupError("There is no package.")
        sar.revoke_link(session, package, actor=_actor(), now=now())
        return "The download link no longer works."

    return _run(request_id, lambda: step)
