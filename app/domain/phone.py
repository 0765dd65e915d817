"""Phone numbers: normalised to E.164 for storage, masked for logs."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers

MAX_INPUT_LENGTH = 64


@lru_cache(maxsize=4096)  # our own numbers and repeat callers recur on every webhook
def to_e164(raw: str | None, region: str = "GB") -> str | None:
    """The number in E.164, or None when it is withheld, absurd or invalid."""
    if not raw or len(raw) > MAX_INPUT_LENGTH:
        return None
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(number: str | None) -> str:
    """A number safe for logs: country code and a few digits, e.g. `+44 7700 9•••23`."""
    if not number:
        return "withheld"
    digits = number.lstrip("+")
    if len(digits) < 8:
        return "•" * len(digits)
    country = "44" if digits.startswith("44") else digits[:2]
    rest = digits[len(country) :]
    return f"+{country} {rest[:4]} {rest[4:5]}•••{rest[-2:]}"
