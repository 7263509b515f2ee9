"""The acknowledgement of a request that arrived by e-mail (GDPR.md DL-1, DL-10, ID-1).

The subject wrote to the privacy@ mailbox; :func:`acknowledgement` answers by e-mail
(DL-10), in the language they wrote in, with the request's reference, what tutela
understood, the date the answer is due (the clock started when the message arrived,
DL-1) and, when the type has an identity step, that a verification code follows in a
separate message (ID-1), and the link where they follow, verify and withdraw the
request (it carries the status token, sent to the address on file like the code). Its
Message-ID is ``<request-id.tutela@domain>``, so the subject's reply threads back to
the request. The message holds nothing the subject did not write or tutela did not
decide: no data from the systems.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from tutela.i18n import N_, _, format_day, language
from tutela.requests.codes import channel_address

_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_MESSAGE_ID = re.compile(r"<[\x21-\x3b\x3d\x3f-\x7e]{1,250}>")

LABELS = {
    "access": N_("access to your personal data"),
    "erasure": N_("erasure of your personal data"),
    "rectification": N_("rectification of your personal data"),
    "restriction": N_("restriction of the processing of your personal data"),
    "objection": N_("objection to the processing of your personal data"),
    "objection_direct_marketing": N_("objection to direct marketing"),
    "portability": N_("a copy of your data in a portable format"),
    "consent_withdrawal": N_("withdrawal of your consent"),
    "complaint": N_("a complaint"),
    "know": N_("the right to know what personal information we hold"),
    "delete": N_("deletion of your personal information"),
    "correct": N_("correction of your personal information"),
    "opt_out_sale_sharing": N_("opting out of the sale or sharing of your personal information"),
    "limit_sensitive": N_("limiting the use of your sensitive personal information"),
}
"""What each request type asks, as the acknowledgement says it (translated at use)."""


def reference(request_id: str) -> str:
    """The short reference subjects quote: ``REQ-`` and the first 8 hex digits of the id."""
    return f"REQ-{request_id[:8]}"


def thread_id(request_id: str, sender: str) -> str:
    """The Message-ID of the request's thread: ``<request-id.tutela@domain>``."""
    return f"<{request_id}.tutela@{sender.rpartition('@')[2]}>"


def acknowledgement(
    *,
    sender: str,
    to: str,
    request_id: str,
    kind: str,
    received_at: datetime,
    due: date,
    code_follows: bool,
    lang: str = "en",
    in_reply_to: str | None = None,
    status_link: str | None = None,
) -> EmailMessage:
    """The message acknowledging request ``request_id`` to ``to``, in ``lang``.

    Addresses with line breaks or more than one address are refused (CodeError), so no
    header can be injected; ``in_reply_to`` is kept only when it is one plain Message-ID.
    ``status_link``, when given, is the request's status page with its token: one line
    tells the subject to follow, verify and withdraw the request there.
    """
    sender, to = channel_address(sender), channel_address(to)
    if not _ID.fullmatch(request_id) or kind not in LABELS:
        raise ValueError("an acknowledgement names one request by its id and a known type")
    with language(lang):
        subject = _("We received your request [{reference}]").format(
            reference=reference(request_id)
        )
        body = _body(request_id, kind, received_at, due, code_follows, status_link)
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(received_at)
    message["Message-ID"] = thread_id(request_id, sender)
    if in_reply_to and _MESSAGE_ID.fullmatch(in_reply_to):
        message["In-Reply-To"] = in_reply_to
        message["References"] = in_reply_to
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(body, charset="utf-8")
    message["Content-Language"] = lang
    return message


def _body(
    request_id: str, kind: str, received_at: datetime, due: date, code: bool, link: str | None
) -> str:
    lines = [
        _("Hello,"),
        "",
        _("We received your message on {day}. We understood it as a request for: {kind}.").format(
            day=format_day(received_at.date()), kind=_(LABELS[kind])
        ),
        _("Its reference is {reference}; keep it in the subject when you write to us.").format(
            reference=reference(request_id)
        ),
        _("We will answer by {due} at the latest.").format(due=format_day(due)),
        "",
    ]
    if code:
        lines.append(
            _(
                "To protect your data, we first check that this address is yours: "
                "a verification code follows in a separate message."
            )
        )
    if link is not None:
        lines.append(
            _("Follow your request, verify it and withdraw it here: {link}").format(link=link)
        )
    lines.append(_("If we misunderstood your message, reply to this e-mail and tell us."))
    lines.append(_("If you did not write to us, you can ignore this message."))
    return "\n".join(lines) + "\n"
