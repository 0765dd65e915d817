"""The second step of sign-in (SPEC §16): a TOTP code, or first setting up the app.

GET/POST /console/two-factor asks for the code; GET/POST /console/two-factor/set-up shows a QR
code (an SVG drawn here, as a data: URI image: no script) and the secret as text, then asks
for a code to confirm. Both need the half-way session the password step started.
GET/POST /console/account/two-factor is the same set-up for a signed-in member of staff whose
role does not need codes (an advisor) and who chooses to use them.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from flask import flash, g, redirect, render_template, session, url_for
from werkzeug.wrappers import Response

from app.console import bp
from app.console.auth import console_roles, now, pending_console_session
from app.console.forms import CodeForm
from app.console.views.sign_in import NEXT_KEY, record_sign_in, safe_next
from app.db.session import request_session
from app.domain import sign_in, staff_lifecycle
from app.domain.sessions import second_factor_passed
from app.models import ConsoleSession, Staff
from app.web.limits import sign_in_limits

WRONG_CODE = (
    "The code is not right, or was used already. Enter the code your app shows now. "
    "After 10 wrong attempts the account is locked for 15 minutes."
)


def pending_email() -> str:
    """The account of the half-way session, for the per-account rate limit."""
    row = pending_console_session()
    return row.staff.email.lower() if row is not None else ""


def qr_code_data_uri(text: str) -> str:
    """`text` as a QR code: an SVG image in a data: URI."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12)
    return "data:image/svg+xml;base64," + base64.b64encode(image.to_string()).decode()


def _check(staff: Staff, form: CodeForm, secret: str) -> bool:
    db_session = request_session()
    try:
        sign_in.check_code(
            db_session, staff, secret, form.code.data or "", now(), channel="console"
        )
    except sign_in.SignInRefused:
        db_session.commit()  # the failure is counted and audited
        form.code.errors.append(WRONG_CODE)
        return False
    return True


def _complete(row: ConsoleSession, method: str) -> Response:
    second_factor_passed(row, now())
    record_sign_in(row.staff, method)
    request_session().commit()
    return redirect(safe_next(session.pop(NEXT_KEY, None)))


@bp.route("/two-factor", methods=["GET", "POST"])
@sign_in_limits(account=pending_email)
def two_factor() -> Response | str | tuple[str, int]:
    """The code from the authenticator app."""
    row = pending_console_session()
    if row is None or not sign_in.is_enrolled(row.staff):
        return redirect(url_for("console.login"))
    form = CodeForm()
    if form.validate_on_submit() and _check(row.staff, form, row.staff.totp_secret or ""):
        return _complete(row, "password+totp")
    return render_template("console/two_factor.html", form=form), 400 if form.errors else 200


@bp.route("/two-factor/set-up", methods=["GET", "POST"])
@sign_in_limits(account=pending_email)
def set_up_two_factor() -> Response | str | tuple[str, int]:
    """First sign-in: the QR code and the secret, then a code to confirm."""
    row = pending_console_session()
    if row is None or sign_in.is_enrolled(row.staff):
        return redirect(url_for("console.login"))
    staff, form = row.staff, CodeForm()
    secret = _secret_being_set_up(staff)
    if form.validate_on_submit() and _check(staff, form, secret):
        return _complete(row, "password+totp_enrolled")
    return _set_up_page(staff, form, chosen=False)


@bp.route("/account/two-factor", methods=["GET", "POST"])
@console_roles()
def add_two_factor() -> Response | str | tuple[str, int]:
    """A member of staff whose role does not need codes chooses to sign in with them too."""
    staff, form = g.staff, CodeForm()
    if sign_in.is_enrolled(staff):
        return redirect(url_for("console.account"))
    secret = _secret_being_set_up(staff)
    if form.validate_on_submit() and _check(staff, form, secret):
        staff_lifecycle.chose_second_factor(request_session(), staff)
        request_session().commit()
        flash("Your authenticator app is set up: you will give a code each time you sign in.")
        return redirect(url_for("console.account"))
    return _set_up_page(staff, form, chosen=True)


def _secret_being_set_up(staff: Staff) -> str:
    """The secret to enrol; kept until confirmed, so reloading shows the same QR code."""
    if staff.totp_secret is None:
        staff.totp_secret = sign_in.new_totp_secret()
        request_session().commit()
    return staff.totp_secret


def _set_up_page(staff: Staff, form: CodeForm, *, chosen: bool) -> tuple[str, int]:
    secret = staff.totp_secret or ""
    return render_template(
        "console/set_up_two_factor.html",
        form=form,
        chosen=chosen,
        secret=secret,
        qr_code=qr_code_data_uri(sign_in.provisioning_uri(staff, secret)),
    ), 400 if form.errors else 200
