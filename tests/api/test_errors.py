"""The one table that translates domain exceptions to the API's status and code."""

from __future__ import annotations

import pytest

from app.api.errors import DOMAIN_ERRORS, Translation, translation_for
from app.domain import access_requests as sar
from app.domain import routing
from app.domain.holds import HoldAlreadyReleased, HoldNotFound
from recordings.subject_access import InvalidNhsNumber


@pytest.mark.parametrize(
    ("exc", "status", "code"),
    [
        (sar.AccessRequestInvalid("x"), 422, "invalid"),
        (sar.AccessRequestConflict("x"), 409, "conflict"),
        (HoldNotFound("x"), 404, "not_found"),
        (HoldAlreadyReleased("x"), 409, "already_released"),
        (routing.TransferRefused("x"), 409, "conflict"),
    ],
)
def test_the_most_specific_class_listed_wins(exc, status, code):
    assert translation_for(exc)[:2] == (status, code)


def test_a_row_may_add_to_the_message():
    row = translation_for(InvalidNhsNumber("its check digit is wrong"))
    assert row == Translation(422, "invalid_nhs_number", "Invalid NHS number: {}.")


def test_no_builtin_is_listed():
    """A builtin's handler would also answer for bugs (a KeyError is a LookupError)."""
    assert not {LookupError, ValueError, Exception} & set(DOMAIN_ERRORS)
