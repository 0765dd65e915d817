"""Forms of the access-request pages (SPEC §14), and the choices their radios offer. Their
fields are checked by the staff API's own validation helpers (see views/requests.py), so a page
and the API accept and refuse alike."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField

CHANNELS = [("phone", "Phone"), ("letter", "Letter"), ("in_person", "In person")]
RELATIONSHIPS = [
    ("data_subject", "The person the recordings are about"),
    ("third_party", "Someone acting for them"),
]
AUTHORITIES = [
    ("", "Not recorded yet"),
    ("consent", "Consent"),
    ("power_of_attorney", "Power of attorney"),
    ("court_order", "Court order"),
]
MONTHS = [("1", "1 month"), ("2", "2 months")]
GROUNDS = [
    ("manifestly_unfounded", "Manifestly unfounded"),
    ("manifestly_excessive", "Manifestly excessive"),
]


class RegisterRequestForm(FlaskForm):
    """A request made by phone, letter or in person (SPEC §8's fields)."""

    channel = StringField("How did the request reach us?")
    requester_name = StringField("Requester's full name")
    relationship = StringField("Who is asking?")
    data_subject_name = StringField("Name of the person the recordings are about (optional)")
    authority = StringField("Authority to act for them")
    authority_evidence = StringField("Evidence reference (optional)")
    phone_numbers = TextAreaField("Phone numbers they called from")
    date_from = StringField("Calls from (optional)")
    date_to = StringField("Calls up to (optional)")
    nhs_number = StringField("NHS number (optional)")
    other_reference = StringField("Other reference (optional)")
    received_on = StringField("Date received (optional)")
    identity_pending = BooleanField("Identity still has to be verified")


class ReasonForm(FlaskForm):
    """A step that needs a reason (pause)."""

    reason = TextAreaField("Reason")


class ExtendForm(FlaskForm):
    """The one extension."""

    months = StringField("Extend by")
    reason = TextAreaField("Reason for the extension")


class AuthorityForm(FlaskForm):
    """A third party's authority and its evidence."""

    authority = StringField("Authority")
    authority_evidence = StringField("Evidence reference")


class RefuseForm(FlaskForm):
    """Refusal, with ground and the reason the requester is told."""

    ground = StringField("Ground")
    reason = TextAreaField("Reason the requester is told")


class VerifyForm(FlaskForm):
    """Identity verified on a date."""

    verified_on = StringField("Date verified (optional, default today)")


CHOICES = {
    "channel": CHANNELS,
    "relationship": RELATIONSHIPS,
    "authority": AUTHORITIES,
    "months": MONTHS,
    "ground": GROUNDS,
}
