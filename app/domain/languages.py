"""The caller's language (SPEC §13) as pure rules: the choice at the start, the later offer."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum


class Language(StrEnum):
    """The languages the product speaks and writes (it has a catalogue for each)."""

    EN = "en"
    CY = "cy"


KNOWN_LANGUAGES = tuple(code.value for code in Language)
MAX_CHOICE_ATTEMPTS = 2  # the choice is announced, repeated once, then the default applies
ANY_LANGUAGE_KEY = "2"  # "press 2 for the next advisor in English"


class UnknownLanguage(ValueError):
    """A language code the product does not speak."""


def check_languages(codes: Sequence[str]) -> list[str]:
    """Known language codes, duplicates dropped, at least one; else UnknownLanguage."""
    unknown = sorted(set(codes) - set(KNOWN_LANGUAGES))
    if unknown:
        raise UnknownLanguage(f"unknown languages: {', '.join(unknown)} (known: en, cy)")
    if not codes:
        raise UnknownLanguage("at least one language is needed")
    return list(dict.fromkeys(codes))


def choice_key(languages: Sequence[str], code: str) -> str:
    """The key that chooses `code`: 1 for the first listed language, 2 for the second, …"""
    return str(languages.index(code) + 1)


def fallback_language(languages: Sequence[str], default: str) -> str:
    """The language of a caller who did not choose: DEFAULT_LANGUAGE if the line speaks it."""
    return default if default in languages else languages[0]


def choose_language(
    digits: str, attempt: int, languages: Sequence[str], default: str
) -> str | None:
    """The language the caller's key chooses; None to ask once more; the default after that."""
    if digits.isdigit() and 1 <= int(digits) <= len(languages):
        return languages[int(digits) - 1]
    if attempt < MAX_CHOICE_ATTEMPTS:
        return None
    return fallback_language(languages, default)


def single_language(languages: Sequence[str]) -> str | None:
    """The line's one language, or None when callers choose between several."""
    return languages[0] if len(languages) == 1 else None


def offer_any_language(
    language: str | None,
    default: str,
    *,
    accepted: bool,
    waited_seconds: int,
    offer_after_seconds: int,
    speaker_free: bool,
) -> bool:
    """Whether to offer a caller waiting for their own language the next advisor in any.

    Only a caller in a language other than the default, who has not accepted yet, has waited
    long enough, and for whom no advisor speaking their language is free.
    """
    if language is None or language == default or accepted or speaker_free:
        return False
    return waited_seconds >= offer_after_seconds
