"""Twilio-shaped SIDs for tests."""

from __future__ import annotations

import secrets


def new_sid(prefix: str) -> str:
    """A random Twilio-shaped SID: a two-letter prefix and 32 hex digits."""
    return prefix + secrets.token_hex(16)


def numbered_sid(n: int, prefix: str = "CA") -> str:
    """A SID numbered `n` (stable across runs)."""
    return f"{prefix}{n:032x}"
