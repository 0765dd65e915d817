"""Your account: GET /console/account (password and sign-in codes) and GET/POST
/console/password, where a member of staff chooses their own password (SPEC §16).

Anyone signed in may change theirs. Whoever signed in with a temporary password (a new account
or an admin's reset) is sent here first, and no other console page opens until they have.
"""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request
from werkzeug.wrappers import Response

from app.console import bp
from app.console.auth import console_roles, now
from app.console.forms import PasswordChangeForm
from app.console.views.sign_in import safe_next
from app.db.session import request_session
from app.domain import sign_in, staff_lifecycle


@bp.get("/account")
@console_roles()
def account() -> str:
    """The signed-in member of staff's own account: password, and codes at sign-in."""
    return render_template(
        "console/account.html",
        enrolled=sign_in.is_enrolled(g.staff),
        codes_required=g.staff.role in current_app.config["SETTINGS"].mfa_required_roles,
    )


@bp.route("/password", methods=["GET", "POST"])
@console_roles()
def change_password() -> Response | str | tuple[str, int]:
    """The change-password form; on success, back to where the member of staff was going."""
    form = PasswordChangeForm()
    if form.validate_on_submit():
        db_session = request_session()
        try:
            staff_lifecycle.change_own_password(
                db_session,
                g.staff,
                form.current.data or "",
                form.new.data or "",
                confirm=form.confirm.data or "",
                now=now(),
                keep=g.console_session,
            )
        except staff_lifecycle.InvalidStaffField as exc:
            getattr(form, exc.field).errors.append(exc.message)
        else:
            db_session.commit()
            flash("Your password has been changed.")
            return redirect(safe_next(request.args.get("next")))
    page = render_template("console/password.html", form=form, forced=g.staff.password_must_change)
    return page, 400 if form.errors else 200
