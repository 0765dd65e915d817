"""Domain errors and their one translation to JSON at the API edge."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from recordings.crypto import DecryptionError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error the staff API answers with `{"error": {"code", "message"}}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> tuple[Response, int]:
    """The JSON error body every client relies on."""
    return jsonify({"error": {"code": code, "message": message}}), status


UNDECRYPTABLE = (
    "This stored file cannot be decrypted with the master keys this service holds (a key "
    "missing from the keyset, or a damaged object). Ask an administrator to check the keyset."
)

PAGE_TITLES = {
    400: ("There is a problem with the request", "Go back and try again."),
    403: ("You cannot open this page", "Your role does not allow this page."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Page not found", "If you typed the web address, check it is correct."),
    409: ("This file cannot be opened", "Contact the council's Data Protection Officer."),
    429: ("Too many attempts", "Wait a while, then try again."),
    500: ("Sorry, there is a problem with the service", "Try again later."),
}


def wants_page() -> bool:
    """True for the pages people read (console and public form), not the APIs."""
    return not request.path.startswith(("/api/", "/twilio/", "/dev/", "/metrics", "/healthz"))


def error_page(status: int) -> tuple[str, int]:
    """An HTML error page that never shows a traceback."""
    title, message = PAGE_TITLES.get(
        status, PAGE_TITLES[500] if status >= 500 else PAGE_TITLES[400]
    )
    return render_template("error.html", title=title, message=message, back_url=None), status


def _http_code(exc: HTTPException) -> str:
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def register_errorhandlers(app: Flask) -> None:
    """JSON errors for the API and plain ones elsewhere; never a stack trace."""

    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError) -> tuple[Response, int]:
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def handle_http_error(exc: HTTPException) -> tuple[Response | str, int]:
        status = exc.code or 500
        if wants_page():
            return error_page(status)
        return error_response(status, _http_code(exc), exc.description or exc.name)

    @app.errorhandler(DecryptionError)
    def handle_undecryptable(exc: DecryptionError) -> tuple[Response | str, int]:
        log.error("cannot decrypt for %s %s: %s", request.method, request.path, exc)
        if wants_page():
            return error_page(409)
        return error_response(409, "undecryptable", UNDECRYPTABLE)

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> tuple[Response | str, int]:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if wants_page():
            return error_page(500)
        return error_response(500, "internal_error", "Something went wrong; it has been logged.")
