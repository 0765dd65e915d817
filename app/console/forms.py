"""The console's forms (Flask-WTF: CSRF token included), one class per form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


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
