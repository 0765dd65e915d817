"""Packaging jobs lost by the queue are queued again; ones whose worker died are failed.

Either way nothing the dead job may have stored is left behind: its package object (under the
job's own key, never recorded in the database) is deleted.
"""

from __future__ import annotations

from rq.job import Job

from app.domain import audit
from app.extensions import db
from app.integrations.queue import get_queue
from app.models import AccessRequest, AuditEntry
from tests.access.support import register_request, store_unrecorded_package
from tests.support.rows import one, rows
from workers.access import reconcile_access_packages

FAILED = "access_request.package_failed"


def mark(request_id: int, state: str, job_id: str) -> None:
    with db.transaction() as session:
        request = session.get(AccessRequest, request_id)
        request.package_state, request.package_job_id = state, job_id


def test_a_job_redis_lost_is_queued_again(client, officer, local_runtime, settings):
    request_id = register_request(client, officer, "07700 900123")["id"]
    mark(request_id, "running", "access-package-gone")
    left = store_unrecorded_package(local_runtime.storage, request_id, "access-package-gone")
    assert reconcile_access_packages() == {"requeued": 1, "failed": 0}
    request = one(AccessRequest)
    assert request.package_state == "queued" and request.package_job_id != "access-package-gone"
    assert request.package_job_id in get_queue(settings).job_ids
    assert not local_runtime.storage.exists(left)
    assert rows(AuditEntry, AuditEntry.action == FAILED) == []


def test_a_job_that_failed_in_the_queue_fails_the_request(client, officer, local_runtime, settings):
    request_id = register_request(client, officer, "07700 900123")["id"]
    job = get_queue(settings).enqueue("workers.access.package_access_request", request_id)
    job.set_status("failed")
    mark(request_id, "running", job.id)
    assert reconcile_access_packages() == {"requeued": 0, "failed": 1}
    assert one(AccessRequest).package_state == "failed"
    assert Job.fetch(job.id, connection=get_queue(settings).connection).get_status() == "failed"
    entry = one(AuditEntry, AuditEntry.action == FAILED)
    assert entry.actor.startswith("system") and entry.subject_id == str(request_id)
    assert "lost" in entry.reason and "killed" in entry.reason
    assert entry.details["job_id"] == job.id and entry.details["job_status"] == "failed"
    with db.transaction() as session:
        assert audit.verify_chain(session).ok


def test_the_object_a_failed_job_stored_is_deleted(client, officer, local_runtime, settings):
    request_id = register_request(client, officer, "07700 900123")["id"]
    job = get_queue(settings).enqueue("workers.access.package_access_request", request_id)
    job.set_status("failed")
    mark(request_id, "running", job.id)
    left = store_unrecorded_package(local_runtime.storage, request_id, job.id)
    assert reconcile_access_packages() == {"requeued": 0, "failed": 1}
    assert not local_runtime.storage.exists(left)


def test_a_queued_job_is_left_alone(client, officer, local_runtime, settings):
    request_id = register_request(client, officer, "07700 900123")["id"]
    job = get_queue(settings).enqueue("workers.access.package_access_request", request_id)
    mark(request_id, "queued", job.id)
    assert reconcile_access_packages() == {"requeued": 0, "failed": 0}
    assert one(AccessRequest).package_state == "queued"
    assert rows(AuditEntry, AuditEntry.action == FAILED) == []
