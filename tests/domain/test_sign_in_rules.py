"""The pure sign-in rules: password policy, TOTP windows, and bounded settings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from app.domain.sign_in import (
    WeakPassword,
    check_password_policy,
    code_matches,
    temporary_password,
)
from config.settings import SettingsError, load_settings

SECRET = pyotp.random_base32()
NOW = datetime(2026, 11, 23, 10, 0, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    "password", ["", "a", "elevenchars", "password1234", "PASSWORD1234", "qwertyuiop123!"]
)
def test_short_or_common_passwords_are_refused(password):
    with pytest.raises(WeakPassword):
        check_password_policy(password)


@pytest.mark.parametrize("password", ["seven ravens at dusk", "Llanfair-pwll 2026"])
def test_long_uncommon_passwords_pass(password):
    assert check_password_policy(password) == password


def test_a_temporary_password_meets_the_policy():
    assert check_password_policy(temporary_password())


@pytest.mark.parametrize(("offset", "ok"), [(0, True), (-30, True), (-60, False), (30, False)])
def test_codes_of_the_current_and_previous_window(offset, ok):
    code = pyotp.TOTP(SECRET).at(NOW + timedelta(seconds=offset))
    assert code_matches(SECRET, code, NOW, after=None) is ok


def test_a_code_is_refused_in_the_window_it_was_used():
    code = pyotp.TOTP(SECRET).at(NOW)
    assert not code_matches(SECRET, code, NOW, after=NOW)
    earlier = pyotp.TOTP(SECRET).at(NOW - timedelta(seconds=30))
    assert not code_matches(SECRET, earlier, NOW, after=NOW - timedelta(seconds=30))
    assert code_matches(SECRET, code, NOW, after=NOW - timedelta(seconds=30))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TOKEN_TTL_HOURS", "100000"),
        ("TOKEN_TTL_HOURS", "-5"),
        ("TOKEN_TTL_HOURS", "0"),
        ("SESSION_IDLE_MINUTES", "0"),
        ("SESSION_MAX_HOURS", "25"),
    ],
)
def test_session_and_token_lifetimes_are_bounded(name, value):
    with pytest.raises(SettingsError, match=name):
        load_settings({name: value})
