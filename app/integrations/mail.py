"""Mail to requesters over SMTP: `SMTP_URL` is smtp://[user:password@]host[:port] or smtps://."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

from config.settings import Settings

__all__ = ["MailNotConfigured", "compose", "send"]

TIMEOUT_SECONDS = 20


class MailNotConfigured(RuntimeError):
    """SMTP_URL is not set, or is not an smtp:// or smtps:// URL."""


def compose(settings: Settings, to: str, subject: str, body: str, language: str) -> EmailMessage:
    """A plain-text message from MAIL_FROM, in `language` (Content-Language)."""
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain="contact-cares")
    message["Content-Language"] = "cy" if language == "cy" else "en-GB"
    message.set_content(body)
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    """Hand `message` to the SMTP server; raises smtplib/OSError errors for the job to retry."""
    url = urlsplit(settings.smtp_url or "")
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise MailNotConfigured("SMTP_URL must be smtp://host:port or smtps://host:port")
    if url.scheme == "smtps":
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            url.hostname, url.port or 465, timeout=TIMEOUT_SECONDS
        )
    else:
        client = smtplib.SMTP(url.hostname, url.port or 25, timeout=TIMEOUT_SECONDS)
    with client:
        if url.scheme == "smtp" and client.has_extn("starttls"):
            client.starttls()
        if url.username:
            client.login(unquote(url.username), unquote(url.password or ""))
        client.send_message(message)
