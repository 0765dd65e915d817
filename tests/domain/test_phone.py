"""Phone numbers: E.164 for storage, masked for logs."""

from __future__ import annotations

import pytest

from app.domain.phone import mask, to_e164


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("07700 900123", "+447700900123"),
        ("+44 1744 676767", "+441744676767"),
        ("01744676767", "+441744676767"),
        ("anonymous", None),
        ("", None),
        (None, None),
        ("+266696687", None),
        ("7" * 10_000, None),
    ],
)
def test_normalises_to_e164(raw, e164):
    assert to_e164(raw) == e164


def test_mask_hides_the_middle_digits():
    assert mask("+447700900123") == "+44 7700 9•••23"
    assert mask(None) == "withheld"
