"""Telling the subject by e-mail: the answer is ready, the deadline is extended, the request ended.

Art. 12(3)-(4) require the subject to be told of the action taken, of an extension with
its reasons (DL-5, DL-6), and of a refusal with the right to complain (DL-7). The
letter itself waits behind a signed link (:mod:`tutela.requests.answering`); the message
carries only the request's reference, what happened, the link and its expiry, never data
from the systems. It threads with the request (``In-Reply-To`` its thread id) and is
ledgered as ``mail_sent`` with the message's digest. Without a mail server or an e-mail
identity nothing is sent: the answer stays downloadable and staff deliver it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from tutela.errors import RequestError
from tutela.i18n import N_, _, format_day, language
from tutela.requests.acknowledgement import LABELS, reference, thread_id
from tutela.requests.codes import channel_address
from tutela.requests.keeping import Keeping
from tutela.requests.records import LedgerStep, RequestRecord

SUBJECTS = {
    "answer": N_("Your request {reference} is answered"),
    "denied": N_("Your request {reference}: our decision"),
    "forwarded": N_("Your request {reference} was forwarded"),
    "withdrawn": N_("Your request {reference} is withdrawn"),
    "extended": N_("Your request {reference}: more time is needed"),
}
OPENINGS = {
    "answer": N_("We have answered your request about {what}."),
    "denied": N_("We have decided on your request about {what}."),
    "forwarded": N_("We have forwarded your request about {what} to the controller."),
    "withdrawn": N_("Your request about {what} is withdrawn, as you asked."),
    "extended": N_(
        "We need more time to answer your request about {what}: the answer is now due by "
        "{due}. Reason: {reason}"
    ),
}


@dataclass(frozen=True)
class Sent:
    """A message sent to the subject: its kind and the digest the ledger holds."""

    kind: str
    digest: str


def tell(
    keeping: Keeping,
    record: RequestRecord,
    identity: dict[str, str],
    kind: str,
    *,
    link: tuple[str, datetime] | None = None,
    lang: str = "en",
    now: datetime,
    actor: str = "system",
) -> Sent | None:
    """Mail the subject of ``record`` that ``kind`` happened; None when it cannot be sent.

    A mail server that refuses raises its ConnectorError for the caller to report; no
    mail server or no e-mail identity is not an error (staff deliver by hand).
    """
    address = identity.get("email")
    if keeping.mail is None or not address:
        return None
    message = _message(keeping.mail_from, channel_address(address), record, kind, link, lang)
    message["Date"] = format_datetime(now)
    keeping.mailer().send(message)
    digest = hashlib.sha256(message.as_bytes()).hexdigest()
    keeping.store.record_mail(record.id, LedgerStep(now, actor, "mail_sent", None, digest))
    return Sent(kind, digest)


def _message(
    sender: str,
    to: str,
    record: RequestRecord,
    kind: str,
    link: tuple[str, datetime] | None,
    lang: str,
) -> EmailMessage:
    if kind not in SUBJECTS:
        raise RequestError(f"no message for {kind!r}")
    ref = reference(record.id)
    with language(lang):
        what = _(LABELS.get(record.type, record.type))
        lines = [_("Hello,"), ""]
        opening = _(OPENINGS[kind]).format(
            what=what, due=format_day(record.due_date), reason=record.reason or ""
        )
        lines.append(opening)
        if link is not None:
            url, until = link
            lines += [
                "",
                _("Read our answer here (the link works until {day}):").format(
                    day=format_day(until.date())
                ),
                url,
            ]
        lines += ["", _("Reference: {reference}").format(reference=ref)]
        subject = _(SUBJECTS[kind]).format(reference=ref)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["In-Reply-To"] = message["References"] = thread_id(record.id, sender)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join(lines) + "\n", charset="utf-8")
    message["Content-Language"] = lang
    return message
