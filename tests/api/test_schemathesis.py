"""The staff API fuzzed from its own OpenAPI document with schemathesis (SPEC §12, issue 7).

Every operation gets a bounded, derandomized set of generated requests, sent with a token of a
role the authorization matrix allows for it. Every schemathesis check runs: no 5xx, responses
conform to the document, and a request the document calls valid is accepted (never 400/422).
Also checked: no traceback in any body, and a rejected request writes nothing (every table's
row count unchanged).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date

import hypothesis
import phonenumbers
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.api.openapi import document
from app.extensions import db
from app.models import Base
from recordings.subject_access import london_today
from tests.api.test_authorization_matrix import ANYONE, MATRIX

PREFERRED_ROLES = ("records_officer", "admin", "supervisor", "advisor")


def nhs_numbers() -> st.SearchStrategy[str]:
    """Format `nhs-number`: ten digits whose last is the modulus-11 check digit of the rest."""

    def with_check_digit(digits: list[int]) -> str | None:
        check = (11 - sum(d * w for d, w in zip(digits, range(10, 1, -1), strict=True)) % 11) % 11
        return None if check == 10 else "".join(map(str, digits)) + str(check)

    numbers = st.lists(st.integers(0, 9), min_size=9, max_size=9).map(with_check_digit)
    grouped = st.tuples(numbers.filter(bool), st.sampled_from(["", " ", "-"]))
    return grouped.map(lambda n: f"{n[0][:3]}{n[1]}{n[0][3:6]}{n[1]}{n[0][6:]}")


def valid_phone_numbers() -> st.SearchStrategy[str]:
    """Format `valid-phone-number`: numbers libphonenumber finds valid (its example numbers)."""
    kinds = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)
    examples = (
        phonenumbers.example_number_for_type(region, kind)
        for region in sorted(phonenumbers.SUPPORTED_REGIONS)
        for kind in kinds
    )
    e164 = phonenumbers.PhoneNumberFormat.E164
    return st.sampled_from(
        sorted({phonenumbers.format_number(n, e164) for n in examples if n is not None})
    )


# Formats the document names for checks no pattern can make; schemathesis draws values for them.
schemathesis.openapi.format("nhs-number", nhs_numbers())
schemathesis.openapi.format("valid-phone-number", valid_phone_numbers())


def follows_unwritten_rules(case: schemathesis.Case, today: date) -> bool:
    """The rules the document states in words, as JSON Schema cannot compare one value with
    another or with today's date (the API answers 422 when they are broken)."""
    body = case.body if isinstance(case.body, dict) else {}
    day = {k: date.fromisoformat(body[k]) for k in DATE_FIELDS if isinstance(body.get(k), str)}
    if "date_from" in day and "date_to" in day and day["date_from"] > day["date_to"]:
        return False
    if any(day.get(k, today) > today for k in ("received_on", "verified_on")):
        return False
    endpoint = body.get("endpoint")
    if isinstance(endpoint, str) and not endpoint.startswith("client:"):
        return False  # sip: hosts must be in SIP_DOMAINS, numbers UK geographic or mobile
    redactions = body.get("redactions") or []
    ranges = [r if isinstance(r, list) else (r["start"], r["end"]) for r in redactions]
    return all(start < end for start, end in ranges)


DATE_FIELDS = ("date_from", "date_to", "received_on", "verified_on")


@pytest.fixture
def settings(settings):  # noqa: ANN001, ANN201
    """The test settings with the Voice SDK configured, so /api/voice-token can answer 200."""
    return replace(
        settings,
        twilio_api_key_sid="SK" + "0" * 32,
        twilio_api_key_secret="voice-sdk-secret",  # noqa: S106
        twilio_twiml_app_sid="AP" + "0" * 32,
    )


OPERATIONS = [
    (method.upper(), path) for path, item in document()["paths"].items() for method in item
]


def role_for(method: str, openapi_path: str) -> str | None:
    """A role the matrix allows for this operation (None: no token needed)."""
    for (m, route, _), allowed in MATRIX.items():
        if m == method.upper() and re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) == openapi_path:
            return None if allowed == ANYONE else next(r for r in PREFERRED_ROLES if r in allowed)
    raise AssertionError(f"{method} {openapi_path} has no row in the authorization matrix")


# A refused sign-in is written to the audit log on purpose (SPEC §16): nothing else.
AUDITED_REFUSALS = {("POST", "/api/auth/token")}
AUDIT_TABLES = {"audit_entries", "audit_head"}


def row_counts(leave_out: set[str] | frozenset[str] = frozenset()) -> dict[str, int]:
    with db.engine.connect() as conn:  # type: ignore[union-attr]
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
            if t.name not in leave_out
        }


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_from_its_openapi_document(app, clock, staff_headers, method, path):  # noqa: ANN001
    operation = schemathesis.openapi.from_wsgi("/api/openapi.json", app)[path][method]
    role = role_for(method, path)
    headers = {} if role is None else staff_headers(role)
    today = london_today(clock["now"])

    @given(case=operation.as_strategy().filter(lambda case: follows_unwritten_rules(case, today)))
    @hypothesis.settings(
        max_examples=10,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case) -> None:  # noqa: ANN001
        leave_out = AUDIT_TABLES if (method, path) in AUDITED_REFUSALS else set()
        before = row_counts(leave_out)
        response = case.call_and_validate(headers=headers)
        assert "Traceback" not in response.text
        if response.status_code >= 400:
            assert row_counts(leave_out) == before, f"{method} {path}: a rejected request wrote"

    call()
