"""A package object is stored under its request and job, and only a recorded one is kept.

A job's package lives at `access-packages/<request id>/<job id>.zip.enc`, a key the database
knows before the job runs: a rerun of the same job overwrites it, and whatever ends the job
without recording a package (its failure, a replacement, closing the request) deletes it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from rq import SimpleWorker
from rq.job import Job

from app.extensions import db
from app.integrations.queue import get_queue, redis_connection
from app.models import AccessPackage, AccessRequest, Recording
from recordings.storage import ObjectNotFound, StorageError
from tests.access.support import (
    package_objects,
    register_request,
    store_recording,
    store_unrecorded_package,
)
from tests.support.rows import count, one
from workers.access import package_access_request, reconcile_access_packages

E164 = "+447700900123"
URL = "/api/access-requests"


@pytest.fixture
def requested(client, officer, local_runtime) -> int:  # noqa: ANN001
    """A registered request finding one stored recording."""
    store_recording(local_runtime, number=E164, started_at=datetime(2026, 11, 2, tzinfo=UTC))
    return register_request(client, officer, E164)["id"]


def fulfilled(client, officer, rid: int) -> str:  # noqa: ANN001
    reply = client.post(f"{URL}/{rid}/fulfil", headers=officer)
    assert reply.status_code == 202, reply.json
    return reply.json["job_id"]


def mark(rid: int, state: str) -> None:
    with db.transaction() as session:
        session.get(AccessRequest, rid).package_state = state


def downloads(client, officer, rid: int) -> bool:  # noqa: ANN001
    link = client.get(f"{URL}/{rid}/package", headers=officer).json["url"]
    return client.get("/access/" + link.rsplit("/access/", 1)[1]).status_code == 200


def test_the_package_is_stored_under_its_request_and_job(client, officer, requested, local_runtime):
    job_id = fulfilled(client, officer, requested)
    package_access_request(requested)
    key = f"access-packages/{requested}/{job_id}.zip.enc"
    assert one(AccessPackage).storage_key == key
    assert package_objects(local_runtime.storage) == [key]
    assert downloads(client, officer, requested)


def test_a_rerun_of_a_job_killed_before_recording_overwrites_its_object(
    client, officer, requested, local_runtime
):
    job_id = fulfilled(client, officer, requested)
    mark(requested, "running")  # the killed run got this far, and stored its package
    left = store_unrecorded_package(local_runtime.storage, requested, job_id)
    package_access_request(requested)
    assert package_objects(local_runtime.storage) == [left] == [one(AccessPackage).storage_key]
    assert downloads(client, officer, requested)


def test_a_failed_job_leaves_no_object(client, officer, requested, local_runtime):
    job_id = fulfilled(client, officer, requested)
    store_unrecorded_package(local_runtime.storage, requested, job_id)  # an earlier, killed run
    local_runtime.storage.delete(one(Recording).storage_key)
    with pytest.raises(ObjectNotFound):
        package_access_request(requested)
    assert one(AccessRequest).package_state == "failed"
    assert package_objects(local_runtime.storage) == []


def test_a_failed_job_whose_object_cannot_be_deleted_is_failed_by_the_sweep(
    client, officer, requested, local_runtime, monkeypatch
):
    job_id = fulfilled(client, officer, requested)
    left = store_unrecorded_package(local_runtime.storage, requested, job_id)
    local_runtime.storage.delete(one(Recording).storage_key)
    monkeypatch.setattr(local_runtime.storage, "delete", refuse)
    with pytest.raises(ObjectNotFound):
        package_access_request(requested)
    assert one(AccessRequest).package_state == "running"  # not failed while its object is left
    monkeypatch.undo()
    Job.fetch(job_id, connection=redis_connection(local_runtime.settings)).set_status("failed")
    assert reconcile_access_packages() == {"requeued": 0, "failed": 1}
    assert one(AccessRequest).package_state == "failed"
    assert not local_runtime.storage.exists(left)


def refuse(key: str) -> None:
    raise StorageError(f"the store is unavailable: {key} not deleted")


def test_a_replaced_job_that_runs_late_does_nothing(client, officer, requested, local_runtime):
    fulfilled(client, officer, requested)
    mark(requested, "failed")  # e.g. the queue said it failed; RQ still retries it later
    second = fulfilled(client, officer, requested)
    queue = get_queue(local_runtime.settings)
    assert len(queue.job_ids) == 2
    SimpleWorker([queue], connection=redis_connection(local_runtime.settings)).work(burst=True)
    key = f"access-packages/{requested}/{second}.zip.enc"
    assert one(AccessPackage).storage_key == key
    assert package_objects(local_runtime.storage) == [key]


def test_a_job_failed_while_it_stored_records_and_leaves_nothing(
    client, officer, requested, local_runtime, monkeypatch
):
    fulfilled(client, officer, requested)
    verify = local_runtime.storage.verify

    def verify_while_reconcile_fails_the_request(key: str, size: int, digest: str) -> None:
        verify(key, size, digest)
        if key.startswith("access-packages/"):
            mark(requested, "failed")

    monkeypatch.setattr(local_runtime.storage, "verify", verify_while_reconcile_fails_the_request)
    package_access_request(requested)
    assert count(AccessPackage) == 0 and one(AccessRequest).package_state == "failed"
    assert package_objects(local_runtime.storage) == []


def test_closing_deletes_what_an_unrecorded_job_stored(client, officer, requested, local_runtime):
    job_id = fulfilled(client, officer, requested)
    mark(requested, "failed")
    store_unrecorded_package(local_runtime.storage, requested, job_id)
    assert client.post(f"{URL}/{requested}/close", headers=officer).status_code == 200
    assert package_objects(local_runtime.storage) == []
