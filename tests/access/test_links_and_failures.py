"""Download links expire and rotate, saying so in the request's language; a failed packaging
job shows on the request."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest

from app.models import AccessPackage, AuditEntry, Recording
from app.public.text import catalogue
from recordings.storage import ObjectNotFound
from tests.access.support import register_request, store_recording
from tests.support.rows import count, one, rows
from workers.access import package_access_request

E164 = "+447700900123"
URL = "/api/access-requests"


WITHDRAWN = {
    "en": "This download link has been withdrawn",
    "cy": "Mae'r ddolen lawrlwytho hon wedi'i thynnu'n ôl",
}
NOT_VALID = {
    "en": "This download link is not valid",
    "cy": "Nid yw'r ddolen lawrlwytho hon yn ddilys",
}


def packaged(client, officer, runtime, language: str = "en") -> int:  # noqa: ANN001
    """A request in `language` whose one-recording package is ready."""
    store_recording(runtime, number=E164, started_at=datetime(2026, 11, 2, tzinfo=UTC))
    rid = register_request(client, officer, E164, language=language)["id"]
    assert client.post(f"{URL}/{rid}/fulfil", headers=officer).status_code == 202
    package_access_request(rid)
    return rid


@pytest.fixture
def ready(client, officer, local_runtime) -> int:  # noqa: ANN001
    """An English request whose one-recording package is ready."""
    return packaged(client, officer, local_runtime)


def token(client, officer, rid: int) -> str:  # noqa: ANN001
    return client.get(f"{URL}/{rid}/package", headers=officer).json["url"].rsplit("/", 1)[1]


def shown(reply) -> str:  # noqa: ANN001
    """The page's HTML with entities (an escaped apostrophe) read as the characters they are."""
    return html.unescape(reply.text)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_withdrawn_link_says_so_in_the_requests_language(
    client, officer, local_runtime, language
):
    rid = packaged(client, officer, local_runtime, language)
    secret = token(client, officer, rid)
    assert client.delete(f"{URL}/{rid}/package", headers=officer).status_code == 200
    reply = client.get(f"/access/{secret}")
    assert reply.status_code == 410 and reply.mimetype == "text/html"
    page = shown(reply)
    assert f'<html lang="{language}"' in page and WITHDRAWN[language] in page
    other = "cy" if language == "en" else "en"
    assert WITHDRAWN[other] not in page and secret not in page
    assert reply.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in reply.headers
    head = client.head(f"/access/{secret}")
    assert head.status_code == 410 and head.data == b""


def test_a_replaced_welsh_link_says_so_in_welsh(client, officer, local_runtime):
    rid = packaged(client, officer, local_runtime, "cy")
    old = token(client, officer, rid)
    token(client, officer, rid)
    reply = client.get(f"/access/{old}")
    assert reply.status_code == 410 and '<html lang="cy"' in reply.text
    assert "Mae dolen lawrlwytho fwy newydd wedi cymryd lle'r un hon" in shown(reply)


@pytest.mark.parametrize("secret", ["not-a-real-token", "0" * 32 + ".no-such-package"])
def test_an_unknown_link_says_so_in_english_then_in_welsh(client, secret):
    reply = client.get(f"/access/{secret}")
    assert reply.status_code == 404 and reply.mimetype == "text/html"
    page = shown(reply)
    assert '<html lang="en"' in page
    main = page[page.index("<main") :]
    english, welsh = main.index(NOT_VALID["en"]), main.index(NOT_VALID["cy"])
    assert english < main.index('<div lang="cy">') < welsh
    footer = page[page.index("<footer") :]
    assert footer.index(catalogue("en")["footer"]) < footer.index('lang="cy"')
    assert catalogue("cy")["footer"] in footer
    header = page[page.index('<section class="govuk-service-navigation"') : page.index("<main")]
    welsh_name = catalogue("cy")["service_name"]
    welsh_name = f'<span class="govuk-service-navigation__text" lang="cy">{welsh_name}</span>'
    assert header.index(catalogue("en")["service_name"]) < header.index(welsh_name)
    assert reply.headers["Cache-Control"] == "no-store" and "Set-Cookie" not in reply.headers


def test_link_expires_after_seven_days(client, officer, clock, ready):
    link = client.get(f"{URL}/{ready}/package", headers=officer).json
    assert link["expires_at"] == (clock["now"] + timedelta(days=7)).isoformat()
    secret = link["url"].rsplit("/", 1)[1]
    clock["now"] += timedelta(days=7, seconds=-1)
    assert client.get(f"/access/{secret}").status_code == 200
    clock["now"] += timedelta(seconds=1)
    expired = client.get(f"/access/{secret}")
    assert expired.status_code == 410 and "expired" in expired.text


def test_a_new_link_replaces_the_old_one(client, officer, ready):
    old, new = token(client, officer, ready), token(client, officer, ready)
    replaced = client.get(f"/access/{old}")
    assert replaced.status_code == 410 and "replaced by a newer one" in replaced.text
    assert client.get(f"/access/{old[:-4]}AAAA").status_code in {404, 410}  # forged: no download
    assert client.get(f"/access/{new}").status_code == 200
    assert one(AccessPackage).downloads == 1


def test_only_the_hash_of_the_token_is_stored(client, officer, ready):
    secret = token(client, officer, ready)
    assert len(secret) >= 43 and one(AccessPackage).token_hash != secret


def test_closing_deletes_the_package_and_the_link_is_gone(client, officer, ready):
    secret = token(client, officer, ready)
    assert client.post(f"{URL}/{ready}/close", headers=officer).status_code == 200
    assert client.get(f"/access/{secret}").status_code == 410
    assert client.get(f"{URL}/{ready}/package", headers=officer).status_code == 409


def test_refulfilling_replaces_the_package(client, officer, ready, local_runtime):
    first = one(AccessPackage)
    assert client.post(f"{URL}/{ready}/fulfil", headers=officer).status_code == 202
    package_access_request(ready)
    assert count(AccessPackage, AccessPackage.deleted_at.is_(None)) == 1
    assert not local_runtime.storage.exists(first.storage_key)


def test_a_failed_job_shows_on_the_request(client, officer, local_runtime):
    store_recording(local_runtime, number=E164, started_at=datetime(2026, 11, 2, tzinfo=UTC))
    local_runtime.storage.delete(one(Recording).storage_key)
    rid = register_request(client, officer, E164)["id"]
    client.post(f"{URL}/{rid}/fulfil", headers=officer)
    with pytest.raises(ObjectNotFound):
        package_access_request(rid)
    package = client.get(f"{URL}/{rid}", headers=officer).json["package"]
    assert package["state"] == "failed" and package["error"]
    assert client.get(f"{URL}/{rid}/package", headers=officer).status_code == 404
    assert client.post(f"{URL}/{rid}/fulfil", headers=officer).status_code == 202  # retry


def test_a_download_is_audited_with_address_and_user_agent(client, officer, ready):
    secret = token(client, officer, ready)
    reply = client.get(
        f"/access/{secret}",
        headers={"User-Agent": "Firefox/140.0"},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert reply.status_code == 200
    (entry,) = rows(AuditEntry, AuditEntry.action == "access_request.package_download")
    assert entry.details["client_address"] == "203.0.113.9"
    assert entry.details["user_agent"] == "Firefox/140.0"
