"""Issue 19, item 8: hostile bodies get 400s, and responses carry the right headers."""

from __future__ import annotations

import pytest

DEEP = "[" * 100_000 + "]" * 100_000
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    "path",
    ["/api/auth/token", "/api/holds", "/api/advisors", "/api/access-requests"],
)
def test_json_nested_too_deep_is_400_never_500(client, staff_headers, path):
    unauthenticated = client.post(path, data=DEEP, headers=JSON)
    assert unauthenticated.status_code in {400, 401}
    assert unauthenticated.json["error"]["code"] in {"bad_request", "unauthenticated"}
    headers = {**staff_headers("admin"), **JSON}
    authenticated = client.post(path, data=DEEP, headers=headers)
    assert authenticated.status_code in {400, 403}, authenticated.get_data(as_text=True)
    assert "Traceback" not in authenticated.get_data(as_text=True)


def test_sign_in_with_deep_json_is_a_400(client):
    reply = client.post("/api/auth/token", data=DEEP, headers=JSON)
    assert reply.status_code == 400 and reply.json["error"]["code"] == "bad_request"


def test_api_responses_are_not_cached_nor_sniffed(client, staff_headers):
    reply = client.get("/api/calls", headers=staff_headers("supervisor"))
    assert reply.status_code == 200
    assert reply.headers["Cache-Control"] == "no-store"
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in reply.headers  # not in production


def test_production_answers_with_hsts(make_app, staff_headers):
    app = make_app(app_env="production", secret_key="s" * 40)
    reply = app.test_client().get("/api/calls", headers=staff_headers("supervisor"))
    assert reply.headers["Strict-Transport-Security"].startswith("max-age=")
    assert reply.headers["Cache-Control"] == "no-store"
