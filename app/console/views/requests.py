"""GET /console/requests and GET/POST /console/requests/new: the records officer's list of
access requests and the registration of one made by phone, letter or in person (SPEC §14).

Registration checks each field with the staff API's own helpers, so the page refuses what the
API refuses, with the same words, shown next to the field concerned.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from app.api import access_requests as api
from app.api.errors import translation_for
from app.api.validation import choice, day, stripped_text
from app.console import bp
from app.console.auth import console_roles, now
from app.console.request_forms import CHANNELS, CHOICES, RegisterRequestForm
from app.db.session import request_session
from app.domain import access_request_listing as listing
from app.domain import access_requests as sar
from app.models import Authority, Relationship, Role
from app.web.errors import ApiError
from recordings.subject_access import InvalidNhsNumber, london_today

PAGE_SIZE = 50

FIELD_CHECKS: dict[str, Callable[[dict[str, Any]], object]] = {
    "requester_name": lambda b: stripped_text(b, "requester_name", api.NAME),
    "relationship": lambda b: choice(b, "relationship", Relationship),
    "data_subject_name": lambda b: stripped_text(
        b, "data_subject_name", api.OPTIONAL_NAME, required=False
    ),
    "authority": lambda b: choice(b, "authority", Authority, required=False),
    "authority_evidence": lambda b: stripped_text(
        b, "authority_evidence", api.OPTIONAL_EVIDENCE, required=False
    ),
    "phone_numbers": api._numbers,  # noqa: SLF001  (the API's own check, shared on purpose)
    "nhs_number": api._references,  # noqa: SLF001
    "date_from": lambda b: day(b, "date_from"),
    "date_to": lambda b: day(b, "date_to"),
    "received_on": lambda b: day(b, "received_on"),
}


@bp.get("/requests")
@console_roles(Role.RECORDS_OFFICER)
def requests() -> str:
    """Requests with due dates and flags, new online ones first; sortable and filterable."""
    show = request.args.get("show", "open")
    sort = request.args.get("sort", "due")
    if show not in listing.FILTERS or sort not in listing.SORTS:
        abort(400)
    page = request.args.get("page", "1")
    page_number = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    descending = request.args.get("order") == "desc"
    session = request_session()
    today = london_today(now())
    items, total = listing.listing(
        session,
        today=today,
        show=show,
        sort=sort,
        descending=descending,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
    )
    return render_template(
        "console/requests/list.html",
        items=items,
        total=total,
        page=page_number,
        pages=max(1, -(-total // PAGE_SIZE)),
        show=show,
        sort=sort,
        descending=descending,
        filters=listing.FILTERS,
        today=today,
        flag_of=lambda item: sar.request_flag(item, today),
        new_online=listing.new_online,
        on_time=listing.answered_on_time(session, now()),
    )


def _body(form: RegisterRequestForm) -> dict[str, Any]:
    """The form's answers as the API's JSON body (blank answers absent)."""
    numbers = [n.strip() for n in (form.phone_numbers.data or "").splitlines() if n.strip()]
    references = [
        {"type": kind, "value": value.strip()}
        for kind, value in (
            ("nhs_number", form.nhs_number.data),
            ("other", form.other_reference.data),
        )
        if (value or "").strip()
    ]
    answers = {
        "requester_name": form.requester_name.data,
        "relationship": form.relationship.data,
        "data_subject_name": form.data_subject_name.data,
        "authority": form.authority.data,
        "authority_evidence": form.authority_evidence.data,
        "date_from": form.date_from.data,
        "date_to": form.date_to.data,
        "received_on": form.received_on.data,
    }
    body = {name: value for name, value in answers.items() if (value or "").strip()}
    return {
        **body,
        "phone_numbers": numbers,
        "person_references": references,
        "identity_pending": bool(form.identity_pending.data),
    }


def _field_errors(form: RegisterRequestForm, body: dict[str, Any]) -> bool:
    """Run the API's check of each field; put each failure next to its field."""
    if form.channel.data not in {code for code, _ in CHANNELS}:
        form.channel.errors = ["Select how the request reached us"]
    for name, check in FIELD_CHECKS.items():
        try:
            check(body)
        except ApiError as exc:
            getattr(form, name).errors = [exc.message]
        except InvalidNhsNumber as exc:
            form.nhs_number.errors = [translation_for(exc).message.format(exc)]
    return any(field.errors for field in form)


def _field_for(message: str) -> str:
    """The field a domain refusal of the whole request is about."""
    for name in ("date_from", "received_on"):
        if name in message:
            return name
    return (
        "authority_evidence" if "authority" in message or "evidence" in message else "relationship"
    )


@bp.route("/requests/new", methods=["GET", "POST"])
@console_roles(Role.RECORDS_OFFICER)
def new_request() -> Response | tuple[str, int] | str:
    """Register a request made by phone, letter or in person; its calls are held at once."""
    form = RegisterRequestForm()
    if request.method == "POST" and form.validate_on_submit():
        body = _body(form)
        if not _field_errors(form, body):
            session = request_session()
            try:
                item = sar.register(
                    session,
                    api._new_request(body),
                    actor=_actor(),
                    now=now(),  # noqa: SLF001
                )
            except sar.AccessRequestInvalid as exc:
                session.rollback()
                getattr(form, _field_for(str(exc))).errors = [str(exc)]
            else:
                item.channel = form.channel.data
                session.commit()
                flash(f"Request {item.reference} registered; its calls are on hold.", "success")
                return redirect(url_for("console.access_request", request_id=item.id))
    status = 400 if request.method == "POST" else 200
    return render_template("console/requests/new.html", form=form, choices=CHOICES), status


def _actor() -> str:
    return str(g.staff.email)
