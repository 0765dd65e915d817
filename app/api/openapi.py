"""GET /api/openapi.json: the staff API's OpenAPI document, assembled from the API modules.

Each module under app/api declares the operations it serves in a module-level `OPENAPI_PATHS`
dict (OpenAPI path item objects keyed by path); a test checks the document and the routes agree.
Request schemas say exactly what the API accepts: a request they admit is never answered 422,
except where a description names a rule no schema can state (a check digit, one field compared
with another or with today's date).
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from flask import current_app, has_app_context, jsonify

import app.api as api_package
from app.api import bp
from app.db import MAX_ID

SERVICE_CODE = {"$ref": "#/components/schemas/ServiceCode"}
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


def path_parameter(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """A required parameter in the operation's path."""
    return {"name": name, "in": "path", "required": True, "schema": schema}


def path_id(name: str) -> dict[str, Any]:
    """A database id in the path (the INTEGER columns' range; beyond it is a 404)."""
    return path_parameter(name, {"type": "integer", "minimum": 1, "maximum": MAX_ID})


def error_responses(*codes: int) -> dict[str, Any]:
    """Standard error responses for an operation."""
    text = {
        400: "Malformed request",
        401: "No, expired or revoked token",
        403: "Wrong role",
        404: "Unknown id",
        409: "Conflict with the current state",
        410: "Gone",
        413: "Body over 1 MiB",
        422: "Invalid input",
        429: "Too many attempts: wait for the Retry-After header's seconds",
        502: "Twilio refused or could not be reached",
        503: "A service the request needs is unavailable",
    }
    ref = {"$ref": "#/components/schemas/Error"}
    return {
        str(c): {
            "description": text.get(c, "Error"),
            "content": {"application/json": {"schema": ref}},
        }
        for c in codes
    }


def service_code_schema() -> dict[str, Any]:
    """The configured service codes (any string outside an app, where none are configured)."""
    if not has_app_context():
        return {"type": "string"}
    return {"enum": [s.code for s in current_app.config["SERVICES"]]}


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
            "schemas": {"Error": ERROR, "ServiceCode": service_code_schema()},
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
