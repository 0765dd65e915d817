"""Phone numbers: E.164 for storage, masked for logs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.phone import _parsed_e164, mask, to_e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 1744 676767", "+441744676767"),
        ("01744676767", "+441744676767"),
        ("anonymous", None),
        ("", None),
        (None, None),
        ("+266696687", None),
        ("7" * 10_000, None),
    ],
)
def test_normalises_to_e164(raw, e164):
    assert to_e164(raw) == e164


def test_mask_hides_the_middle_digits():
    assert mask("+447700900123") == "+44 7700 9•••23"
    assert mask(None) == "withheld"


@given(st.from_regex(r"\+44[1-9][0-9]{9}", fullmatch=True))
def test_a_uk_number_as_twilio_sends_it_is_what_phonenumbers_makes_of_it(raw):
    assert to_e164.__wrapped__(raw) == _parsed_e164(raw, "GB") == raw


@pytest.mark.parametrize(
    "raw", ["+4407700900123", "+44770090012", "+447700900123 ", "+4477009001234"]
)
def test_near_misses_go_through_phonenumbers(raw):
    assert to_e164.__wrapped__(raw) == _parsed_e164(raw, "GB")
