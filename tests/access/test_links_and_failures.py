"""Download links expire and rotate; a failed packaging job shows on the request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.models import AccessPackage, AuditEntry, Recording
from recordings.storage import ObjectNotFound
from tests.access.support import register_request, store_recording
from tests.support.rows import count, one, rows
from workers.access import package_access_request

E164 = "+447700900123"
URL = "/api/access-requests"


@pytest.fixture
def ready(client, officer, local_runtime) -> int:  # noqa: ANN001
    """A request whose one-recording package is ready."""
    store_recording(local_runtime, number=E164, started_at=datetime(2026, 11, 2, tzinfo=UTC))
    rid = register_request(client, officer, E164)["id"]
    assert client.post(f"{URL}/{rid}/fulfil", headers=officer).status_code == 202
    package_access_request(rid)
    return rid


def token(client, officer, rid: int) -> str:  # noqa: ANN001
    return client.get(f"{URL}/{rid}/package", headers=officer).json["url"].rsplit("/", 1)[1]


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
