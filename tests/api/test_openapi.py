"""The OpenAPI document describes exactly the routes the staff API serves."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def served_operations(app) -> set[tuple[str, str]]:  # noqa: ANN001
    ops = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        ops |= {(path, m.lower()) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return ops


def test_document_is_valid_openapi(client):
    validate(client.get("/api/openapi.json").json)


def test_document_and_routes_agree(app, client):
    paths = client.get("/api/openapi.json").json["paths"]
    documented = {(p, m) for p, item in paths.items() for m in item}
    assert documented == served_operations(app)
