"""Logging for every process: one JSON object a line, phone numbers masked on the way out."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

# Anything that looks like a phone number: + and 8-15 digits, or a UK national 0 and 9-10 digits.
PHONE_LIKE = re.compile(r"(?<![\w+])(\+\d{8,15}|0\d{9,10})(?!\w)")


def mask_numbers(text: str) -> str:
    """Replace phone-number-like runs with a masked form keeping only the last two digits."""
    return PHONE_LIKE.sub(
        lambda m: m.group(1)[:3] + "•" * (len(m.group(1)) - 5) + m.group(1)[-2:], text
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
