"""A message that reached the privacy@ mailbox, read without trusting any of it (pure).

:func:`parse` reads raw bytes with Python's :mod:`email` package and never raises:
malformed MIME, missing headers, unknown charsets (decoded as UTF-8 with replacement
characters), HTML-only bodies (reduced to text with :mod:`html.parser`), attachments
(their names and sizes noted, their content dropped) and messages above the size limit
(``too large``) all give an :class:`Inbound`. The sender is an identity only when the
message has exactly one ``From`` header holding one plain address whose display name
holds no address of its own; anything else (several senders, display-name tricks,
injected line breaks) leaves :attr:`Inbound.sender` empty and the message goes to staff.

:func:`classify` (from :mod:`tutela.requests.lexicon`) says which request the words
make; :func:`thread_of` finds the request a reply belongs to, from the Message-IDs tutela
wrote (``<request-id.tutela@domain>``) or a ``[REQ-xxxxxxxx]`` reference in the subject.
A request needs no special form (DL-1): any message naming a right is one.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import re
from dataclasses import dataclass, field
from email.message import Message
from email.utils import getaddresses
from html.parser import HTMLParser

from tutela.requests.lexicon import Classification, classify

__all__ = ["MAX_SIZE", "Attachment", "Classification", "Inbound", "classify", "parse", "thread_of"]

MAX_SIZE = 10 * 1024 * 1024
"""The largest message read (10 MiB); a larger one goes to staff as ``too large``."""
MAX_TEXT = 20_000
"""The most characters of body text kept for classification."""
_HEAD = 64 * 1024
_ADDRESS = re.compile(r"[A-Za-z0-9._%+'-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.)+[A-Za-z]{2,63}")
_OUR_ID = re.compile(r"<([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.tutela@")
_SUBJECT_REF = re.compile(r"\[REQ-([0-9a-f]{8})\]", re.IGNORECASE)
_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>")
_AUTO_PRECEDENCE = ("bulk", "junk", "list", "auto_reply", "auto-reply")


@dataclass(frozen=True)
class Attachment:
    """An attachment seen and dropped: its media type, its name if any, and its size."""

    media_type: str
    name: str | None
    size: int


@dataclass(frozen=True)
class Inbound:
    """What a message says, as far as it can be trusted; ``problem`` when it cannot be read.

    ``sender`` is one plain address in lower case, or None (no identity: staff decide).
    ``references`` are the Message-IDs of ``In-Reply-To`` and ``References``.
    """

    size: int
    message_id: str | None = None
    sender: str | None = None
    subject: str = ""
    text: str = ""
    references: tuple[str, ...] = ()
    automatic: bool = False
    attachments: tuple[Attachment, ...] = field(default=())
    problem: str | None = None


def parse(raw: bytes, *, max_size: int = MAX_SIZE) -> Inbound:
    """The :class:`Inbound` of ``raw``; never raises, whatever the bytes."""
    if not isinstance(raw, bytes):
        return Inbound(0, problem="not a message")
    if len(raw) > max_size:
        head = _headers_only(raw[:_HEAD])
        return Inbound(len(raw), message_id=head, problem="too large")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        return _read(message, len(raw))
    except Exception:  # the email package's last resort: the message is unreadable
        return Inbound(len(raw), message_id=_headers_only(raw[:_HEAD]), problem="unreadable")


def _headers_only(head: bytes) -> str | None:
    """The Message-ID in the header block of ``head``, or None (never raises)."""
    try:
        block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
        message = email.message_from_bytes(block, policy=email.policy.compat32)
        return _message_id(message)
    except Exception:
        return None


def _read(message: Message, size: int) -> Inbound:
    text, attachments = _body(message)
    if not text.strip() and not _header(message, "Subject"):
        problem: str | None = "no text"
    else:
        problem = None
    return Inbound(
        size=size,
        message_id=_message_id(message),
        sender=_sender(message),
        subject=_header(message, "Subject")[:500],
        text=text[:MAX_TEXT],
        references=_references(message),
        automatic=_automatic(message),
        attachments=tuple(attachments),
        problem=problem,
    )


def _header(message: Message, name: str) -> str:
    """Header ``name`` as one line of text ("" when absent or unreadable)."""
    try:
        value = message.get(name)
    except Exception:
        return ""
    text = "" if value is None else str(value)
    return " ".join(text.split())


def _message_id(message: Message) -> str | None:
    found = _MESSAGE_ID.search(_raw_header(message, "Message-ID"))
    return found.group(0) if found else None


def _raw_header(message: Message, name: str) -> str:
    """The header's text as written (not folded by the policy), or ""."""
    for key, value in _raw_items(message):
        if key.lower() == name.lower():
            return value
    return ""


