"""Words sent to requesters (cover letter, email, package texts): one catalogue per language.

Pure: no Flask, no database. The Welsh catalogue is reference wording: every entry is a
`recordings.wording.Draft`, marked for review by the council's translators.
"""

from __future__ import annotations

from datetime import date
from types import MappingProxyType

from recordings.correspondence import cy, en

__all__ = ["LANGUAGES", "long_date", "weekday_date", "words"]

LANGUAGES = ("en", "cy")
_CATALOGUES = {"en": en.WORDS, "cy": cy.WORDS}


def words(language: str) -> MappingProxyType[str, str]:
    """The catalogue for `language` (English for any language we do not write in)."""
    return MappingProxyType(_CATALOGUES.get(language, en.WORDS))


def long_date(day: date, language: str) -> str:
    """A date as a letter gives it: '23 November 2026' or '23 Tachwedd 2026'."""
    months = words(language)["months"].split()
    return f"{day.day} {months[day.month - 1]} {day.year}"


def weekday_date(day: date, language: str) -> str:
    """A date with its weekday: 'Wednesday 1 July 2026' or 'Dydd Mercher 1 Gorffennaf 2026'."""
    text = words(language)
    weekday = text["weekdays"].split()[day.weekday()]
    return text["weekday_date"].format(weekday=weekday, date=long_date(day, language))
