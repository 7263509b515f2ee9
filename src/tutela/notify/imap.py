r"""Reading the privacy@ mailbox over IMAP, without losing a message.

:class:`ImapReader` logs in, finds the unseen messages, and hands each one's bytes to a
callback (``Mailbox.ingest``). It fetches with ``BODY.PEEK[]``, which leaves a message
unseen, and marks it ``\Seen`` only after the callback returned: a crash, a store down
or a failed callback leaves the message unseen, and the next fetch reads it again (the
mailbox is idempotent, so a message read twice is handled once). Nothing is deleted: the
mailbox keeps every message. Errors name the server and what failed, never the password.
"""

from __future__ import annotations

import contextlib
import imaplib
import re
import ssl as tls
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from tutela.errors import ConfigurationError
from tutela.requests.mail import MailError


class Handler(Protocol):
    """What handles one fetched message (``Mailbox.ingest`` is one)."""

    def __call__(self, raw: bytes, *, received_at: datetime | None) -> object:
        """Handle ``raw``, received by the mailbox at ``received_at``; raise to leave it unseen."""


@dataclass(frozen=True)
class FetchReport:
    """One fetch: messages read, handled (marked seen), and left unseen after a failure."""

    read: int
    handled: int
    left_unseen: int
    failures: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImapReader:
    """One IMAP mailbox: ``ssl`` for IMAPS (port 993), else plain IMAP with ``starttls``."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    mailbox: str = "INBOX"
    ssl: bool = True
    starttls: bool = False
    timeout: float = 30.0

    @classmethod
    def from_url(cls, text: str) -> ImapReader:
        """The reader of ``imaps://user:password@host[:port]/MAILBOX`` (``imap://``: no TLS).

        ``?starttls=true`` upgrades a plain connection. ConfigurationError (never with the
        password) when the URL is not one.
        """
        try:
            parts = urlsplit(text.strip())
            port = parts.port
        except (ValueError, AttributeError):
            parts, port = None, None
        if parts is None or parts.scheme not in ("imap", "imaps") or not parts.hostname:
            raise ConfigurationError("TUTELA_IMAP_URL is not imaps://user:pass@host[:port]/MAILBOX")
        if not parts.username or parts.password is None:
            raise ConfigurationError(
                "TUTELA_IMAP_URL needs the mailbox login: imaps://user:pass@host"
            )
        secure = parts.scheme == "imaps"
        options = parse_qs(parts.query)
        starttls = options.get("starttls", ["false"])[0].lower() in ("true", "1", "yes")
        return cls(
            parts.hostname,
            port or (993 if secure else 143),
            unquote(parts.username),
            unquote(parts.password),
            unquote(parts.path.strip("/")) or "INBOX",
            ssl=secure,
            starttls=starttls,
        )

    @property
    def server(self) -> str:
        """The server as ``host:port``, as errors name it."""
        return f"{self.host}:{self.port}"

    def fetch(self, handle: Handler, limit: int = 500) -> FetchReport:
        """Hand each unseen message (up to ``limit``) to ``handle``; mark it seen once handled.

        ``handle(raw, received_at=...)`` gets the message and when the mailbox received it
        (the server's INTERNALDATE: the deadline counts from it, DL-1), None if the server
        gave none. A message whose ``handle`` raised stays unseen (its failure's type is
        reported).
        MailError when the server cannot be reached or refuses.
        """
        try:
            client = self._open()
            try:
                return self._each(client, handle, limit)
            finally:
                _close(client)
        except imaplib.IMAP4.error as error:
            raise MailError(_refusal(error), system=self.server, retryable=True) from None
        except tls.SSLError as error:
            reason = type(error).__name__
            raise MailError(
                f"the TLS handshake with the mailbox failed ({reason})", system=self.server
            ) from None
        except OSError as error:
            raise MailError(
                f"cannot reach the mailbox ({type(error).__name__})",
                system=self.server,
                retryable=True,
            ) from None

    def _open(self) -> imaplib.IMAP4:
        context = tls.create_default_context()
        client: imaplib.IMAP4
        if self.ssl:
            client = imaplib.IMAP4_SSL(
                self.host, self.port, ssl_context=context, timeout=self.timeout
            )
        else:
            client = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
            if self.starttls:
                client.starttls(ssl_context=context)
        client.login(self.user, self.password)
        status, _data = client.select(_quoted(self.mailbox))
        if status != "OK":
            raise imaplib.IMAP4.error("the mailbox cannot be opened")
        return client

    def _each(self, client: imaplib.IMAP4, handle: Handler, limit: int) -> FetchReport:
        status, data = client.uid("SEARCH", "UNSEEN")
        if status != "OK":
            raise imaplib.IMAP4.error("the server refused to search for unseen messages")
        uids = [uid.decode("ascii") for uid in (data[0] or b"").split()[:limit]]
        handled, failures = 0, []
        for uid in uids:
            raw, received_at = _message(client, uid)
            try:
                handle(raw, received_at=received_at)
            except Exception as error:  # the message stays unseen: read again next time
                failures.append(type(error).__name__)
                continue
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
            handled += 1
        return FetchReport(len(uids), handled, len(uids) - handled, tuple(failures))


def _message(client: imaplib.IMAP4, uid: str) -> tuple[bytes, datetime | None]:
    """The bytes of message ``uid`` and when the server received it, without marking it seen."""
    status, data = client.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
    if status != "OK":
        raise imaplib.IMAP4.error("the server refused to fetch a message")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1], _internal_date(item[0])
    return b"", None


def _internal_date(response: bytes) -> datetime | None:
    """The INTERNALDATE in a FETCH response line, as an aware UTC time (None if absent)."""
    found = _INTERNALDATE.search(response)
    if found is None:
        return None
    try:
        return datetime.strptime(found.group(1).decode("ascii").strip(), _IMAP_TIME).astimezone(UTC)
    except ValueError:
        return None


_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]{20,40})"')
_IMAP_TIME = "%d-%b-%Y %H:%M:%S %z"  # RFC 3501 date-time: 05-Mar-2025 10:00:00 +0100


def _quoted(mailbox: str) -> str:
    escaped = mailbox.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _close(client: imaplib.IMAP4) -> None:
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        client.close()
    with contextlib.suppress(imaplib.IMAP4.error, OSError):
        client.logout()


def _refusal(error: imaplib.IMAP4.error) -> str:
    """What the server refused, without its text when it may echo the login."""
    text = str(error)
    if "LOGIN" in text.upper() or "AUTHENTICATIONFAILED" in text.upper():
        return "the mailbox refused the login"
    return f"the mailbox refused: {text[:120]}" if text.isprintable() else "the mailbox refused"
