"""Application logs are JSON lines with phone numbers masked."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from config.logging import MaskingJsonFormatter, mask_numbers


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("caller +447700900123 hung up", "7700900123"),
        ("from 07700900123", "7700900123"),
        ("+441744676767,+447700900999", "1744676767"),
    ],
)
def test_numbers_are_masked(text, hidden):
    assert hidden not in mask_numbers(text)


def test_sids_and_times_are_left_alone():
    text = "CA0123456789abcdef0123456789abcdef at 2026-11-22T10:00:00 took 1500 ms"
    assert mask_numbers(text) == text


def test_formatter_writes_one_json_object_with_masked_exception():
    try:
        raise ValueError("bad number +447700900123")
    except ValueError:
        record = logging.LogRecord(
            "app",
            logging.ERROR,
            __file__,
            1,
            "call from %s",
            ("+447700900123",),
            exc_info=sys.exc_info(),
        )
    line = MaskingJsonFormatter().format(record)
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and "7700900123" not in line
