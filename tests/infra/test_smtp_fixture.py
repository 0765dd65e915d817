"""The smtp_server fixture is a real SMTP server: smtplib's mail arrives in .messages."""

from __future__ import annotations

import smtplib
import threading
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest


def _message(subject: str, to: str = "duty.team@example.gov.uk") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "contact-line@example.gov.uk"
    message["To"] = to
    message["Subject"] = subject
    message.set_content("A caller asked for a call back.\nRéférence: 1234\n")
    return message


def test_a_message_sent_with_smtplib_arrives(smtp_server) -> None:  # noqa: ANN001
    url = urlsplit(smtp_server.url)
    assert url.scheme == "smtp" and url.hostname == "127.0.0.1"
    with smtplib.SMTP(url.hostname, url.port, timeout=5) as smtp:
        smtp.send_message(_message("Call back requested"))

    [message] = smtp_server.wait_for(1)
    assert isinstance(message, EmailMessage)
    assert message["Subject"] == "Call back requested"
    assert message["To"] == "duty.team@example.gov.uk"
    assert "Référence: 1234" in message.get_content()
    delivery = smtp_server.deliveries[0]
    assert delivery.mail_from == "contact-line@example.gov.uk"
    assert delivery.rcpt_tos == ["duty.team@example.gov.uk"]
    assert smtp_server.messages == [message]


def test_login_is_accepted_and_recorded(smtp_server) -> None:  # noqa: ANN001
    with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=5) as smtp:
        smtp.login("mailer", "secret")
        smtp.send_message(_message("With a login"))
    smtp_server.wait_for(1)
    assert smtp_server.logins == [("mailer", "secret")]
    assert smtp_server.deliveries[0].login == "mailer"


def test_wait_for_waits_for_mail_sent_later_and_fails_on_timeout(smtp_server) -> None:  # noqa: ANN001
    def send_two() -> None:
        with smtplib.SMTP("127.0.0.1", smtp_server.port, timeout=5) as smtp:
            smtp.send_message(_message("first"))
            smtp.send_message(_message("second", to="other@example.org"))

    sender = threading.Timer(0.2, send_two)
    sender.start()
    messages = smtp_server.wait_for(2, timeout=5)
    sender.join()
    assert [m["Subject"] for m in messages] == ["first", "second"]

    with pytest.raises(AssertionError, match="expected 3 message"):
        smtp_server.wait_for(3, timeout=0.2)
    smtp_server.clear()
    assert smtp_server.messages == []
