"""The message telling a recipient of a rectification, erasure or restriction (Art. 19, NR-1).

Pure. :func:`recipient_message` builds the JSON document a recipient receives: the
event, the request's reference, the controller, what to do (erase, rectify with the
new values, restrict), the identity needed to find the subject and the categories
concerned. :func:`email_for` words it as a plain-text e-mail; :func:`webhook_request`
makes the body and headers of a webhook POST signed the way Stripe signs its own
(``Tutela-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">``), and
:func:`verify_signature` checks one, for recipients and tests. A failed send is
retried after each of :data:`RETRY_DELAYS` (:func:`next_attempt`), then given up
for staff to follow (NR-1: "unless impossible or disproportionate").
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

from tutela.errors import ConfigurationError, RequestError, TutelaError
from tutela.requests.codes import channel_address
from tutela.requests.keeping import NotificationRecord, NotificationState
from tutela.requests.records import identity_values

SIGNATURE_HEADER = "Tutela-Signature"
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=12),
)
"""The waits between attempts; the attempt after the last wait is the last one."""
MIN_SECRET = 16
_LONGEST_ERROR = 200
_ACTIONS = {
    "erasure": (
        "erase",
        "Art. 17",
        "Erase the personal data of this data subject that we disclosed to you.",
    ),
    "rectification": (
        "rectify",
        "Art. 16",
        "Rectify the personal data of this data subject "
        "that we disclosed to you with the new values given.",
    ),
    "restriction": (
        "restrict",
        "Art. 18",
        "Restrict the processing of the personal data of "
        "this data subject that we disclosed to you: store it, do not otherwise "
        "use it until we tell you the restriction is lifted.",
    ),
}


class SignatureError(RequestError):
    """A webhook signature that is missing, malformed, too old or does not match."""


def recipient_message(
    kind: str,
    request_id: str,
    controller: str,
    identity: Mapping[str, str],
    categories: Iterable[str],
    changes: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The document telling a recipient what to do for request ``request_id`` (NR-1).

    ``kind`` is ``erasure``, ``rectification`` (with ``changes``: field to new value)
    or ``restriction``. Errors name what is wrong, never a value (personal data).
    """
    if kind not in _ACTIONS:
        raise RequestError(
            f"recipients are told of an erasure, a rectification or a restriction, not {kind!r}"
        )
    action, article, instruction = _ACTIONS[kind]
    _check_reference(request_id)
    if not controller.strip() or not controller.isprintable():
        raise RequestError("the controller's name is one line of text")
    document: dict[str, Any] = {
        "event": f"tutela.request.{kind}",
        "version": 1,
        "reference": request_id,
        "controller": controller.strip(),
        "action": action,
        "instruction": instruction,
        "articles": [f"GDPR {article}", "GDPR Art. 19"],
        "subject": identity_values(identity),
        "categories": list(dict.fromkeys(categories)),
    }
    if kind == "rectification":
        document["changes"] = _changes(changes)
    elif changes:
        raise RequestError("new values are for a rectification, not an erasure or a restriction")
    return document


def _changes(changes: Mapping[str, str] | None) -> dict[str, str]:
    if not changes:
        raise RequestError("a rectification tells recipients the new values: give them")
    for name, value in changes.items():
        if not isinstance(name, str) or not name.isprintable() or not name:
            raise RequestError("a rectified field's name is one line of text")
        if not isinstance(value, str) or not value.isprintable():
            raise RequestError(f"the new value of {name!r} is not one line of text")
    return dict(changes)


def _check_reference(reference: object) -> str:
    if not isinstance(reference, str) or not 0 < len(reference) <= 64:
        raise RequestError("a request reference is 1 to 64 printable characters")
    if not reference.isprintable():
        raise RequestError("a request reference is 1 to 64 printable characters")
    return reference


