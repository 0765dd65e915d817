"""GET /console/: each member of staff lands on their first page."""

from __future__ import annotations

from flask import g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from app.console import bp
from app.console.auth import console_roles
from app.console.navigation import navigation_for


@bp.get("/")
@console_roles()
def home() -> Response | str:
    """The first page this role may open, or a page saying what there is."""
    pages = navigation_for(g.staff)
    if pages:
        return redirect(url_for(pages[0].endpoint))
    return render_template("console/home.html")
