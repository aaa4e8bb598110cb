"""Account e-mail: messages built from templates, handed to SMTP with aiosmtplib.

Links are built from TENANTRY_PUBLIC_URL only, never from a request's Host header. A message
may be rendered without its link (`LINK` stays in the text): the outbox stores it that way so
no live token ever reaches the database, and fills the link in just before sending.

Every message carries a Message-ID. The outbox gives each of its messages one that stays the
same on every attempt (`message_id`), so a receiving system can drop a copy sent again after an
attempt whose outcome was lost (a timeout after the server took it, or a crash mid-send).
"""

from __future__ import annotations

import asyncio
import functools
import html
import uuid
from dataclasses import dataclass, replace
from email.message import EmailMessage
from email.utils import formatdate
from enum import Enum
from importlib import resources
from string import Template
from urllib.parse import quote, urlsplit

import aiosmtplib

from config import get_config
from domain import audit, validation
from domain.errors import EmailDeliveryFailed, EmailNotConfigured
from domain.smtp_settings import SmtpServer
from domain.tracing import outgoing_call
from models import SmtpSecurity
from permissions.rules import Actor

# The placeholder a stored message keeps until the link is derived at sending time.
LINK = "${link}"


class MailTemplate(Enum):
    INVITATION = "invitation"
    VERIFICATION = "verification"
    PASSWORD_RESET = "password_reset"
    EMAIL_CHANGE = "email_change"
    EMAIL_CHANGE_NOTICE = "email_change_notice"
    TEST = "test"


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str | None = None
    # Set by senders that may send it again (the outbox); otherwise a new one per sending.
    message_id: str | None = None

    def with_link(self, link: str) -> Message:
        return replace(
            self,
            text=self.text.replace(LINK, link),
            html=self.html.replace(LINK, html.escape(link, quote=True)) if self.html else None,
        )


@functools.cache
def _template(name: str) -> str:
    # Read once: a mail is rendered under the tenant's lock (invitations), and the files
    # ship with the package.
    return resources.files("domain").joinpath(f"templates/{name}").read_text(encoding="utf-8")


def render(template: MailTemplate, to: str, **values: str) -> Message:
    """Subject and plain text from `<name>.txt` (first line `Subject: ...`), HTML from `.html`.

    Values are escaped for the HTML part. A `link` value left out stays as the placeholder.
    """
    values = {**values, "public_url": get_config().public_url}
    head, _, body = _template(f"{template.value}.txt").partition("\n\n")
    subject = Template(head.removeprefix("Subject:").strip()).safe_substitute(values)
    text = Template(body).safe_substitute(values)
    escaped = {key: html.escape(value, quote=True) for key, value in values.items()}
    html_body = Template(_template(f"{template.value}.html")).safe_substitute(escaped)
    # Header injection: a subject is one line.
    subject = " ".join(subject.split())
    return Message(to=to, subject=subject, text=text, html=html_body)


def public_link(path: str, token: str) -> str:
    return f"{get_config().public_url}{path}?token={quote(token, safe='')}"


def invitation_link(token: str) -> str:
    return public_link("/accept-invitation", token)


def verification_link(token: str) -> str:
    return public_link("/verify-email", token)


def message_id(unique: str) -> str:
    """`<unique@host of TENANTRY_PUBLIC_URL>`: `unique` must be unique worldwide (a UUID)."""
    host = urlsplit(get_config().public_url).hostname or "localhost"
    if ":" in host:  # IPv6: a domain literal
        return f"<{unique}@[{host}]>"
    try:
        domain = host.encode("idna").decode("ascii")
    except UnicodeError:
        domain = "localhost"
    return f"<{unique}@{domain}>"


def _email_message(server: SmtpServer, message: Message) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = server.from_address
    mail["To"] = message.to
    mail["Subject"] = message.subject
    mail["Date"] = formatdate(localtime=False)
    mail["Message-ID"] = message.message_id or message_id(uuid.uuid4().hex)
    mail.set_content(message.text, cte=_plain_encoding(message.text))
    if message.html:
        mail.add_alternative(message.html, subtype="html", cte=_plain_encoding(message.html))
    return mail


def _plain_encoding(body: str) -> str | None:
    """7bit when it fits, so links stay whole for anyone reading the raw message (quoted-
    printable would break them with soft line breaks); otherwise the library's choice."""
    if body.isascii() and all(len(line) < 990 for line in body.splitlines()):
        return "7bit"
    return None


def describe(error: BaseException) -> str:
    """The server's reason, short enough to show on the invitation (never a credential)."""
    match error:
        case aiosmtplib.SMTPRecipientsRefused():
            reasons = "; ".join(f"{r.code} {r.message}" for r in error.recipients)
            return f"The server refused the recipient: {reasons}"[:500]
        case aiosmtplib.SMTPResponseException():
            return f"The SMTP server answered {error.code} {error.message}"[:500]
        case aiosmtplib.SMTPTimeoutError() | TimeoutError():
            return "The SMTP server did not answer in time."
        case aiosmtplib.SMTPConnectError() | aiosmtplib.SMTPServerDisconnected() | OSError():
            return f"Could not reach the SMTP server: {error}"[:500]
    return f"Sending failed: {error}"[:500]


async def send(server: SmtpServer, message: Message) -> None:
    """Hand one message to the server; EmailDeliveryFailed with the server's reason."""
    timeout = get_config().mail_timeout_seconds
    try:
        # aiosmtplib's timeout bounds each step; the outer one bounds a server that
        # answers every step slowly.
        async with asyncio.timeout(timeout * 3):
            with outgoing_call("smtp send", _span_attributes(server)):
                await aiosmtplib.send(
                    _email_message(server, message),
                    hostname=server.host,
                    port=server.port,
                    username=server.username or None,
                    password=server.password if server.username else None,
                    use_tls=server.security is SmtpSecurity.TLS,
                    start_tls=True if server.security is SmtpSecurity.STARTTLS else False,
                    timeout=timeout,
                )
    except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
        raise EmailDeliveryFailed(describe(exc)) from None


def _span_attributes(server: SmtpServer) -> dict[str, str | int]:
    # Where the message went, never to whom or what: addresses and bodies stay out of traces.
    return {
        "server.address": server.host,
        "server.port": server.port,
        "smtp.security": server.security.value,
    }


async def send_test_email(actor: Actor, to: str) -> None:
    """Synchronous, unlike account mail: the superuser waits for the server's answer."""
    from domain.smtp_settings import current_server

    address = validation.email(to, "to")
    server = await current_server()
    if server is None:
        raise EmailNotConfigured()
    try:
        await send(server, render(MailTemplate.TEST, address))
    finally:
        await audit.record(
            actor, "settings.smtp_test_sent", tenant_id=None,
            target_type="instance_settings", target_id="1", changes={"to": address},
        )  # fmt: skip