def encode(document: Mapping[str, Any]) -> bytes:
    """``document`` as canonical JSON (sorted keys, UTF-8): the bytes sent and sealed."""
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def digest(document: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of :func:`encode` of ``document``, as the ledger names it."""
    return hashlib.sha256(encode(document)).hexdigest()


def email_for(
    document: Mapping[str, Any], sender: str, to: str, date: datetime | None = None
) -> EmailMessage:
    """``document`` as a plain-text e-mail from ``sender`` to the recipient ``to``.

    Addresses with line breaks or more than one address are refused (no header
    injection); the subject line holds the reference, never personal data.
    """
    sender, to = channel_address(sender), channel_address(to)
    reference = _check_reference(document.get("reference"))
    action = str(document.get("action", ""))
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = f"GDPR Art. 19: please {action} data, request {reference}"
    if date is not None:
        message["Date"] = format_datetime(date)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_email_body(document, sender), charset="utf-8")
    return message


def _email_body(document: Mapping[str, Any], sender: str) -> str:
    subject = document.get("subject", {})
    changes = document.get("changes", {})
    lines = [
        "Hello,",
        "",
        f"{document.get('controller')} disclosed personal data of a data subject to you.",
        f"Request {document.get('reference')}: {document.get('instruction')}",
        "(" + ", ".join(document.get("articles", [])) + ")",
        "",
        "To find the data subject:",
        *(f"  {name}: {value}" for name, value in subject.items()),
        "",
        "Categories of data concerned:",
        *(f"  - {key}" for key in document.get("categories", [])),
    ]
    if changes:
        lines += ["", "New values:", *(f"  {name}: {value}" for name, value in changes.items())]
    lines += [
        "",
        f"Please confirm to {sender} once done, quoting the reference.",
        "",
        "The same message as JSON, for automated processing:",
        encode(document).decode("utf-8"),
    ]
    return "\n".join(lines) + "\n"


def webhook_request(
    document: Mapping[str, Any], secret: bytes, now: datetime
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the webhook POST carrying ``document``, signed at ``now``."""
    _check_secret(secret)
    body = encode(document)
    stamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: f"t={stamp},v1={_sign(body, stamp, secret)}",
        "Tutela-Event": str(document.get("event", "")),
        "User-Agent": "tutela",
    }
    return body, headers


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET:
        raise ConfigurationError(
            f"a webhook signing secret has at least {MIN_SECRET} bytes: set the variable "
            "named by the recipient's `secret_env` to a long random value"
        )


def _sign(body: bytes, stamp: int, secret: bytes) -> str:
    return hmac.new(secret, f"{stamp}.".encode("ascii") + body, hashlib.sha256).hexdigest()


def verify_signature(
    body: bytes, header: str | None, secret: bytes, now: datetime, tolerance: int = 300
) -> None:
    """Check the ``Tutela-Signature`` ``header`` of ``body``; :class:`SignatureError` if bad.

    The signature must be made with ``secret`` at most ``tolerance`` seconds from
    ``now`` (a replayed old message is refused). Several ``v1`` values are allowed
    (a secret being rotated): one must match.
    """
    stamp, signatures = _parse_signature(header)
    if abs(now.timestamp() - stamp) > tolerance:
        raise SignatureError("the webhook signature is too old (or from the future)")
    expected = _sign(body, stamp, secret)
    if not any(hmac.compare_digest(expected, given) for given in signatures):
        raise SignatureError("the webhook signature does not match the body and secret")


def _parse_signature(header: str | None) -> tuple[int, list[str]]:
    stamp, signatures = None, []
    for part in (header or "")[:1000].split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isascii() and value.isdigit() and len(value) <= 12:
            stamp = int(value)
        elif name == "v1":
            signatures.append(value)
    if stamp is None or not signatures:
        raise SignatureError(f"no {SIGNATURE_HEADER} header of the form t=<time>,v1=<hex>")
    return stamp, signatures


def delivered(record: NotificationRecord, now: datetime) -> NotificationRecord:
    """``record`` once its recipient accepted it at ``now``."""
    return replace(
        record,
        state=NotificationState.DELIVERED,
        attempts=record.attempts + 1,
        next_at=None,
        delivered_at=now,
        last_error=None,
    )


def next_attempt(
    record: NotificationRecord, now: datetime, error: str | BaseException, hide: Iterable[str] = ()
) -> NotificationRecord:
    """``record`` after a failed attempt at ``now``: due again later, or FAILED after the last.

    ``error`` becomes ``last_error``: a tutela error's text (which never holds a secret
    or personal data), another exception's type only, cut to one short line; any of
    ``hide`` (the identity's values, the secret) of four characters or more found in it
    is blanked out.
    """
    if record.state != NotificationState.PENDING:
        raise RequestError(f"notification {record.id} is {record.state.value}, not pending")
    attempts = record.attempts + 1
    reason = _reason(error, hide)
    if attempts > len(RETRY_DELAYS):
        failed = NotificationState.FAILED
        return replace(record, state=failed, attempts=attempts, next_at=None, last_error=reason)
    later = now + RETRY_DELAYS[attempts - 1]
    return replace(record, attempts=attempts, next_at=later, last_error=reason)


def _reason(error: str | BaseException, hide: Iterable[str]) -> str:
    if isinstance(error, str):
        text = error
    elif isinstance(error, TutelaError):
        text = str(error)
    else:
        text = f"unexpected {type(error).__name__}"
    for value in (v for v in hide if len(v) >= 4):  # shorter ones are no clue to anyone
        text = text.replace(value, "[hidden]")
    text = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return text[:_LONGEST_ERROR] or "unknown failure"
