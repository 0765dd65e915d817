"""Logging for every process: one JSON object a line, phone numbers masked on the way out."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

# Anything that looks like a phone number: + and 8-15 digits, or a UK national 0 and 9-10 digits.
PHONE_LIKE = re.compile(r"(?<![\w+])(\+\d{8,15}|0\d{9,10})(?!\w)")
# Wider candidates: a `+` written as-is, URL-encoded (%2B) or as 00, then digits that may be
# spaced (a space or %20 between them). Each is checked for a phone's shape before masking.
_SPACE = r"(?: |%20)?"
CANDIDATE = re.compile(rf"(?<![\w+%])(\+|%2[Bb]|00)?(\d(?:{_SPACE}\d){{7,16}})(?![\w%])")
# A live download link's token (/access/<token>) never reaches a log.
ACCESS_TOKEN = re.compile(r"(/access/)[A-Za-z0-9_.~-]{8,}")


def _masked_digits(digits: str) -> str:
    return digits[:3] + "•" * (len(digits) - 5) + digits[-2:]


def _phone_digits(prefix: str | None, digits: str) -> bool:
    """True when these digits, after this prefix, have the shape of a phone number."""
    if prefix:
        return 8 <= len(digits) <= 15
    return (digits.startswith("0") and len(digits) in (10, 11)) or (
        digits.startswith("44") and len(digits) == 12
    )


def _mask_candidate(match: re.Match[str]) -> str:
    prefix, run = match.group(1), match.group(2)
    digits = run.replace("%20", "").replace(" ", "")
    if _phone_digits(prefix, digits):
        return ("+" if prefix else "") + _masked_digits(digits)
    return PHONE_LIKE.sub(lambda m: _masked_digits(m.group(1)), match.group(0))


def mask_numbers(text: str) -> str:
    """Mask phone numbers in any written form (spaced, URL-encoded, digits only) and link tokens.

    A masked number keeps its first three and last two digits.
    """
    text = ACCESS_TOKEN.sub(r"\1<token>", text)
    return CANDIDATE.sub(
        _mask_candidate, PHONE_LIKE.sub(lambda m: _masked_digits(m.group(1)), text)
    )


class MaskingJsonFormatter(logging.Formatter):
    """A JSON line per record: time, level, logger, message (masked), exception (masked)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_numbers(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = mask_numbers(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int = logging.INFO) -> None:
    """Send every logger's records through the masking JSON formatter on stderr."""
    handler = logging.StreamHandler()
    handler.setFormatter(MaskingJsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
