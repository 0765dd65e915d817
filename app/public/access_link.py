"""GET /access/{token}: the requester downloads their package; no login, each download audited.

The token is the only credential: unguessable (32 random bytes), stored as a SHA-256 only,
expiring and revocable. Answers for people, not programs: plain-text messages, no JSON.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from app.db.session import request_session
from app.domain.access_requests import package_for_token, record_download
from app.models import AccessPackage
from app.web.runtime import master_key, recording_store
from recordings.vault import DecryptedObject, open_decrypted

bp = Blueprint("access", __name__, url_prefix="/access")

CHUNK = 256 * 1024
_GONE = {
    "revoked": "This download link has been withdrawn. Please contact the council's Data "
    "Protection Officer if you still need your recordings.",
    "expired": "This download link has expired. Please contact the council's Data Protection "
    "Officer and ask for a new link.",
    "replaced": "This download link has been replaced by a newer one. Please use the latest "
    "link the council sent you.",
    "deleted": "These recordings are no longer available from this link. Please contact the "
    "council's Data Protection Officer.",
}
_UNKNOWN = "This download link is not valid. Please check you copied the whole link."
_HEADERS = {"Cache-Control": "no-store"}  # and no referrer: see app.web.security


def _plain(message: str, status: int) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain", headers=_HEADERS)


def _plaintext(package: AccessPackage) -> DecryptedObject:
    """The package's decrypted ZIP; closing it closes the stored object too."""
    assert package.storage_key is not None and package.wrapped_key is not None
    return open_decrypted(
        recording_store(), master_key(), package.storage_key, package.wrapped_key, package.id
    )


@bp.get("/<token>")
def download(token: str) -> Response:
    """The ZIP of recordings, streamed; 404 for an unknown link, 410 when withdrawn or expired."""
    session = request_session()
    found = package_for_token(session, token, current_app.config["CLOCK"]())
    if found.package is None:
        assert found.problem is not None
        return _plain(_GONE.get(found.problem, _UNKNOWN), 410 if found.problem in _GONE else 404)
    package = found.package
    name = f"SAR-{package.access_request_id:06d}-recordings.zip"
    headers = {
        **_HEADERS,
        "Content-Disposition": f'attachment; filename="{name}"',
        "Content-Length": str(package.size_bytes),
    }
    if request.method == "HEAD":
        return Response(status=200, mimetype="application/zip", headers=headers)
    plaintext = _plaintext(package)
    record_download(
        session,
        package,
        current_app.config["CLOCK"](),
        client_address=request.remote_addr,
        user_agent=request.user_agent.string,
    )
    session.commit()
    return Response(plaintext.chunks(CHUNK), mimetype="application/zip", headers=headers)
