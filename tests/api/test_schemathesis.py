"""The staff API fuzzed from its own OpenAPI document with schemathesis (SPEC §12, issue 7).

Every operation gets a bounded, derandomized set of generated requests, sent with a token of a
role the authorization matrix allows for it. Checked: no 5xx, no traceback in any body,
responses conform to the document where it describes them, and a rejected request writes
nothing (every table's row count unchanged).
"""

from __future__ import annotations

import re
from dataclasses import replace

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import func, select

from app.api.openapi import document
from app.extensions import db
from app.models import Base
from tests.api.test_authorization_matrix import ANYONE, MATRIX

PREFERRED_ROLES = ("records_officer", "admin", "supervisor", "advisor")
# "Schema-valid data is accepted" cannot hold for rules a JSON schema does not express (a real
# phone number, exactly one hold target, an unused e-mail): those answer the documented 422.
EXCLUDED_CHECKS = [positive_data_acceptance]


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


def row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:  # type: ignore[union-attr]
        return {
            t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_api_from_its_openapi_document(app, staff_headers, method, path):  # noqa: ANN001
    operation = schemathesis.openapi.from_wsgi("/api/openapi.json", app)[path][method]
    role = role_for(method, path)
    headers = {} if role is None else staff_headers(role)

    @given(case=operation.as_strategy())
    @hypothesis.settings(
        max_examples=10,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case) -> None:  # noqa: ANN001
        before = row_counts()
        response = case.call_and_validate(headers=headers, excluded_checks=EXCLUDED_CHECKS)
        assert "Traceback" not in response.text
        if response.status_code >= 400:
            assert row_counts() == before, f"{method} {path}: a rejected request wrote"

    call()
