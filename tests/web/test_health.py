"""Liveness and readiness probes."""

from __future__ import annotations


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_ready_when_database_queue_and_store_answer(client):
    reply = client.get("/readyz")
    assert reply.status_code == 200
    assert reply.json["checks"] == {"database": "ok", "queue": "ok", "store": "ok"}


def test_not_ready_names_what_is_down(make_app):
    from app.web.health import CHECKS

    app = make_app(redis_url="redis://127.0.0.1:9/0")
    reply = app.test_client().get("/readyz")
    assert reply.status_code == 503
    assert reply.json["checks"]["queue"] == "unreachable"
    assert set(reply.json["checks"]) == set(CHECKS)
