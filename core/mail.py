"""Sending e-mail: over SMTP (`CLEARVIEW_SMTP_URL`), or into the data dir with no server.

- `smtps://user:password@host:465`: TLS from the first byte;
- `smtp://user:password@host:587`: STARTTLS, and nothing is sent if the server does not
  offer it (a downgrade would send the password and the links in clear);
- `smtp://host:25?tls=none`: a relay on a trusted network (or a test server) in clear.

With no SMTP URL, each message is written to `<data_dir>/outbox/` as an `.eml` file; in
dev mode its links are also logged, so `make run` needs no mail server. Messages carry
links that act for a person: they are never logged in prod mode.

smtplib blocks: it runs in a thread, and callers send after their transaction commits
(`core.db.after_commit`), so a slow server never holds a database lock.
"""

from __future__ import annotations

import asyncio
import logging
import re
import smtplib
import ssl
import time
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from core.settings import Mode, get_settings

log = logging.getLogger(__name__)

TIMEOUT_S = 20.0
_LINK = re.compile(r"https?://\S+")


@dataclass(frozen=True, slots=True)
class Mail:
    to: str
    subject: str
    text: str


class MailError(RuntimeError):
    """The message could not be handed to the mail server; says why, without secrets."""


def _message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.to
    message["Subject"] = mail.subject
    message["Message-ID"] = make_msgid(domain="clearview")
    message.set_content(mail.text)
    return message


def _send_smtp(url: str, message: EmailMessage) -> None:
    parts = urlsplit(url)
    tls = parse_qs(parts.query).get("tls", ["starttls"])[0]
    host = parts.hostname or "localhost"
    context = ssl.create_default_context()
    try:
        if parts.scheme == "smtps":
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                host, parts.port or 465, timeout=TIMEOUT_S, context=context
            )
        elif parts.scheme == "smtp":
            client = smtplib.SMTP(host, parts.port or 587, timeout=TIMEOUT_S)
        else:
            raise MailError("CLEARVIEW_SMTP_URL must start with smtp:// or smtps://")
        with client:
            if parts.scheme == "smtp" and tls != "none":
                client.ehlo()
                if not client.has_extn("starttls"):
                    raise MailError(
                        f"the mail server at {host} offers no STARTTLS; use smtps://, or "
                        "add ?tls=none to CLEARVIEW_SMTP_URL for a trusted relay"
                    )
                client.starttls(context=context)
            if parts.username:
                client.login(unquote(parts.username), unquote(parts.password or ""))
            client.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"the mail server at {host} refused or failed: {exc}") from None


def _write_outbox(outbox: Path, message: EmailMessage) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{time.time_ns()}.eml"
    path.write_bytes(bytes(message))
    return path


async def send_mail(mail: Mail) -> None:
    """Send `mail` now (call it after the commit that made its links valid)."""
    settings = get_settings()
    message = _message(mail, settings.mail_from)
    if settings.smtp_url is not None:
        await asyncio.to_thread(_send_smtp, settings.smtp_url.get_secret_value(), message)
        log.info("mail sent: %s", mail.subject)
        return
    path = await asyncio.to_thread(_write_outbox, settings.outbox_dir, message)
    if settings.mode is Mode.prod:
        log.warning("mail written to %s, not sent: set CLEARVIEW_SMTP_URL to send mail", path.name)
        return
    for link in _LINK.findall(mail.text):
        log.info("mail %r written to %s; its link: %s", mail.subject, path, link)
