"""The citizen's access-request form, in English and Welsh (SPEC §15)."""

from flask import Blueprint

bp = Blueprint("access_request", __name__, template_folder="../templates")

from app.public.access_request import views  # noqa: E402, F401  (registers the routes on bp)
