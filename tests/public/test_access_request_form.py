"""The citizen's access-request form on the server: validation, duplicates, abuse (SPEC §15)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AccessRequest, AccessRequestCall, Call, LegalHold
from tests.public.support import fill, post, send


def count(model: type) -> int:
    with db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def only_request() -> AccessRequest:
    with db.transaction() as session:
        (item,) = session.scalars(select(AccessRequest)).all()
        session.expunge(item)
        return item


@pytest.mark.parametrize(
    ("step", "fields", "field_id", "message"),
    [
        ("name", {"name": ""}, "name", "Enter your full name"),
        ("name", {"name": "x" * 201}, "name", "200 characters or fewer"),
        ("name", {"name": "Pat\x00"}, "name", "Remove the special characters"),
        ("who", {}, "who", "Select who the recordings are for"),
        ("phone-numbers", {"phone-1": ""}, "phone-1", "Enter a phone number you called us"),
        ("phone-numbers", {"phone-1": "12"}, "phone-1", "Enter a phone number, like"),
        ("phone-numbers", {"phone-1": "not a number"}, "phone-1", "Enter a phone number, like"),
        (
            "phone-numbers",
            {"phone-1": "01632 960001", "phone-2": "+44 1632 960001"},
            "phone-2",
            "already given",
        ),
        (
            "when",
            {"date_from-day": "31", "date_from-month": "2", "date_from-year": "2026"},
            "date_from-day",
            "must be a real date",
        ),
        (
            "when",
            {"date_from-day": "1", "date_from-month": "1", "date_from-year": "1899"},
            "date_from-day",
            "must be a real date",
        ),
        (
            "when",
            {"date_to-day": "1", "date_to-month": "1", "date_to-year": "2027"},
            "date_to-day",
            "today or in the past",
        ),
        (
            "when",
            {
                "date_from-day": "2",
                "date_from-month": "6",
                "date_from-year": "2026",
                "date_to-day": "1",
                "date_to-month": "6",
                "date_to-year": "2026",
            },
            "date_to-day",
            "same as or after",
        ),
        ("reply", {}, "reply", "Select how we should reply"),
        ("reply", {"reply": "email", "email": ""}, "email", "Enter your email address"),
        ("reply", {"reply": "email", "email": "pat@"}, "email", "correct format"),
        ("reply", {"reply": "post", "address": ""}, "address", "Enter your postal address"),
        ("reply", {"reply": "post", "address": "a" * 501}, "address", "500 characters"),
        ("language", {"language": "fr"}, "language", "Select the language"),
        ("note", {"note": "n" * 1001}, "note", "1,000 characters"),
    ],
)
def test_a_wrong_answer_is_shown_in_the_summary_and_inline(
    client, step, fields, field_id, message
) -> None:
    reply = post(client, f"/access-request/{step}", **fields)
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    assert f'<a href="#{field_id}">' in page and message in page
    assert f'id="{field_id}-error"' in page
    assert "<title>Error: " in page


def test_welsh_errors_are_in_welsh(client) -> None:
    page = post(client, "/cy/access-request/name", name="").get_data(as_text=True)
    assert "Rhowch eich enw llawn" in page and '<html lang="cy"' in page
    assert "Mae problem wedi codi" in page


def test_someone_else_needs_their_name_authority_and_document(client) -> None:
    post(client, "/access-request/who", who="someone_else")
    reply = post(client, "/access-request/their-details")
    page = reply.get_data(as_text=True)
    assert reply.status_code == 400
    for field_id in ("subject_name", "authority", "evidence"):
        assert f'<a href="#{field_id}">' in page


def test_a_request_is_registered_online_with_identity_pending_and_calls_held(client) -> None:
    with db.transaction() as session:
        session.add(
            Call(
                call_sid="CA" + "a" * 32,
                from_number="+441632960001",
                started_at=datetime(2026, 11, 1, 10, tzinfo=UTC),
            )
        )
    fill(
        client,
        reply={"reply": "post", "address": "1 High Street\nSt Helens WA10 1AA"},
        language={"language": "cy"},
        note={"note": "The call in early November"},
    )
    reply = send(client)
    assert reply.status_code == 302 and reply.location.endswith("/access-request/confirmation")
    item = only_request()
    assert (item.channel, item.language, item.identity_pending) == ("online", "cy", True)
    assert item.phone_numbers == ["+441632960001"] and item.due_on is None
    assert item.postal_address == "1 High Street\nSt Helens WA10 1AA"
    assert item.requester_note == "The call in early November" and item.contact_email is None
    assert count(AccessRequestCall) == 1 and count(LegalHold) == 1
    page = client.get("/access-request/confirmation").get_data(as_text=True)
    assert item.reference in page


def test_the_pages_never_say_whether_a_call_matched(client) -> None:
    fill(client)
    no_match = client.get("/access-request/check").get_data(as_text=True)
    send(client)
    confirmation = client.get("/access-request/confirmation").get_data(as_text=True)
    assert "SAR-000001" in confirmation
    for page in (no_match, confirmation):
        assert "no recordings" not in page.lower() and "found" not in page.lower()


def test_sending_the_same_answers_twice_registers_one_request(client, clock) -> None:
    fill(client)
    send(client)
    fill(client)
    clock["now"] += timedelta(minutes=3)
    send(client)
    assert count(AccessRequest) == 1
    assert "SAR-000001" in client.get("/access-request/confirmation").get_data(as_text=True)
    fill(client)
    clock["now"] += timedelta(minutes=30)
    send(client)
    assert count(AccessRequest) == 2


def test_different_answers_make_a_second_request(client) -> None:
    fill(client)
    send(client)
    fill(client, name={"name": "Sam Example"})
    send(client)
    assert count(AccessRequest) == 2


@pytest.mark.parametrize("path", ["/access-request/name", "/access-request/check"])
def test_a_filled_honeypot_is_refused_and_nothing_is_written(client, path) -> None:
    fill(client)
    reply = post(client, path, name="Pat Example", website="http://spam.example")
    assert reply.status_code == 400
    assert "could not accept this form" in reply.get_data(as_text=True)
    assert count(AccessRequest) == 0


def test_a_post_without_the_csrf_token_is_refused_in_the_page_language(client) -> None:
    fill(client)
    reply = client.post("/cy/access-request/check", data={})
    assert reply.status_code == 400 and "wedi dod i ben" in reply.get_data(as_text=True)
    assert count(AccessRequest) == 0


def test_nothing_is_written_until_the_request_is_sent(client) -> None:
    fill(client)
    post(client, "/access-request/name", name="")
    assert count(AccessRequest) == 0 and count(LegalHold) == 0


def test_switching_language_keeps_the_answers(client) -> None:
    post(client, "/access-request/name", name="Siân Ŵyn")
    page = client.get("/cy/access-request/name").get_data(as_text=True)
    assert 'value="Siân Ŵyn"' in page and "Beth yw eich enw llawn?" in page
    assert 'href="/access-request/name"' in page and 'lang="en"' in page


def test_check_answers_sends_an_unfinished_form_back_to_the_first_question_left(client) -> None:
    post(client, "/access-request/name", name="Pat Example")
    reply = client.get("/access-request/check")
    assert reply.status_code == 302 and reply.location.endswith("/access-request/who")


def test_another_phone_number_field_is_added_without_javascript(client) -> None:
    reply = post(
        client, "/access-request/phone-numbers", **{"phone-1": "01632 960001"}, action="add"
    )
    page = reply.get_data(as_text=True)
    assert reply.status_code == 200 and 'id="phone-2"' in page and 'value="01632 960001"' in page


@pytest.mark.parametrize(("prefix", "words"), [("", "too many requests"), ("/cy", "gormod o")])
def test_the_sixth_submission_in_an_hour_gets_the_limit_page(client, prefix, words) -> None:
    for attempt in range(5):
        fill(client, prefix, name={"name": f"Pat Example {attempt}"})
        assert send(client, prefix).status_code == 302
    fill(client, prefix, name={"name": "Pat Example 6"})
    reply = send(client, prefix)
    assert reply.status_code == 429 and words in reply.get_data(as_text=True)
    assert "Retry-After" in reply.headers
    assert count(AccessRequest) == 5
