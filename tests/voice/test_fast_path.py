"""The incoming-call webhook's fast path answers exactly as the view does, or hands over.

`app.voice.fast_path` answers the common case of `POST /twilio/voice` below Flask (SPEC §11).
These tests send the same kind of request to both (the view answers first, while the TwiML is
not rendered yet; the fast path from then on) and compare status, headers, body and the row
written; and show that every unusual request is the view's to answer.
"""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from app.domain import calls
from app.extensions import db
from app.models import Call, Outcome
from tests.conftest import PUBLIC_BASE_URL, sign
from tests.support.rows import count

URL = PUBLIC_BASE_URL + "/twilio/voice"
CALLER = "+447700900123"


def _form(n: int) -> dict[str, str]:
    return {
        "CallSid": f"CA{n:032x}",
        "From": CALLER,
        "To": "+441744676767",
        "CallStatus": "ringing",
        "AccountSid": "AC" + "1" * 32,
    }


def hand_overs(app) -> list[str]:  # noqa: ANN001
    """From now on, the path of each request `app`'s fast path hands to Flask."""
    seen: list[str] = []
    fast_path = app.wsgi_app
    inner = fast_path.flask

    def counting(environ, start_response):  # noqa: ANN001, ANN202
        seen.append(environ["PATH_INFO"])
        return inner(environ, start_response)

    fast_path.flask = counting
    return seen


@pytest.fixture
def handed_over(app) -> list[str]:  # noqa: ANN001
    """The requests the `app` fixture's fast path handed to Flask."""
    return hand_overs(app)


def _post(client, form: dict[str, str], **headers: str):  # noqa: ANN001, ANN202
    return client.post(
        "/twilio/voice", data=form, headers={"X-Twilio-Signature": sign(URL, form), **headers}
    )


def _answer(reply) -> tuple[int, list[tuple[str, str]], bytes]:  # noqa: ANN001
    return reply.status_code, sorted(reply.headers.items()), reply.get_data()


def _row(sid: str) -> tuple:
    with db.transaction() as session:
        call = session.scalars(select(Call).where(Call.call_sid == sid)).one()
        return (call.from_number, call.to_number, call.language, call.outcome, call.started_at)


@pytest.mark.parametrize(
    ("changes", "clock_hour", "twiml"),
    [
        ({}, None, b"<Gather"),  # one language, open: the greeting and notice
        ({"languages": ("cy", "en"), "default_language": "en"}, None, b"Cymraeg"),
        ({}, 23, b"closed"),  # out of hours
    ],
    ids=["greeting", "language-choice", "closed"],
)
def test_the_fast_path_answers_as_the_view_does(app, make_app, clock, changes, clock_hour, twiml):
    app = make_app(**changes)  # (the `app` fixture empties the tables afterwards)
    if clock_hour is not None:
        clock["now"] = clock["now"].replace(hour=clock_hour)
    seen = hand_overs(app)
    client = app.test_client()
    by_view = _post(client, _form(1))
    assert seen == ["/twilio/voice"]  # nothing rendered yet: the view answers (and renders it)
    by_fast_path = _post(client, _form(2))
    assert seen == ["/twilio/voice"]  # now the fast path does
    assert _answer(by_fast_path) == _answer(by_view)
    assert twiml in by_fast_path.get_data()
    first, second = _row(_form(1)["CallSid"]), _row(_form(2)["CallSid"])
    assert first == second
    assert first[0] == CALLER
    assert (first[3] == Outcome.OUT_OF_HOURS) == (clock_hour is not None)


def test_a_repeated_webhook_changes_nothing(client, app, handed_over):
    _post(client, _form(1))
    first = _row(_form(1)["CallSid"])
    assert _post(client, _form(1)).status_code == 200
    assert handed_over == ["/twilio/voice"]  # the repeat was the fast path's
    assert _row(_form(1)["CallSid"]) == first and count(Call) == 1


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"signature": "forged"}, 403),
        ({"signature": ""}, 403),
        ({"path": "/twilio/voice?attempt=1"}, 200),  # signed with its query: the view's
        ({"sid": "not-a-call-sid"}, 400),
        ({"content_type": "multipart/form-data"}, 200),
    ],
    ids=["forged", "unsigned", "query-string", "bad-call-sid", "multipart"],
)
def test_anything_unusual_is_the_views_to_answer(client, app, handed_over, change, status):
    _post(client, _form(0))  # the view renders the greeting; from here the fast path could answer
    handed_over.clear()
    form = _form(1) if "sid" not in change else {**_form(1), "CallSid": change["sid"]}
    path = change.get("path", "/twilio/voice")
    signature = change.get("signature", sign(PUBLIC_BASE_URL + path, form))
    reply = client.post(
        path,
        data=form,
        headers={"X-Twilio-Signature": signature},
        content_type=change.get("content_type", "application/x-www-form-urlencoded"),
    )
    assert reply.status_code == status
    assert handed_over == ["/twilio/voice"]
    assert count(Call) == (2 if status == 200 else 1)


def test_a_failed_write_is_handed_to_the_view(client, app, handed_over, monkeypatch, caplog):
    """The upsert is idempotent: the view writes again, and answers as it would have."""
    _post(client, _form(0))
    handed_over.clear()
    real, failures = calls.record_incoming, []

    def fails_once(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        if not failures:
            failures.append(args[1])
            raise ConnectionError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(calls, "record_incoming", fails_once)
    with caplog.at_level(logging.WARNING):
        reply = _post(client, _form(1))
    assert reply.status_code == 200 and b"<Gather" in reply.get_data()
    assert handed_over == ["/twilio/voice"] and failures == [_form(1)["CallSid"]]
    assert _row(_form(1)["CallSid"])[0] == CALLER
    assert "ConnectionError" in caplog.text
    assert "900123" not in caplog.text and "database went away" not in caplog.text


def test_production_answers_carry_hsts_as_the_views_do(app, make_app):
    production = make_app(app_env="production", secret_key="s" * 48)
    seen, client = hand_overs(production), production.test_client()
    by_view, by_fast_path = _post(client, _form(1)), _post(client, _form(2))
    assert seen == ["/twilio/voice"]
    assert _answer(by_fast_path) == _answer(by_view)
    assert by_fast_path.headers["Strict-Transport-Security"].startswith("max-age=")
