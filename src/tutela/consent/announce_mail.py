"""Mailing the notice of an announced change to the subjects the systems hold (seed §13).

:func:`mail_notices` reads the addresses (and preferred languages) the systems hold,
claims each subject by keyed reference before sending (never mailed twice), sends a
service notice in the subject's language at the pace asked, and reports what it did.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol

from tutela.consent.announcements import LANGUAGE_CATEGORY, Announcement
from tutela.consent.records import subject_ref
from tutela.errors import ConnectorError, RequestError
from tutela.i18n import LANGUAGES, _, format_day, language
from tutela.programme.models import Programme
from tutela.requests.codes import channel_address


@dataclass(frozen=True)
class AddressSource:
    """A collection holding e-mail addresses, and the field with the subject's language."""

    system: str
    collection: str
    address: str
    identity: str
    language: str | None = None


def address_sources(programme: Programme) -> list[AddressSource]:
    """Every collection with an e-mail identity field, of a controller system with a connector.

    Data held as a processor is the customer's to inform (PR-2): it is not read.
    """
    found = []
    for system, dataset in programme.datasets():
        if system.connector is None or system.role != "controller":
            continue
        for collection in dataset.collections:
            names = [f.name for f in collection.fields if _is_language(f.data_categories)]
            for item in collection.fields:
                if item.identity and programme.identity(item.identity).kind == "email":
                    lang = names[0] if names else None
                    found.append(
                        AddressSource(system.key, collection.name, item.name, item.identity, lang)
                    )
    return found


def _is_language(categories: Sequence[str]) -> bool:
    return any(c == LANGUAGE_CATEGORY or c.startswith(LANGUAGE_CATEGORY + ".") for c in categories)


def preferred_language(value: object, default: str) -> str:
    """The language of tutela's wording closest to ``value`` (``fr-BE`` → ``fr``), else default."""
    text = str(value or "").strip().lower().replace("_", "-").split("-")[0]
    return text if text in LANGUAGES else default


def default_language(programme: Programme) -> str:
    """The programme's first statement language that tutela's wording is written in."""
    languages = programme.statement.languages if programme.statement else []
    return next(
        (preferred_language(code, "") for code in languages if preferred_language(code, "")), "en"
    )


def notice_message(
    sender: str, to: str, item: Announcement, lang: str, url: str | None
) -> EmailMessage:
    """The service notice of ``item`` to ``to`` in ``lang`` (not marketing: no unsubscribe)."""
    with language(lang):
        day = format_day(item.effective_at.date())
        subject = _("Our privacy statement changes on {day}").format(day=day)
        lines = [
            _("Hello,"),
            "",
            _(
                "We are changing our privacy statement (version {version}). The new version "
                "takes effect on {day}."
            ).format(version=item.version, day=day),
            _("This is a service message about how we process your personal data."),
        ]
        if item.purposes:
            lines += ["", _("Where you gave consent, we will ask for it again.")]
        if url:
            lines += ["", _("Read the new version here:"), url]
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, channel_address(to), subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("\n".join(lines) + "\n", charset="utf-8")
    message["Content-Language"] = lang
    return message


@dataclass(frozen=True)
class Recipient:
    """One address a system holds, and the language its subject prefers (or None)."""

    address: str
    language: str | None = None


class NoticeStore(Protocol):
    """Who was sent an announcement's notice (:class:`tutela.store.announcements`)."""

    def claim(self, number: int, subjects: Sequence[tuple[str, str]], now: datetime) -> set[str]:
        """Record ``(subject, language)`` as being sent, unless known; the newly claimed."""
        ...

    def settle(
        self, number: int, done: dict[str, str], batch: int, now: datetime, actor: str
    ) -> None:
        """Record each subject's outcome (``sent``, ``refused``, ``release``), ledgered."""
        ...


class Mailer(Protocol):
    """Sends one message (:class:`tutela.requests.mail.SmtpSender`)."""

    def send(self, message: EmailMessage) -> None:
        """Send ``message``; ConnectorError when it cannot be sent."""
        ...


@dataclass
class Pace:
    """At most ``rate`` messages a second: message ``n`` waits until ``n / rate`` seconds."""

    rate: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    sent: int = 0
    start: float | None = None

    def wait(self) -> None:
        """Sleep until the next message may go."""
        now = self.clock()
        self.start = now if self.start is None else self.start
        due = self.start + self.sent / self.rate
        if due > now:
            self.sleep(due - now)
        self.sent += 1


@dataclass
class MailReport:
    """What a mailing run did: sent, refused by the server, already done before, in all."""

    sent: int = 0
    refused: int = 0
    skipped: int = 0
    batches: int = 0
    by_language: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Mailing:
    """The sending of one stored announcement's notice; see :func:`mail_notices`."""

    item: Announcement
    store: NoticeStore
    mailer: Mailer
    sender: str
    hash_key: bytes
    url: str | None = None
    actor: str = "system"


def mail_notices(
    mailing: Mailing,
    batches: Iterable[Sequence[Recipient]],
    default: str,
    pace: Pace,
    now: Callable[[], datetime],
    limit: int | None = None,
) -> MailReport:
    """Send the notice once to each address, batch by batch, claimed before it is sent.

    A subject is claimed (by keyed reference) before its message goes, and settled after:
    a crash leaves it claimed, so a re-run never mails anyone twice. A mailbox the server
    refuses is recorded ``refused``; any other mail failure releases the batch's unsent
    claims and is raised (a re-run resumes).
    """
    report = MailReport()
    for number, batch in enumerate(batches, 1):
        room = None if limit is None else limit - report.sent - report.refused
        if room is not None and room <= 0:
            break
        wanted = _by_subject(batch, mailing.hash_key, default)
        pairs = [(subject, lang) for subject, (_address, lang) in wanted.items()]
        claimed = mailing.store.claim(mailing.item.number, pairs, now())
        report.skipped += len(wanted) - len(claimed)
        todo = [(s, *wanted[s]) for s in wanted if s in claimed]
        done = {subject: "release" for subject, *_ in todo}
        try:
            for subject, address, lang in todo[:room]:
                pace.wait()
                done[subject] = _send(mailing, address, lang, now())
        finally:
            mailing.store.settle(mailing.item.number, done, number, now(), mailing.actor)
            _count(report, done, wanted)
    return report


def _count(report: MailReport, done: dict[str, str], wanted: dict[str, tuple[str, str]]) -> None:
    report.batches += 1
    for subject, state in done.items():
        if state == "sent":
            lang = wanted[subject][1]
            report.by_language[lang] = report.by_language.get(lang, 0) + 1
    report.sent += sum(1 for state in done.values() if state == "sent")
    report.refused += sum(1 for state in done.values() if state == "refused")


def _by_subject(batch: Sequence[Recipient], key: bytes, default: str) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for recipient in batch:
        address = recipient.address.strip().lower()
        if "@" not in address:
            continue
        found.setdefault(
            subject_ref("email", address, key),
            (address, preferred_language(recipient.language, default)),
        )
    return found


def _send(mailing: Mailing, address: str, lang: str, now: datetime) -> str:
    try:
        message = notice_message(mailing.sender, address, mailing.item, lang, mailing.url)
    except RequestError:
        return "refused"  # not an address a message can go to
    message["Date"] = format_datetime(now)
    try:
        mailing.mailer.send(message)
    except ConnectorError as error:
        if "refused the recipient" in str(error):
            return "refused"
        raise
    return "sent"


def batched(rows: Iterable[Recipient], size: int) -> Iterator[list[Recipient]]:
    """``rows`` in lists of at most ``size``."""
    batch: list[Recipient] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
