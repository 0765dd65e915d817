"""Where an advisor answers (SPEC §5): a Voice SDK client, a SIP URI or a phone number."""

from __future__ import annotations

import re
from dataclasses import dataclass

import phonenumbers

from app.domain.phone import mask

CLIENT_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,121}$")


class InvalidEndpoint(ValueError):
    """An advisor endpoint that cannot be dialled."""


@dataclass(frozen=True)
class Endpoint:
    """Where an advisor answers: a Voice SDK client, a SIP URI or a phone number."""

    kind: str  # "client", "sip" or "number"
    address: str


def parse_endpoint(value: str) -> Endpoint:
    """`client:NAME`, `sip:user@host` or an E.164 number, or InvalidEndpoint."""
    value = value.strip()
    if value.startswith("client:"):
        name = value.removeprefix("client:")
        if not CLIENT_NAME.match(name):
            raise InvalidEndpoint("client:NAME takes letters, digits, '_', '.' or '-'")
        return Endpoint("client", name)
    if value.startswith(("sip:", "sips:")):
        if "@" not in value or " " in value or len(value) > 200:
            raise InvalidEndpoint("a SIP endpoint looks like sip:user@host")
        return Endpoint("sip", value)
    if value.startswith("+"):
        try:
            number = phonenumbers.parse(value, None)
        except phonenumbers.NumberParseException as exc:
            raise InvalidEndpoint(f"not a phone number: {exc}") from exc
        if phonenumbers.is_valid_number(number):
            return Endpoint(
                "number", phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            )
    raise InvalidEndpoint("the endpoint must be client:NAME, sip:user@host or an E.164 number")


def endpoint_for_logs(value: str | None) -> str:
    """An endpoint as it may appear in logs (phone numbers masked)."""
    if value and value.startswith("+"):
        return mask(value)
    return value or "none"