def _sender(message: Message) -> str | None:
    """The one plain sender address, lower case; None for anything else (spoofing)."""
    values = [v for k, v in _raw_items(message) if k.lower() == "from"]
    if len(values) != 1 or any(c in values[0] for c in "\r\n\0"):
        return None
    if len(values[0]) > 400:
        return None
    pairs = getaddresses([str(values[0])])
    if len(pairs) != 1:
        return None
    name, address = pairs[0]
    if "@" in name or not _ADDRESS.fullmatch(address):
        return None
    return address.lower()


def _raw_items(message: Message) -> list[tuple[str, str]]:
    try:
        return [(str(k), str(v)) for k, v in message.raw_items()]
    except Exception:
        return []


def _references(message: Message) -> tuple[str, ...]:
    text = _raw_header(message, "In-Reply-To") + " " + _raw_header(message, "References")
    return tuple(_MESSAGE_ID.findall(text))[:50]


def _automatic(message: Message) -> bool:
    """True for an automatic message (out of office, bounce, list): never a request."""
    submitted = _header(message, "Auto-Submitted").lower()
    if submitted and not submitted.startswith("no"):
        return True
    if _header(message, "Precedence").lower() in _AUTO_PRECEDENCE:
        return True
    if _header(message, "X-Autoreply") or _header(message, "X-Autorespond"):
        return True
    return message.get_content_type() == "multipart/report"


def _body(message: Message) -> tuple[str, list[Attachment]]:
    """The message's own text (plain preferred over HTML) and the attachments dropped."""
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in _leaves(message, attachments):
        kind = part.get_content_type()
        if _is_attachment(part) or kind not in ("text/plain", "text/html"):
            attachments.append(_attachment(part))
        elif kind == "text/plain":
            plain.append(_decoded(part))
        else:
            html.append(html_text(_decoded(part)))
    return "\n".join(plain or html), attachments


def _leaves(message: Message, attachments: list[Attachment]) -> list[Message]:
    """The non-multipart parts, depth first; a nested message is an attachment, not text."""
    found: list[Message] = []
    stack = [message]
    while stack and len(found) < 200:
        part = stack.pop(0)
        if part.get_content_type() == "message/rfc822":
            attachments.append(Attachment("message/rfc822", None, len(str(part))))
        elif part.is_multipart():
            payload = part.get_payload()
            stack[0:0] = [p for p in payload if isinstance(p, Message)][:100]
        else:
            found.append(part)
    return found


def _is_attachment(part: Message) -> bool:
    disposition = str(part.get("Content-Disposition", "")).lower()
    return disposition.startswith("attachment") or bool(part.get_filename())


def _attachment(part: Message) -> Attachment:
    payload = part.get_payload(decode=True)
    size = len(payload) if isinstance(payload, bytes) else 0
    try:
        name = part.get_filename()
    except Exception:
        name = None
    clean = None if name is None else "".join(c for c in name if c.isprintable())[:120]
    return Attachment(part.get_content_type(), clean, size)


def _decoded(part: Message) -> str:
    """The part's text in its charset; an unknown or wrong charset decodes with replacement."""
    payload = part.get_payload(decode=True)
    data = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "utf-8"
    try:
        codecs.lookup(charset)
    except (LookupError, ValueError):
        charset = "utf-8"
    try:
        return data.decode(charset, errors="replace")
    except Exception:
        return data.decode("utf-8", errors="replace")


class _TextOnly(HTMLParser):
    """Collects an HTML document's text, skipping scripts and styles."""

    _BLOCKS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "td", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "title"):
            self.skipping += 1
        elif tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title") and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(document: str) -> str:
    """The text of an HTML document (tags, scripts and styles dropped); never raises."""
    reader = _TextOnly()
    try:
        reader.feed(document[: MAX_TEXT * 20])
        reader.close()
    except Exception:
        pass
    lines = (" ".join(line.split()) for line in "".join(reader.parts).splitlines())
    return "\n".join(line for line in lines if line)


def thread_of(inbound: Inbound) -> str | None:
    """The request a reply belongs to: a full id, or an 8-hex reference from the subject.

    A full id comes from a Message-ID tutela wrote (``<id.tutela@domain>``) in
    ``In-Reply-To`` or ``References``; otherwise ``[REQ-xxxxxxxx]`` in the subject gives
    the reference (the first 8 hex digits of the id), which the caller resolves.
    """
    for reference in inbound.references:
        found = _OUR_ID.match(reference)
        if found:
            return found.group(1)
    match = _SUBJECT_REF.search(inbound.subject)
    return match.group(1).lower() if match else None
