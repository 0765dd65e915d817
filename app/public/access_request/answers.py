"""The answers given so far, kept in the signed session cookie by step (no database writes).

Both languages read the same answers, so switching language keeps them. Nothing here is
stored until the citizen sends the request from the check-answers page.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import session

from app.domain.access_requests import NewAccessRequest
from app.domain.phone import to_e164
from app.models import Relationship
from app.public.access_request.forms import STEPS, parse_day

KEY = "access_request"
DONE_KEY = "access_request_sent"

__all__ = ["DONE_KEY", "all_answers", "clear", "first_unanswered", "new_request", "save", "steps"]


def all_answers() -> dict[str, dict[str, Any]]:
    """Every step's answers so far."""
    stored = session.get(KEY)
    return stored if isinstance(stored, dict) else {}


def save(step: str, answers: dict[str, Any]) -> None:
    """Keep one step's (valid) answers."""
    stored = dict(all_answers())
    stored[step] = answers
    session[KEY] = stored


def clear() -> None:
    """Forget every answer (after sending, or to start again)."""
    session.pop(KEY, None)


def steps(answers: dict[str, dict[str, Any]]) -> list[str]:
    """The pages this citizen sees, in order: 'their-details' only for someone else."""
    for_someone_else = answers.get("who", {}).get("who") == "someone_else"
    return [s for s in STEPS if s != "their-details" or for_someone_else]


def first_unanswered(answers: dict[str, dict[str, Any]], today: date) -> str | None:
    """The first page whose answers are missing or no longer valid; None when all are."""
    for step in steps(answers):
        given = answers.get(step)
        if given is None or STEPS[step](as_form(step, given), today).errors:
            return step
    return None


def as_form(step: str, given: dict[str, Any]) -> dict[str, str]:
    """A step's stored answers as the fields its page posts (to fill the page or recheck)."""
    form: dict[str, str] = {}
    for name, value in given.items():
        if name == "numbers":
            form.update({f"phone-{n}": v for n, v in enumerate(value, start=1)})
        elif isinstance(value, dict):
            form.update({f"{name}-{part}": v for part, v in value.items()})
        else:
            form[name] = str(value)
    return form


def _dates(answers: dict[str, dict[str, Any]]) -> tuple[date | None, date | None]:
    when = answers.get("when", {})
    return parse_day(when.get("date_from") or {}), parse_day(when.get("date_to") or {})


def new_request(answers: dict[str, dict[str, Any]], received_on: date) -> NewAccessRequest:
    """The request as the domain registers it (answers already checked by `first_unanswered`)."""
    someone_else = answers["who"]["who"] == "someone_else"
    details = answers.get("their-details", {}) if someone_else else {}
    reply = answers["reply"]
    date_from, date_to = _dates(answers)
    numbers = [to_e164(n) for n in answers["phone-numbers"]["numbers"]]
    return NewAccessRequest(
        requester_name=answers["name"]["name"],
        relationship=Relationship.THIRD_PARTY if someone_else else Relationship.DATA_SUBJECT,
        phone_numbers=[n for n in numbers if n],
        received_on=received_on,
        identity_pending=True,
        data_subject_name=details.get("subject_name"),
        authority=details.get("authority"),
        authority_evidence=details.get("evidence"),
        date_from=date_from,
        date_to=date_to,
        language=answers["language"]["language"],
        contact_email=reply.get("email") if reply["reply"] == "email" else None,
        postal_address=reply.get("address") if reply["reply"] == "post" else None,
        requester_note=answers.get("note", {}).get("note") or None,
    )
