"""The OpenAPI document describes exactly the routes the staff API serves."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from openapi_spec_validator import validate

# The served document, frozen: moving code must not change it. After an intended change, rewrite
# it with `UPDATE_OPENAPI_DOCUMENT=1 pytest tests/api/test_openapi.py` and review the diff.
FROZEN = Path(__file__).with_name("openapi_document.json")


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


def test_document_is_unchanged(client):
    served = client.get("/api/openapi.json").json
    if os.environ.get("UPDATE_OPENAPI_DOCUMENT") == "1":
        FROZEN.write_text(json.dumps(served, sort_keys=True, indent=1) + "\n")
    frozen = json.loads(FROZEN.read_text())
    assert json.dumps(served, sort_keys=True) == json.dumps(frozen, sort_keys=True)
