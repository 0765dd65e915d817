"""Download-link tokens that name their package, so a replaced link can say so (410, not 404).

A token is `<package id>.<32 random bytes>`; only its SHA-256 is stored. When a token's hash
is unknown but the package it names exists, the link was replaced by a newer one (or the
package deleted): the requester is told, instead of being told the link never existed.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy.orm import Session

from app.models import AccessPackage

PACKAGE_ID = re.compile(r"^[0-9a-f]{32}$")


def new_token(package_id: str) -> str:
    """A fresh, unguessable token naming `package_id`."""
    return f"{package_id}.{secrets.token_urlsafe(32)}"


def superseded_package(session: Session, token: str) -> AccessPackage | None:
    """For a token matching no live hash: the package it names, when that exists.

    Its link was replaced by a newer one, or the package deleted (`deleted_at` set).
    """
    package_id, dot, secret = token.partition(".")
    if not dot or not secret or not PACKAGE_ID.match(package_id):
        return None
    return session.get(AccessPackage, package_id)
