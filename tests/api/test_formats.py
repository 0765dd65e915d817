"""The string formats the staff API documents and checks (app/api/formats.py)."""

from __future__ import annotations

import random

import jsonschema_rs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from app.api.formats import (
    DATE_TIME,
    EMAIL,
    NOT_BLANK,
    PHONE,
    TEXT,
    _possible_lengths,
    international_pattern,
    matches,
)
from app.api.recordings import REASON as RECORDING_REASON
from app.domain.phone import to_e164


def numbers_of_every_country() -> list[str]:
    """For each country code and whole-number length, a few numbers in several spellings."""
    rnd = random.Random(7)
    spellings = []
    for code in sorted(COUNTRY_CODE_TO_REGION_CODE):
        for length in _possible_lengths(code):
            for first in "0123456789":
                digits = first + "".join(rnd.choices("0123456789", k=length - 1))
                spellings += [f"+{code}{digits}", f"00{code} {digits[:2]}-{digits[2:]}"]
    return spellings


def test_every_number_the_pattern_admits_is_one_the_parser_accepts():
    admitted = [n for n in numbers_of_every_country() if PHONE.admits(n)]
    assert len(admitted) > 5000
    assert [n for n in admitted if to_e164(n) is None] == []


@settings(max_examples=300, derandomize=True, database=None, deadline=None)
@given(st.from_regex(PHONE.pattern[:-1] + r"\Z"))
def test_drawn_from_the_pattern_the_parser_accepts(number):
    if len(number) <= PHONE.max_length:
        assert PHONE_SCHEMA.is_valid(number) and to_e164(number) is not None


PHONE_SCHEMA = jsonschema_rs.Draft202012Validator(PHONE.schema())


@pytest.mark.parametrize(
    ("written", "e164"),
    [
        ("01632 960001", "+441632960001"),
        ("(01632) 960001", "+441632960001"),
        ("+44 (0)20 7946 0000", "+442079460000"),
        ("0044 20 7946 0000", "+442079460000"),
        (" 07700-900-123 ", "+447700900123"),
        ("+353 87 123 4567", "+353871234567"),
        ("+1 (212) 555.0100", "+12125550100"),
    ],
)
def test_common_spellings_are_admitted(written, e164):
    assert PHONE.admits(written) and to_e164(written) == e164


@pytest.mark.parametrize(
    "written",
    ["", "01234", "0012345678", "+44 7700 900123 ext 5", "tel:+447700900123", "0800 FLOWERS"],
)
def test_short_local_or_decorated_numbers_are_not(written):
    assert not PHONE.admits(written)


def test_an_endpoint_number_is_an_international_one():
    assert matches(international_pattern(), "+44 1744 676700")
    assert not matches(international_pattern(), "01744 676700")


PRINTABLE = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"])


@settings(max_examples=300, derandomize=True, database=None)
@given(st.text(PRINTABLE | st.sampled_from(" \t\n\r\x85\xa0\u2028\u3000")))
def test_not_blank_means_what_strip_means(value):
    assert matches(NOT_BLANK, value) == (value.strip() != "")


@pytest.mark.parametrize("value", ["a\x00b", "a\x1fb", "\x0b", "a\x7f"])
def test_text_has_no_control_characters(value):
    assert not matches(TEXT, value) and not matches(NOT_BLANK, value)


def test_end_of_pattern_is_end_of_text_as_in_json_schema():
    assert PHONE.admits("01632 960001") and not PHONE.admits("01632 960001\n")
    assert not DATE_TIME.admits("2026-11-23T10:00:00Z\n")


ODD_CHARACTERS = " \t\n\r\x00\x0b\x1c\x7f\x85\xa0\u2028\u3000+()-.@0123456789٣aZ"


@pytest.mark.parametrize(
    "pattern",
    [TEXT, NOT_BLANK, EMAIL.pattern, DATE_TIME.pattern, RECORDING_REASON.pattern, PHONE.pattern],
    ids=["text", "not_blank", "email", "date_time", "recording_reason", "phone"],
)
@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(value=st.text(st.sampled_from(ODD_CHARACTERS) | PRINTABLE, max_size=30))
def test_python_reads_each_pattern_as_json_schema_does(pattern, value):
    as_json_schema = jsonschema_rs.Draft202012Validator({"type": "string", "pattern": pattern})
    assert matches(pattern, value) == as_json_schema.is_valid(value)
