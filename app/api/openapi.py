"""GET /api/openapi.json: the staff API's OpenAPI document, assembled from the API modules.

Each module under app/api declares the operations it serves in a module-level `OPENAPI_PATHS`
dict (OpenAPI path item objects keyed by path); a test checks the document and the routes agree.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from flask import jsonify

import app.api as api_package
from app.api import bp

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def error_responses(*codes: int) -> dict[str, Any]:
    """Standard error responses for an operation."""
    text = {
        400: "Malformed request",
        401: "No, expired or revoked token",
        403: "Wrong role",
        404: "Unknown id",
        409: "Conflict with the current state",
        410: "Gone",
        422: "Invalid input",
    }
    ref = {"$ref": "#/components/schemas/Error"}
    return {
        str(c): {
            "description": text.get(c, "Error"),
            "content": {"application/json": {"schema": ref}},
        }
        for c in codes
    }


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    paths: dict[str, Any] = {}
    for module in pkgutil.iter_modules(api_package.__path__):
        declared = getattr(importlib.import_module(f"app.api.{module.name}"), "OPENAPI_PATHS", {})
        for path, item in declared.items():
            paths.setdefault(path, {}).update(item)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Contact line staff API", "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR},
        },
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
    }


@bp.get("/openapi.json")
def openapi_json():  # noqa: ANN201
    """The OpenAPI description of this API."""
    return jsonify(document())


OPENAPI_PATHS = {
    "/api/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "OpenAPI document"}},
        }
    },
}
