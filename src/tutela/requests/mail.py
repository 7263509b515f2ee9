"""The message that carries a one-time code, and sending it over SMTP (GDPR.md §1.2).

The code travels to the address the controller already holds (Art. 12(6), Recital 64;
ID-1), in the subject's language (Art. 12(1): concise, intelligible, clear and plain
language): :func:`code_message` builds it, :class:`SmtpSender` sends it. The message
holds the code, the request's reference and the expiry, nothing else about the subject
(ID-2); a failure to send names the server and what went wrong, never a password, an
address or the message.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tutela.errors import ConnectorError
from tutela.i18n import _, format_day, language
from tutela.requests.codes import CodeError, channel_address


class MailError(ConnectorError):
    """A mail server that cannot be reached or refused the message; no secret is in it."""


def code_message(
    *,
    sender: str,
    to: str,
    code: str,
    reference: str,
    expires_at: datetime,
    lang: str = "en",
    zone: tzinfo | None = None,
) -> EmailMessage:
    """The plain-text message sending ``code`` for the request ``reference`` (ID-1).

    ``expires_at`` is shown in ``zone`` (its own zone by default). Addresses with line
    breaks or more than one address are refused, so no header can be injected.
    """
    sender, to = channel_address(sender), channel_address(to)
    if not code.isascii() or not code.isdigit():
        raise CodeError("a code is digits only")
    if not 0 < len(reference) <= 64 or not reference.isprintable():
        raise CodeError("a request reference is 1 to 64 printable characters")
    if expires_at.tzinfo is None:
        raise CodeError("the expiry must be an aware time")
    local = expires_at.astimezone(zone) if zone else expires_at
    with language(lang):
        subject = _("Your verification code for request {reference}").format(reference=reference)
        body = _body(code, reference, local)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(local)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = lang  # after set_content, which drops Content-* headers
    return message


def _body(code: str, reference: str, expires_at: datetime) -> str:
    moment = f"{format_day(expires_at.date())} {expires_at:%H:%M} ({expires_at.tzname()})"
    lines = (
        _("Hello,"),
        "",
        _("Your verification code is: {code}").format(code=code),
        "",
        _("Enter it to confirm your request {reference}.").format(reference=reference),
        _("The code is valid until {moment}.").format(moment=moment),
        "",
        _("If you did not make this request, ignore this message: nothing will happen."),
        _("Never share this code; we will never ask you for it."),
    )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SmtpSender:
    """Sends messages through one SMTP server, with STARTTLS and a login if given."""

    host: str
    port: int = 587
    starttls: bool = True
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 10.0

    def __post_init__(self) -> None:
        """Refuse a server that cannot be addressed."""
        if not self.host or not self.host.isprintable() or not 0 < self.port < 65536:
            raise MailError("the mail server needs a host and a port from 1 to 65535")
        if (self.username is None) != (self.password is None) or self.timeout <= 0:
            raise MailError("the mail server needs both a username and a password, or neither")

    @property
    def server(self) -> str:
        """The server as ``host:port``, as errors name it."""
        return f"{self.host}:{self.port}"

    def send(self, message: EmailMessage) -> None:
        """Send ``message``; :class:`MailError` saying why when it cannot be sent."""
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as client:
                self._open(client)
                client.send_message(message)
        except smtplib.SMTPException as error:
            raise MailError(self._refusal(error), system=self.server, retryable=True) from None
        except ssl.SSLError as error:
            reason = type(error).__name__
            raise MailError(
                f"the TLS handshake with the mail server failed ({reason})",
                system=self.server,
                retryable=False,
            ) from None
        except OSError as error:
            reason = type(error).__name__
            raise MailError(
                f"cannot reach the mail server ({reason})", system=self.server, retryable=True
            ) from None

    def _open(self, client: smtplib.SMTP) -> None:
        client.ehlo()
        if self.starttls:
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
        if self.username is not None and self.password is not None:
            client.login(self.username, self.password)

    @staticmethod
    def _refusal(error: smtplib.SMTPException) -> str:
        """What the server refused, with its reply code but not its text (it may echo data)."""
        if isinstance(error, smtplib.SMTPNotSupportedError):
            return "the mail server does not offer STARTTLS (or the command used)"
        if isinstance(error, smtplib.SMTPAuthenticationError):
            return f"the mail server refused the login (reply {error.smtp_code})"
        if isinstance(error, smtplib.SMTPRecipientsRefused):
            codes = sorted({code for code, _text in error.recipients.values()})
            return f"the mail server refused the recipient (reply {', '.join(map(str, codes))})"
        if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
            return f"the mail server refused the message (reply {error.smtp_code})"
        if isinstance(error, smtplib.SMTPServerDisconnected):
            return "the mail server closed the connection"
        return f"the mail server refused ({type(error).__name__})"
