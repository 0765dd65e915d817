"""Sign-in rules shared by the console and the API (SPEC §16): credentials, lockout, passwords,
and the TOTP second factor.

Ten failed attempts (wrong password or wrong code) lock an account for 15 minutes. An unknown
email costs the same argon2 verification as a known one, and every refusal reads the same to
the person signing in; the audit log says which it was.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import datetime, timedelta
from functools import cache

import pyotp
from sqlalchemy.orm import Session
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from app.domain import audit
from app.domain.staff import check_password, hash_password, staff_by_email
from app.models import Staff

MAX_FAILURES = 10
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200
TOTP_STEP_SECONDS = 30
TOTP_ISSUER = "Contact Cares"


class SignInRefused(Exception):
    """Wrong email, password or code, or a locked account: the same answer for each."""


class WeakPassword(ValueError):
    """The password breaks the password policy; the message says how."""


# --- passwords --------------------------------------------------------------------------


@cache
def _common_passwords() -> frozenset[str]:
    # zxcvbn ships the 30,000 most common passwords of public breach corpora (Xato/Burnett).
    return frozenset(FREQUENCY_LISTS["passwords"])


def is_common_password(password: str) -> bool:
    """True for a well-known password, also with digits or symbols tacked on the end."""
    lowered = password.lower()
    stem = lowered.rstrip("0123456789!@#$%^&*?._- ")
    return lowered in _common_passwords() or (len(stem) >= 4 and stem in _common_passwords())


def check_password_policy(password: str) -> str:
    """`password` if it is at least 12 characters and not a common password; else WeakPassword."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"Password must be at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(f"Password must be {MAX_PASSWORD_LENGTH} characters or fewer")
    if is_common_password(password):
        raise WeakPassword("Password is too common: choose one that is hard to guess")
    return password


def temporary_password() -> str:
    """A random password that meets the policy, for an admin to hand over once."""
    return secrets.token_urlsafe(15)  # 20 characters, about 120 bits


# --- attempts and lockout ----------------------------------------------------------------


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(24))


def is_locked(staff: Staff, now: datetime) -> bool:
    """True while the account is locked after too many failures."""
    return staff.locked_until is not None and now < staff.locked_until


def _audit_failure(session: Session, actor: str, staff: Staff | None, details: dict) -> None:
    audit.record(
        session,
        actor=actor[:254],
        action="sign_in.failed",
        subject_type="staff",
        subject_id=str(staff.id) if staff else "unknown",
        details=details,
    )


def record_failure(session: Session, staff: Staff, now: datetime, channel: str, why: str) -> None:
    """Count a failed attempt, audited; the tenth in a row locks the account (audited too)."""
    staff.failed_sign_ins = (staff.failed_sign_ins or 0) + 1
    _audit_failure(session, staff.email, staff, {"channel": channel, "reason": why})
    if staff.failed_sign_ins >= MAX_FAILURES:
        staff.locked_until, staff.failed_sign_ins = now + LOCKOUT, 0
        audit.record(
            session,
            actor=audit.SYSTEM,
            action="sign_in.locked",
            subject_type="staff",
            subject_id=str(staff.id),
            details={"channel": channel, "until": staff.locked_until.isoformat()},
        )


def check_credentials(
    session: Session, email: str, password: str, now: datetime, *, channel: str
) -> Staff:
    """The active member of staff with this email and password; else SignInRefused.

    Failures are counted and audited in `session`: the caller commits whatever happens.
    """
    staff = staff_by_email(session, email)
    if staff is None or not staff.active or not staff.password_hash:
        _verify_dummy(password)
        why = "unknown_account" if staff is None else "inactive_or_no_password"
        _audit_failure(session, email, staff, {"channel": channel, "reason": why})
        raise SignInRefused
    if is_locked(staff, now):
        _verify_dummy(password)
        _audit_failure(session, email, staff, {"channel": channel, "reason": "locked"})
        raise SignInRefused
    if not check_password(staff, password):
        record_failure(session, staff, now, channel, "wrong_password")
        raise SignInRefused
    return staff


def console_step_first(staff: Staff, mfa_required_roles: tuple[str, ...]) -> str | None:
    """What this member of staff must do in the console before any other sign-in (an API
    token) is given for their password: choose their own password in place of an admin's
    temporary one, or set up the authenticator their role needs. None when nothing."""
    if staff.password_must_change:
        return "password_change_required"
    if staff.role in mfa_required_roles and not is_enrolled(staff):
        return "second_factor_not_set_up"
    return None


def refuse_until_console_step(session: Session, staff: Staff, *, channel: str, step: str) -> None:
    """Audit a right password refused until `step` (see `console_step_first`) is done in the
    console. Not counted as a failure: the password was right."""
    _audit_failure(session, staff.email, staff, {"channel": channel, "reason": step})


def _verify_dummy(password: str) -> None:
    """Spend what a real verification costs, so timing does not tell which emails exist."""
    check_password(Staff(password_hash=_dummy_hash()), password)


def succeeded(staff: Staff) -> None:
    """A complete sign-in: the count of failures starts again."""
    staff.failed_sign_ins, staff.locked_until = 0, None


# --- the TOTP second factor ----------------------------------------------------------------


def needs_second_factor(staff: Staff, mfa_required_roles: tuple[str, ...]) -> bool:
    """True when this member of staff must (role) or chose to (enrolled) give a code."""
    return staff.role in mfa_required_roles or staff.totp_confirmed_at is not None


def is_enrolled(staff: Staff) -> bool:
    """True once the member of staff confirmed an authenticator app."""
    return staff.totp_secret is not None and staff.totp_confirmed_at is not None


def new_totp_secret() -> str:
    """A fresh base32 secret for an authenticator app."""
    return pyotp.random_base32()


def provisioning_uri(staff: Staff, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=staff.email, issuer_name=TOTP_ISSUER)


def _step(moment: datetime) -> int:
    return int(moment.timestamp()) // TOTP_STEP_SECONDS


def code_matches(secret: str, code: str, now: datetime, *, after: datetime | None) -> bool:
    """True for the code of the current or previous 30 s window, newer than the window of
    `after` (the last accepted code), so a code works once."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return False
    totp, current = pyotp.TOTP(secret), _step(now)
    oldest = current - 1 if after is None else max(current - 1, _step(after) + 1)
    matched = False
    for step in range(oldest, current + 1):
        matched |= hmac.compare_digest(totp.generate_otp(step), code)
    return matched


def check_code(
    session: Session, staff: Staff, secret: str, code: str, now: datetime, *, channel: str
) -> None:
    """Accept a TOTP code for `secret` (the enrolled one, or one being enrolled); else
    SignInRefused, counted towards lockout. On success the code cannot be used again."""
    if is_locked(staff, now):
        _audit_failure(session, staff.email, staff, {"channel": channel, "reason": "locked"})
        raise SignInRefused
    if not code_matches(secret, code, now, after=staff.totp_confirmed_at):
        record_failure(session, staff, now, channel, "wrong_code")
        raise SignInRefused
    # totp_confirmed_at is when a code was last accepted: the first time confirms enrolment.
    staff.totp_secret, staff.totp_confirmed_at = secret, now


def reset_second_factor(staff: Staff) -> None:
    """Forget the authenticator app: the member of staff enrols again at next sign-in."""
    staff.totp_secret, staff.totp_confirmed_at = None, None
