"""The cover letter (preview and PDF) and the confirmation email (SPEC §8, §15)."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from sqlalchemy import select

from app.extensions import db
from app.integrations.queue import get_queue
from app.models import AccessRequest, AuditEntry, Role
from recordings.correspondence import cy as cy_words
from recordings.correspondence import en as en_words
from recordings.cover_letter import Letter, letter_pdf, letter_text
from recordings.wording import drafts
from tests.public.support import fill, send
from tests.support.runtime import job_runtime
from workers.mail import send_request_confirmation

ICO = {
    "en": "You can also complain to the Information Commissioner's Office (ICO)",
    "cy": "Gallwch hefyd gwyno i Swyddfa'r Comisiynydd Gwybodaeth (ICO)",
}


def pdf_text(data: bytes, tmp_path) -> str:  # noqa: ANN001
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


@pytest.mark.parametrize("language", ["en", "cy"])
def test_the_letter_carries_the_icos_supplementary_information(language, tmp_path) -> None:
    letter = Letter(
        "SAR-000123",
        "Siân Ŵyn",
        language,
        date(2026, 11, 23),
        date(2026, 11, 20),
        postal_address="1 Stryd Fawr\nSt Helens",
        recordings=2,
    )
    text = letter_text(letter)
    assert ICO[language] in text and "Siân Ŵyn\n1 Stryd Fawr\nSt Helens\n" in text
    assert ICO[language] in pdf_text(letter_pdf(letter), tmp_path)


def test_every_welsh_entry_is_marked_for_the_translators() -> None:
    from app.public.text import cy, en

    assert drafts(cy.WORDS) == list(cy.WORDS) and set(cy.WORDS) == set(en.WORDS)
    assert drafts(cy_words.WORDS) == list(cy_words.WORDS)
    assert set(cy_words.WORDS) == set(en_words.WORDS)


def _registered(client, **changes) -> int:  # noqa: ANN001, ANN003
    fill(client, **changes)
    send(client)
    with db.transaction() as session:
        return session.scalars(select(AccessRequest.id)).one()


@pytest.mark.parametrize(("kind", "mimetype"), [("txt", "text/plain"), ("pdf", "application/pdf")])
def test_a_records_officer_previews_the_letter(client, staff_headers, kind, mimetype) -> None:
    rid = _registered(client, language={"language": "cy"})
    reply = client.get(
        f"/api/access-requests/{rid}/cover-letter?format={kind}",
        headers=staff_headers(Role.RECORDS_OFFICER),
    )
    assert reply.status_code == 200 and reply.mimetype == mimetype
    if kind == "txt":
        assert ICO["cy"] in reply.get_data(as_text=True)
    with db.transaction() as session:
        assert session.scalar(
            select(AuditEntry).where(AuditEntry.action == "access_request.cover_letter_preview")
        )


@pytest.mark.parametrize("role", [Role.ADVISOR, Role.SUPERVISOR, Role.ADMIN])
def test_other_roles_cannot_preview_the_letter(client, staff_headers, role) -> None:
    rid = _registered(client)
    reply = client.get(f"/api/access-requests/{rid}/cover-letter", headers=staff_headers(role))
    assert reply.status_code == 403


def test_an_unknown_format_or_request_is_refused(client, staff_headers) -> None:
    officer = staff_headers(Role.RECORDS_OFFICER)
    assert client.get("/api/access-requests/9/cover-letter", headers=officer).status_code == 404
    rid = _registered(client)
    path = f"/api/access-requests/{rid}/cover-letter?format=doc"
    assert client.get(path, headers=officer).status_code == 422


@pytest.fixture
def mail_app(app, make_app, smtp_server):  # noqa: ANN001, ANN201
    """The app sending mail to the test SMTP server (`app`: emptied tables afterwards)."""
    return make_app(smtp_url=smtp_server.url)


@pytest.mark.parametrize(("language", "subject"), [("en", "We have received"), ("cy", "Rydym")])
def test_the_confirmation_email_is_queued_and_sent_once(
    mail_app, smtp_server, language, subject
) -> None:
    client = mail_app.test_client()
    rid = _registered(client, language={"language": language})
    (job,) = get_queue(mail_app.config["SETTINGS"]).get_jobs()
    assert job.func_name == "workers.mail.send_request_confirmation" and job.args == (rid,)
    assert job.retries_left == 5
    with job_runtime(mail_app):
        assert send_request_confirmation(rid) == "sent"
        assert send_request_confirmation(rid) == "already sent"
    (message,) = smtp_server.wait_for(1)
    body = message.get_content()
    assert message["To"] == "pat@example.org" and subject in message["Subject"]
    assert "SAR-000001" in body and "01632" not in body and "960001" not in body
    assert not any(part.get_content_maintype() == "audio" for part in message.walk())


def test_a_failing_smtp_server_fails_the_job_for_rq_to_retry(app, make_app) -> None:
    failing = make_app(smtp_url="smtp://127.0.0.1:9")
    rid = _registered(failing.test_client())
    with job_runtime(failing), pytest.raises(OSError):
        send_request_confirmation(rid)
    with db.transaction() as session:
        assert not session.scalar(
            select(AuditEntry).where(AuditEntry.action == "access_request.confirmation_sent")
        )
