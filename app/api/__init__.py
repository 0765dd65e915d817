"""The staff JSON API under /api, one module per resource."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api")

from app.api import (  # noqa: E402, F401  (registers the routes on bp)
    access_packages,
    access_request_clock,
    access_requests,
    advisors,
    alerts,
    audit_log,
    auth,
    calls,
    cover_letters,
    errors,
    holds,
    me,
    openapi,
    recordings,
    reports,
    services,
    staff,
    voice_token,
)
