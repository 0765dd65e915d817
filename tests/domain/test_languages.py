"""The language rules: the choice at the start of the call and the offer while waiting."""

from __future__ import annotations

import pytest

from app.domain.languages import (
    choice_key,
    choose_language,
    fallback_language,
    offer_any_language,
    single_language,
)

WELSH_LINE = ("cy", "en")


@pytest.mark.parametrize(("digits", "chosen"), [("1", "cy"), ("2", "en")])
def test_key_chooses_the_language_in_listed_order(digits, chosen):
    assert choose_language(digits, 1, WELSH_LINE, "en") == chosen
    assert choose_language(digits, 2, WELSH_LINE, "en") == chosen


@pytest.mark.parametrize("digits", ["", "3", "0", "*", "#", "12"])
def test_no_or_invalid_key_asks_once_more(digits):
    assert choose_language(digits, 1, WELSH_LINE, "en") is None


@pytest.mark.parametrize("digits", ["", "3", "*"])
def test_second_miss_takes_the_default(digits):
    assert choose_language(digits, 2, WELSH_LINE, "en") == "en"
    assert choose_language(digits, 2, WELSH_LINE, "cy") == "cy"


def test_a_default_the_line_does_not_speak_falls_back_to_the_first_language():
    assert fallback_language(("cy",), "en") == "cy"
    assert choose_language("", 2, ("cy", "en"), "fr") == "cy"


def test_choice_keys_follow_the_listed_order():
    assert [choice_key(WELSH_LINE, code) for code in WELSH_LINE] == ["1", "2"]


def test_single_language_line_has_no_choice():
    assert single_language(("en",)) == "en"
    assert single_language(WELSH_LINE) is None


def offer(**changes):
    values = {
        "language": "cy",
        "default": "en",
        "accepted": False,
        "waited_seconds": 120,
        "offer_after_seconds": 120,
        "speaker_free": False,
    }
    values.update(changes)
    language, default = values.pop("language"), values.pop("default")
    return offer_any_language(language, default, **values)


def test_welsh_caller_waiting_long_enough_with_no_welsh_speaker_free_is_offered():
    assert offer()


@pytest.mark.parametrize(
    "changes",
    [
        {"waited_seconds": 119},
        {"accepted": True},
        {"speaker_free": True},
        {"language": "en"},
        {"language": None},
    ],
)
def test_no_offer_otherwise(changes):
    assert not offer(**changes)
