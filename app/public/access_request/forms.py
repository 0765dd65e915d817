"""The questions of the access-request form, one validator per page (SPEC §15).

Each `check_<step>(form, today)` reads the posted fields and returns the step's answers and its
errors (field id -> catalogue key), so a page shows its errors in either language. The formats
are the staff API's (app.api.formats: phone numbers, dates, free text), not copies of them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from app.api.formats import DATE, EMAIL, PHONE, free_text
from app.domain.phone import to_e164
from app.models import Authority

NAME_LENGTH, EVIDENCE_LENGTH, ADDRESS_LENGTH, NOTE_LENGTH = 200, 200, 500, 1000
MAX_PHONES = 5
HONEYPOT = "website"  # hidden from people; a bot that fills every field fills it
WHO = ("myself", "someone_else")
REPLY = ("email", "post")
LANGUAGES = ("en", "cy")
AUTHORITIES = tuple(a.value for a in Authority)


@dataclass
class Checked:
    """A page's answers as given, and its errors by field id (catalogue keys)."""

    answers: dict[str, object] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def _text(form: Mapping[str, str], name: str) -> str:
    return (form.get(name) or "").strip()


def _free(
    checked: Checked, form: Mapping[str, str], name: str, most: int, missing: str | None
) -> None:
    """A free-text answer: required when `missing` names its error; at most `most` characters."""
    value = _text(form, name).replace("\r\n", "\n")
    checked.answers[name] = value
    if not value:
        if missing:
            checked.errors[name] = missing
    elif len(value) > most:
        checked.errors[name] = f"error_{name}_too_long"
    elif not free_text(most, blank=True).admits(value):
        checked.errors[name] = "error_text_invalid"


def _choice(checked: Checked, form: Mapping[str, str], name: str, allowed: tuple[str, ...]) -> None:
    value = _text(form, name)
    checked.answers[name] = value if value in allowed else ""
    if value not in allowed:
        checked.errors[name] = f"error_{name}_missing"


def check_name(form: Mapping[str, str], today: date) -> Checked:
    """Full name."""
    checked = Checked()
    _free(checked, form, "name", NAME_LENGTH, "error_name_missing")
    return checked


def check_who(form: Mapping[str, str], today: date) -> Checked:
    """For themselves or for someone else."""
    checked = Checked()
    _choice(checked, form, "who", WHO)
    return checked


def check_their_details(form: Mapping[str, str], today: date) -> Checked:
    """The other person's name, the authority held and the document that shows it."""
    checked = Checked()
    _free(checked, form, "subject_name", NAME_LENGTH, "error_subject_name_missing")
    _choice(checked, form, "authority", AUTHORITIES)
    _free(checked, form, "evidence", EVIDENCE_LENGTH, "error_evidence_missing")
    return checked


def phone_fields(form: Mapping[str, str]) -> list[str]:
    """The phone numbers posted, in order, blanks included (at most MAX_PHONES)."""
    return [_text(form, f"phone-{n}")[:100] for n in range(1, MAX_PHONES + 1)]


def check_phone_numbers(form: Mapping[str, str], today: date) -> Checked:
    """One or more numbers, each a UK or international number (GB rules, E.164 unique)."""
    raw = phone_fields(form)
    checked = Checked({"numbers": [n for n in raw if n]})
    seen: set[str] = set()
    for position, number in enumerate(raw, start=1):
        if not number:
            continue
        e164 = to_e164(number) if PHONE.admits(number) else None
        if e164 is None:
            checked.errors[f"phone-{position}"] = "error_phone_invalid"
        elif e164 in seen:
            checked.errors[f"phone-{position}"] = "error_phone_duplicate"
        seen.add(e164 or number)
    if not checked.answers["numbers"]:
        checked.errors["phone-1"] = "error_phone_missing"
    return checked


def parse_day(parts: Mapping[str, str]) -> date | None:
    """A GOV.UK date input's day, month and year as a date, by the API's DATE rule."""
    day, month, year = (parts.get(k, "").strip() for k in ("day", "month", "year"))
    if not (day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4):
        return None
    iso = f"{year}-{int(month):02d}-{int(day):02d}"
    try:
        return date.fromisoformat(iso) if DATE.admits(iso) else None
    except ValueError:
        return None


def _date(checked: Checked, form: Mapping[str, str], name: str, today: date) -> date | None:
    parts = {k: _text(form, f"{name}-{k}")[:4] for k in ("day", "month", "year")}
    checked.answers[name] = parts
    if not any(parts.values()):
        return None
    value = parse_day(parts)
    if value is None:
        checked.errors[f"{name}-day"] = f"error_{name}_invalid"
    elif value > today:
        checked.errors[f"{name}-day"] = "error_date_future"
    return value


def check_when(form: Mapping[str, str], today: date) -> Checked:
    """Optional from and to dates (London calendar dates, not in the future, in order)."""
    checked = Checked()
    start = _date(checked, form, "date_from", today)
    end = _date(checked, form, "date_to", today)
    if start and end and start > end and not checked.errors:
        checked.errors["date_to-day"] = "error_date_order"
    return checked


def check_reply(form: Mapping[str, str], today: date) -> Checked:
    """Email (a valid address) or post (an address)."""
    checked = Checked()
    _choice(checked, form, "reply", REPLY)
    if checked.answers["reply"] == "email":
        email = _text(form, "email")
        checked.answers["email"] = email
        if not email:
            checked.errors["email"] = "error_email_missing"
        elif not (EMAIL.admits(email) and "." in email.rsplit("@", 1)[-1]):
            checked.errors["email"] = "error_email_invalid"
    elif checked.answers["reply"] == "post":
        _free(checked, form, "address", ADDRESS_LENGTH, "error_address_missing")
    return checked


def check_language(form: Mapping[str, str], today: date) -> Checked:
    """English or Welsh."""
    checked = Checked()
    _choice(checked, form, "language", LANGUAGES)
    return checked


def check_note(form: Mapping[str, str], today: date) -> Checked:
    """An optional note."""
    checked = Checked()
    _free(checked, form, "note", NOTE_LENGTH, None)
    return checked


STEPS: dict[str, Callable[[Mapping[str, str], date], Checked]] = {
    "name": check_name,
    "who": check_who,
    "their-details": check_their_details,
    "phone-numbers": check_phone_numbers,
    "when": check_when,
    "reply": check_reply,
    "language": check_language,
    "note": check_note,
}
