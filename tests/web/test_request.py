"""The app's request class parses URL-encoded forms exactly as Werkzeug does."""

from __future__ import annotations

import flask
import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.exceptions import RequestEntityTooLarge

from app.web.request import URLENCODED, Request


def _parsed(  # noqa: ANN202
    request_class: type[flask.Request], body: bytes, content_type: str = URLENCODED
):
    app = flask.Flask(__name__)
    app.request_class = request_class
    app.config["MAX_CONTENT_LENGTH"] = 1024
    with app.test_request_context("/", method="POST", data=body, content_type=content_type):
        try:
            form = flask.request.form
        except RequestEntityTooLarge as exc:
            return type(exc).__name__
        return list(form.lists()), list(flask.request.files.lists())


FORM_BYTES = st.lists(
    st.sampled_from(
        [
            b"a",
            b"CallSid",
            b"=",
            b"&",
            b"+",
            b"%2B",
            b"%E2%80%A2",
            b"%FF",
            b"%",
            b"\xc3\xa9",
            b"\xff",
            b" ",
            b";",
        ]
    ),
    max_size=30,
).map(b"".join)


@given(FORM_BYTES)
def test_any_urlencoded_body_parses_as_werkzeug_parses_it(body):
    assert _parsed(Request, body) == _parsed(flask.Request, body)


@pytest.mark.parametrize(
    "body",
    [
        b"CallSid=CA1&From=%2B447700900123&To=+441744676767",
        b"Digits=1&Digits=2&Empty=&Flag",  # repeated, blank, bare
        b"Name=%E2%80%A2%FF",  # not UTF-8 once decoded: quoted again, as Werkzeug does
        b"Name=\xff",  # not UTF-8 at all: an empty form
        b"x=" + b"1" * 2000,  # beyond MAX_CONTENT_LENGTH: 413
    ],
)
def test_webhook_forms_parse_as_werkzeug_parses_them(body):
    assert _parsed(Request, body) == _parsed(flask.Request, body)


def test_other_bodies_are_left_to_werkzeug():
    multipart = b'--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n'
    assert _parsed(Request, multipart, "multipart/form-data; boundary=b") == ([("a", ["1"])], [])


def test_the_app_uses_it(app):
    assert app.request_class is Request
