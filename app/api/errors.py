"""Domain exceptions translated to the API's JSON errors, in one table, by one handler.

Views call the domain and let its exceptions propagate; the handler registered here on the API
blueprint rolls back the request's session and answers `{"error": {"code", "message"}}` with the
status and code the table gives (the message is the exception's text unless the row says more).
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Response

from app.api import bp
from app.db.session import request_session
from app.domain import access_requests as sar
from app.domain import alerts, routing
from app.domain.holds import HoldAlreadyReleased, HoldNotFound, HoldTargetError
from app.web.errors import error_response
from recordings.subject_access import InvalidNhsNumber


class Translation(NamedTuple):
    """How one domain exception reads over HTTP; `message` formats the exception's text."""

    status: int
    code: str
    message: str = "{}"


# The most specific class listed wins: the handler follows the exception's MRO.
DOMAIN_ERRORS: dict[type[Exception], Translation] = {
    sar.AccessRequestInvalid: Translation(422, "invalid"),
    sar.AccessRequestError: Translation(409, "conflict"),
    alerts.AlertInvalid: Translation(422, "invalid"),
    alerts.AlertError: Translation(409, "conflict"),
    HoldTargetError: Translation(422, "invalid"),
    HoldNotFound: Translation(404, "not_found"),
    HoldAlreadyReleased: Translation(409, "already_released"),
    routing.TransferRefused: Translation(409, "conflict"),
    routing.InvalidEndpoint: Translation(422, "invalid"),
    InvalidNhsNumber: Translation(422, "invalid_nhs_number", "Invalid NHS number: {}."),
}


def translation_for(exc: Exception) -> Translation:
    """The table's row for the exception's most specific listed class."""
    return next(DOMAIN_ERRORS[cls] for cls in type(exc).__mro__ if cls in DOMAIN_ERRORS)


def domain_error_response(exc: Exception) -> tuple[Response, int]:
    """Roll back what the failed step wrote and answer with the table's status and code."""
    request_session().rollback()
    row = translation_for(exc)
    return error_response(row.status, row.code, row.message.format(exc))


for _exception in DOMAIN_ERRORS:
    bp.register_error_handler(_exception, domain_error_response)
