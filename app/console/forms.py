"""The console's forms (Flask-WTF: CSRF token included), one class per form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from app.models import Role


class SignInForm(FlaskForm):
    """Email and password."""

    email = EmailField(
        "Email address",
        validators=[
            DataRequired("Enter your email address"),
            Length(max=254, message="Enter your email address"),
        ],
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password"), Length(max=200)]
    )


class ConfirmForm(FlaskForm):
    """A button and its CSRF token, nothing else (sign out, end a wrap-up, …)."""


class PasswordChangeForm(FlaskForm):
    """The current password, a new one and the new one again (rules: staff_lifecycle)."""

    current = PasswordField(
        "Current password",
        validators=[DataRequired("Enter your current password"), Length(max=200)],
    )
    new = PasswordField(
        "New password", validators=[DataRequired("Enter a new password"), Length(max=200)]
    )
    confirm = PasswordField(
        "New password again",
        validators=[DataRequired("Enter the new password again"), Length(max=200)],
    )


class CodeForm(FlaskForm):
    """The 6-digit code of an authenticator app."""

    code = StringField(
        "Code from your authenticator app",
        validators=[DataRequired("Enter the 6-digit code"), Length(max=20)],
    )


class StaffForm(FlaskForm):
    """A member of staff's profile, as an admin edits it (rules: app/domain/staff_lifecycle)."""

    name = StringField("Full name", validators=[DataRequired("Enter a name"), Length(max=200)])
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter an email address"), Length(max=254)],
    )
    role = SelectField(
        "Role", choices=[SelectChoice(r.value, r.value.replace("_", " ")) for r in Role]
    )
    skills = SelectMultipleField("Services they answer", choices=[], validate_choice=False)
    languages = SelectMultipleField(
        "Languages they take calls in",
        choices=[SelectChoice("en", "English"), SelectChoice("cy", "Welsh (Cymraeg)")],
        validate_choice=False,
    )
    endpoint = StringField("Endpoint", validators=[Length(max=200)])
    records_calls = BooleanField("Record their calls")
