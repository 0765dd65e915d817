"""/console/staff (admin, SPEC §14): staff listed, created and changed, deactivated, their
password and second factor reset. The rules and the audit are app/domain/staff_lifecycle's.

A reset (or a new account) gets a random temporary password shown once to the admin, who hands
it over in person or by phone: no mail to intercept, no link to expire, and the member's sessions
and tokens end at once. They set up their authenticator app at their next sign-in.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.api.formats import EMAIL, free_text
from app.console import bp
from app.console.auth import console_roles, now
from app.console.forms import ConfirmForm, StaffForm
from app.db.session import request_session
from app.domain import staff_lifecycle as lifecycle
from app.domain.endpoint_policy import EndpointPolicy
from app.models import Role, Staff

NAME = free_text(200)


def _staff(staff_id: int) -> Staff:
    staff = request_session().get(Staff, staff_id)
    if staff is None:
        abort(404)
    return staff


def _form(staff: Staff | None = None) -> StaffForm:
    form = StaffForm(obj=staff) if staff is not None else StaffForm(languages=["en"])
    form.skills.choices = [SelectChoice(s.code, s.name) for s in current_app.config["SERVICES"]]
    if staff is None and not form.is_submitted():
        form.records_calls.data = True
    return form


def _profile(form: StaffForm) -> dict[str, Any] | None:
    """The form's values checked by the domain's rules; None (errors on the form) if any fails."""
    codes = [s.code for s in current_app.config["SERVICES"]]
    policy = EndpointPolicy.from_settings(current_app.config["SETTINGS"])
    rules = {
        "name": lambda: _text(NAME, form.name.data, "Enter a name of at most 200 characters"),
        "email": lambda: _text(EMAIL, form.email.data, "Enter an email address like a@b.gov.uk"),
        "role": lambda: lifecycle.role_of(form.role.data or ""),
        "skills": lambda: lifecycle.skills_of(form.skills.data or [], codes),
        "languages": lambda: lifecycle.languages_of(form.languages.data or []),
        "endpoint": lambda: lifecycle.endpoint_of(form.endpoint.data, policy),
        "records_calls": lambda: bool(form.records_calls.data),
    }
    profile: dict[str, Any] = {}
    for name, rule in rules.items():
        try:
            profile[name] = rule()
        except lifecycle.InvalidStaffField as exc:
            getattr(form, name).errors.append(exc.message)
    return None if form.errors else profile


def _text(rule, value: str | None, message: str) -> str:  # noqa: ANN001
    value = (value or "").strip()
    if not rule.admits(value):
        raise lifecycle.InvalidStaffField("", message)
    return value


@bp.get("/staff")
@console_roles(Role.ADMIN)
def staff() -> str:
    """Every member of staff."""
    members = request_session().scalars(select(Staff).order_by(Staff.active.desc(), Staff.name))
    return render_template("console/staff/list.html", members=list(members), at=now())


@bp.route("/staff/new", methods=["GET", "POST"])
@console_roles(Role.ADMIN)
def new_staff() -> Response | str | tuple[str, int]:
    """Create a member of staff with a temporary password, shown once."""
    form = _form()
    if form.validate_on_submit() and (profile := _profile(form)) is not None:
        db_session = request_session()
        try:
            member = lifecycle.create_staff(db_session, actor=g.staff.email, **profile)
        except lifecycle.EmailTaken as exc:
            form.email.errors.append(exc.message)
        else:
            password = lifecycle.reset_password(db_session, member, now(), actor=g.staff.email)
            db_session.commit()
            return render_template("console/staff/password.html", member=member, password=password)
    page = render_template("console/staff/edit.html", form=form, member=None)
    return page, 400 if form.errors else 200


@bp.route("/staff/<int:staff_id>", methods=["GET", "POST"])
@console_roles(Role.ADMIN)
def edit_staff(staff_id: int) -> Response | str | tuple[str, int]:
    """Change a member of staff's profile."""
    member = _staff(staff_id)
    form = _form(member)
    if form.validate_on_submit() and (profile := _profile(form)) is not None:
        db_session = request_session()
        try:
            changed = lifecycle.update_staff(db_session, member, profile, actor=g.staff.email)
        except lifecycle.EmailTaken as exc:
            form.email.errors.append(exc.message)
        else:
            db_session.commit()
            flash(f"Saved {member.name}." if changed else "Nothing changed.", "success")
            return redirect(url_for("console.staff"))
    page = render_template("console/staff/edit.html", form=form, member=member)
    return page, 400 if form.errors else 200


@bp.route("/staff/<int:staff_id>/deactivate", methods=["GET", "POST"])
@console_roles(Role.ADMIN)
def deactivate_staff(staff_id: int) -> Response | str:
    """Ask, then deactivate for good: their sessions and tokens end at once."""
    member, form = _staff(staff_id), ConfirmForm()
    if not member.active:
        abort(404)
    if member.id == g.staff.id:
        flash("You cannot deactivate yourself: ask another admin.")
        return redirect(url_for("console.edit_staff", staff_id=staff_id))
    if form.validate_on_submit():
        lifecycle.deactivate(request_session(), member, now(), actor=g.staff.email)
        request_session().commit()
        flash(f"{member.name} is deactivated: signed out everywhere, for good.", "success")
        return redirect(url_for("console.staff"))
    return render_template("console/staff/deactivate.html", member=member, form=form)


@bp.post("/staff/<int:staff_id>/reset-password")
@console_roles(Role.ADMIN)
def reset_staff_password(staff_id: int) -> str:
    """A new temporary password, shown to the admin this once."""
    ConfirmForm()
    member = _staff(staff_id)
    if not member.active:
        abort(404)
    password = lifecycle.reset_password(request_session(), member, now(), actor=g.staff.email)
    request_session().commit()
    return render_template("console/staff/password.html", member=member, password=password)


@bp.post("/staff/<int:staff_id>/reset-second-factor")
@console_roles(Role.ADMIN)
def reset_staff_second_factor(staff_id: int) -> Response:
    """Forget their authenticator app: they set one up again at their next sign-in."""
    ConfirmForm()
    member = _staff(staff_id)
    lifecycle.reset_authenticator(request_session(), member, now(), actor=g.staff.email)
    request_session().commit()
    flash(f"{member.name} will set up their authenticator app at their next sign-in.", "success")
    return redirect(url_for("console.edit_staff", staff_id=staff_id))
