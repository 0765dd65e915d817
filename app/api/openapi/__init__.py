"""GET /api/openapi.json: the staff API's OpenAPI document, assembled from one module a resource.

The operations served by app/api/NAME.py are described in app/api/openapi/NAME.py, in a
module-level `PATHS` dict (OpenAPI path item objects keyed by path); parts several operations
share are in `components`. A test checks the document and the routes agree.
Request schemas say exactly what the API accepts: a request they admit is never answered 422,
except where a description names a rule no schema can state (a check digit, one field compared
with another or with today's date).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Any

from flask import jsonify

from app.api import bp
from app.api.openapi.components import ERROR, service_code_schema

__all__ = ["document", "resources"]

PATHS = {
    "/api/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "OpenAPI document"}},
        }
    },
}


def resources() -> list[ModuleType]:
    """The modules of this package that declare `PATHS`, one a resource."""
    names = sorted(module.name for module in pkgutil.iter_modules(__path__))
    modules = [importlib.import_module(f"{__name__}.{name}") for name in names]
    return [module for module in modules if hasattr(module, "PATHS")]


def document() -> dict[str, Any]:
    """The whole OpenAPI 3.1 document."""
    paths: dict[str, Any] = {}
    for declared in (PATHS, *(resource.PATHS for resource in resources())):
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
