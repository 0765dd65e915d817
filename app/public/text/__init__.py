"""The words of the citizens' pages: one catalogue per language (`en`, `cy`).

The Welsh catalogue is reference wording: every entry is a `recordings.wording.Draft`, marked
for review by the council's translators (`drafts(cy.WORDS)` lists them).
"""

from __future__ import annotations

from types import MappingProxyType

from app.public.text import cy, en

__all__ = ["PAGE_LANGUAGES", "catalogue"]

PAGE_LANGUAGES = ("en", "cy")
_CATALOGUES = {"en": MappingProxyType(en.WORDS), "cy": MappingProxyType(cy.WORDS)}


def catalogue(language: str) -> MappingProxyType[str, str]:
    """The page words for `language` (English for any other)."""
    return _CATALOGUES.get(language, _CATALOGUES["en"])
