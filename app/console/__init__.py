"""The staff console under /console (SPEC §14): server-rendered pages, one view module per
page group, templates mirroring them, GOV.UK Frontend styles and a little plain JavaScript."""

from flask import Blueprint

bp = Blueprint(
    "console",
    __name__,
    url_prefix="/console",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


@bp.context_processor
def console_context() -> dict[str, object]:
    """Who is signed in and what they may open, for the page frame."""
    from app.console.auth import signed_in_staff
    from app.console.navigation import navigation_for

    member = signed_in_staff()
    return {"signed_in": member, "nav_items": navigation_for(member)}


from app.console.views import (  # noqa: E402, F401  (registers the routes on bp)
    alerts,
    audit_log,
    board,
    calls,
    desk,
    holds,
    home,
    password,
    recording_review,
    request_page,
    requests,
    sign_in,
    single_sign_on,
    staff,
    two_factor,
)

bp.record_once(lambda state: single_sign_on.register_single_sign_on(state.app))
