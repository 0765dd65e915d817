"""GET /access/{token}: the requester downloads their package; no login, each download audited.

The token is the only credential: unguessable (32 random bytes), stored as a SHA-256 only,
expiring and revocable. Answers for people, not programs: when the link opens nothing, a
public page in the language of the request it was made for (English then Welsh when the link
names no request we know), never JSON.
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, request

from app.db.session import request_session
from app.domain.access_requests import package_for_token, record_download
from app.models import AccessPackage
from app.public.text import PAGE_LANGUAGES, catalogue
from app.web.runtime import master_key, recording_store
from recordings.vault import DecryptedObject, open_decrypted

bp = Blueprint("access", __name__, url_prefix="/access")

CHUNK = 256 * 1024
_GONE = ("revoked", "expired", "replaced", "deleted")  # 410; an unknown link is 404
_HEADERS = {"Cache-Control": "no-store"}  # and no referrer: see app.web.security


def _refusal(problem: str, language: str | None) -> Response:
    """The page saying why the link opens nothing, in `language` or, with none, in each."""
    if language is None:
        languages = PAGE_LANGUAGES  # no request known: English, then Welsh
    else:
        languages = (language if language in PAGE_LANGUAGES else "en",)
    versions = [
        {
            "lang": lang,
            "title": catalogue(lang)[f"link_{problem}_title"],
            "message": catalogue(lang)[f"link_{problem}_message"],
            "footer": catalogue(lang)["footer"],
            "service_name": catalogue(lang)["service_name"],
        }
        for lang in languages
    ]
    page = render_template(
        "public/access_link.html",
        versions=versions,
        t=catalogue(languages[0]),
        lang=languages[0],
        page_language=languages[0],
    )
    status = 410 if problem in _GONE else 404
    return Response(page, status=status, mimetype="text/html", headers=_HEADERS)


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
        return _refusal(found.problem if found.problem in _GONE else "unknown", found.language)
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
