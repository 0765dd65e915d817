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
        ("GET /api/calls?number=%2B447700900123 200", "7700900123"),
        ("number=%2B44%207700%20900123", "900123"),
        ("from 07700 900 123 today", "900 123"),
        ("from +44 7700 900123", "900123"),
        ("digits only 447700900123", "7700900123"),
        ("dialled 00447700900123", "7700900123"),
        ("number=07700900123&since=2026-11-23", "7700900123"),
    ],
)
def test_numbers_are_masked(text, hidden):
    assert hidden not in mask_numbers(text)


@pytest.mark.parametrize(
    "text",
    [
        "CA0123456789abcdef0123456789abcdef at 2026-11-22T10:00:00 took 1500 ms",
        "2026-11-22 10:00:00 stored 123456 bytes in 3 parts",
        "recording RE0123456789abcdef0123456789abcdef of 95 seconds",
    ],
)
def test_sids_and_times_are_left_alone(text):
    assert mask_numbers(text) == text


def test_download_link_tokens_never_reach_a_log():
    line = '127.0.0.1 - - "GET /access/0123abcd.Zx9_-secretpart HTTP/1.1" 200 -'
    assert "secretpart" not in mask_numbers(line) and "/access/<token>" in mask_numbers(line)


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
