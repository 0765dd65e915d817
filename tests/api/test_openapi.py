"""The OpenAPI document describes exactly the routes the staff API serves."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from openapi_spec_validator import validate

from app.api.openapi import resources

# The served document, frozen: moving code must not change it. After an intended change, rewrite
# it with `UPDATE_OPENAPI_DOCUMENT=1 pytest tests/api/test_openapi.py` and review the diff.
FROZEN = Path(__file__).with_name("openapi_document.json")


def served_operations(app) -> dict[tuple[str, str], str]:  # noqa: ANN001
    """Each (path, method) the API serves, with the module of its view."""
    ops = {}
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        module = app.view_functions[rule.endpoint].__module__
        ops |= {(path, m.lower()): module for m in rule.methods - {"HEAD", "OPTIONS"}}
    return ops


def test_document_is_valid_openapi(client):
    validate(client.get("/api/openapi.json").json)


def test_document_and_routes_agree(app, client):
    paths = client.get("/api/openapi.json").json["paths"]
    documented = {(p, m) for p, item in paths.items() for m in item}
    assert documented == set(served_operations(app))


def test_each_module_describes_the_routes_of_its_namesake(app):
    """app/api/openapi/NAME.py describes the operations app/api/NAME.py serves."""
    served = served_operations(app)
    for resource in resources():
        name = resource.__name__.removeprefix("app.api.openapi.")
        described = {(path, method) for path, item in resource.PATHS.items() for method in item}
        assert {served[op] for op in described} == {f"app.api.{name}"}


def test_document_is_unchanged(client):
    served = client.get("/api/openapi.json").json
    if os.environ.get("UPDATE_OPENAPI_DOCUMENT") == "1":
        FROZEN.write_text(json.dumps(served, sort_keys=True, indent=1) + "\n")
    frozen = json.loads(FROZEN.read_text())
    assert json.dumps(served, sort_keys=True) == json.dumps(frozen, sort_keys=True)
