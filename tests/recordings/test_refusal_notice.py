"""The refusal notice says the same in each language: reference, ground, reasons and remedies."""

from __future__ import annotations

import pytest

from recordings.refusal_notice import refusal_notice

REASON = "Pumed cais union yr un fath y mis hwn."
FACTS = {
    "en": [
        "Your subject access request SAR-000042 has been refused",
        "we consider it manifestly excessive. Our reasons: " + REASON,
        "complain to the Information Commissioner's Office (ICO)",
        "You can also ask a court to order us to comply with your request.",
    ],
    "cy": [
        "Mae eich cais gwrthrych am wybodaeth SAR-000042 wedi'i wrthod",
        "ei fod yn amlwg yn ormodol. Ein rhesymau: " + REASON,
        "gwyno i Swyddfa'r Comisiynydd Gwybodaeth (ICO)",
        "Gallwch hefyd ofyn i lys orchymyn i ni gydymffurfio â'ch cais.",
    ],
}


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_notice_gives_every_fact_in_the_requests_language(language) -> None:
    notice = refusal_notice("SAR-000042", "manifestly_excessive", REASON, language)
    assert all(fact in notice for fact in FACTS[language])
    assert "https://ico.org.uk/make-a-complaint/ " in notice and "0303 123 1113" in notice
    other = "cy" if language == "en" else "en"
    assert FACTS[other][0] not in notice


@pytest.mark.parametrize(
    ("language", "words"), [("en", "manifestly unfounded"), ("cy", "yn amlwg yn ddi-sail")]
)
def test_each_ground_is_named_in_the_language(language, words) -> None:
    assert words in refusal_notice("SAR-000042", "manifestly_unfounded", "x", language)


def test_a_language_we_do_not_write_in_gets_english() -> None:
    assert "has been refused" in refusal_notice("SAR-000042", "manifestly_unfounded", "x", "fr")
