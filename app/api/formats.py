"""The strings the staff API accepts, each written once: as JSON Schema for the OpenAPI document
and as the check the API runs at the edge, so the two cannot drift apart.

Patterns mean the same in ECMA-262 (OpenAPI's dialect) and in Python: ASCII classes (`[0-9]`,
never `\\d`), whitespace and control characters spelled out rather than `\\s`, and a final `$`
read as the end of the text (Python's `$` would also match before a trailing newline).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from phonenumbers import PhoneMetadata, region_code_for_country_code
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

from app.domain.phone import MAX_INPUT_LENGTH


def _runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """Consecutive numbers as (first, last) pairs, in order."""
    runs: list[tuple[int, int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], n)
        else:
            runs.append((n, n))
    return runs


def _char_class(characters: Iterable[str]) -> str:
    """Characters (below U+10000) as the inside of a regex class: ranges of `\\uXXXX` escapes."""
    runs = _runs(ord(c) for c in characters)
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in runs)


# Control characters other than tab, newline and carriage return: PostgreSQL cannot store NUL,
# and the rest never belong in a name, a reason or a reference.
_CONTROL = {*map(chr, range(0x20)), "\x7f"} - set("\t\n\r")
CONTROL = _char_class(_CONTROL)
# The other characters str.strip() removes, so "blank" means what it means in the domain code.
SPACE = _char_class(c for c in map(chr, range(0x10000)) if c.isspace() and c not in _CONTROL)
TEXT = f"^[^{CONTROL}]*$"
NOT_BLANK = f"^[{SPACE}]*[^{CONTROL}{SPACE}][^{CONTROL}]*$"


@dataclass(frozen=True)
class Text:
    """A string field: at most `max_length` characters matching `pattern` (and `format`, where
    the API checks something no pattern can say, such as a check digit)."""

    description: str
    max_length: int
    pattern: str = TEXT
    format: str | None = None

    def schema(self, *, nullable: bool = False) -> dict[str, Any]:
        """The JSON Schema of the field."""
        schema: dict[str, Any] = {
            "type": ["string", "null"] if nullable else "string",
            "maxLength": self.max_length,
            "pattern": self.pattern,
            "description": self.description,
        }
        if self.format:
            schema["format"] = self.format
        return schema

    def admits(self, value: str) -> bool:
        """Whether `value` has the length and the pattern (not the format: callers check that)."""
        return len(value) <= self.max_length and _python(self.pattern).search(value) is not None


@cache
def _python(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern[:-1] + r"\Z" if pattern.endswith("$") else pattern)


def matches(pattern: str, value: str) -> bool:
    """Whether `value` matches the ECMA-262 `pattern` (a search, as in JSON Schema)."""
    return _python(pattern).search(value) is not None


# --- phone numbers ----------------------------------------------------------------------------

_DIGIT = "[ ().-]{0,2}[0-9]"  # a digit, after at most two separators
_PLUS, _PLUS_OR_00 = "\\+", "(?:\\+|00)"


def _digits(lengths: Iterable[int], first: str = "[0-9]") -> str:
    """Regex: a run of digits of one of `lengths`, the first `first`, separators before each."""
    tails = [f"{{{a - 1}}}" if a == b else f"{{{a - 1},{b - 1}}}" for a, b in _runs(lengths)]
    rest = "|".join(f"(?:{_DIGIT}){tail}" for tail in tails)
    return f"[ ().-]{{0,2}}{first}" + (rest if len(tails) == 1 else f"(?:{rest})")


def _possible_lengths(country_code: int) -> tuple[int, ...]:
    """Lengths of a whole national number for the country code (not the local-only ones)."""
    region = region_code_for_country_code(country_code)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, region)
    return tuple(metadata.general_desc.possible_length)


def _international(prefix: str) -> str:
    by_lengths: dict[tuple[int, ...], list[str]] = {}
    for code in sorted(COUNTRY_CODE_TO_REGION_CODE):
        if code != 44:
            by_lengths.setdefault(_possible_lengths(code), []).append(str(code))
    groups = [f"(?:{'|'.join(codes)}){_digits(lengths)}" for lengths, codes in by_lengths.items()]
    # UK numbers are often written +44 (0)20 …: the trunk 0 may stay; UK numbers never start 0.
    uk = f"44(?:[ ().-]{{0,2}}0)?{_digits(_possible_lengths(44), '[1-9]')}"
    return f"{prefix}(?:{uk}|{'|'.join(groups)})"


def phone_pattern() -> str:
    """A UK number in national form (0…) or any number in international form (+… or 00…),
    with spaces, dots, hyphens or brackets between digits, and as many digits as its country's
    whole numbers have (libphonenumber's metadata). Every match is a number `to_e164` accepts."""
    national = f"\\(?0{_digits(_possible_lengths(44), '[1-9]')}"
    return f"^ *(?:{national}|{_international(_PLUS_OR_00)}) *$"


def international_pattern() -> str:
    """A number in international form starting +, as `phone_pattern` admits it."""
    return f"^ *{_international(_PLUS)} *$"


PHONE = Text(
    "A phone number: UK national (01632 960001) or international (+44 1632 960001, "
    "+353 …), with a whole number of digits for its country; stored as E.164",
    MAX_INPUT_LENGTH,
    phone_pattern(),
)

# --- other formats ----------------------------------------------------------------------------

NHS_NUMBER = Text(
    "An NHS number: 10 digits, optionally grouped 3-3-4 by spaces or hyphens, with a valid "
    "modulus-11 check digit (format nhs-number; a wrong check digit is answered 422)",
    12,
    "^[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}$",
    "nhs-number",
)
_NO_AT_OR_SPACE = f"[^@{CONTROL}{SPACE}]"
EMAIL = Text(
    "An email address: local@domain, no spaces",
    254,
    f"^{_NO_AT_OR_SPACE}+@{_NO_AT_OR_SPACE}+$",
)
_DAY = "(?:19|20)[0-9]{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])"
DATE = Text("A calendar date from 1900 to 2099 (YYYY-MM-DD)", 10, f"^{_DAY}$", "date")
DATE_TIME = Text(
    "An RFC 3339 date-time from 1900 to 2099 with its offset (Z or ±hh:mm)",
    40,
    f"^{_DAY}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{{1,9}})?"
    "(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$",
    "date-time",
)
CALL_SID = "^CA[0-9a-fA-F]{32}$"
RECORDING_SID = "^RE[0-9a-fA-F]{32}$"


def free_text(max_length: int, *, blank: bool = False) -> Text:
    """Free text: no control characters other than tab and newlines; not blank unless `blank`."""
    if blank:
        return Text(f"Text, at most {max_length} characters", max_length)
    return Text(f"Text, 1 to {max_length} characters, not blank", max_length, NOT_BLANK)
