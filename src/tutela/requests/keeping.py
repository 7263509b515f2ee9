"""What the request lifecycle keeps for a while besides the request row, and where.

A request's identity is needed in clear to run it against the systems, to mail the
subject a code and to tell recipients what to erase (Art. 19); the answer waits for
its download. tutela keeps these only as long as the job needs them, sealed with
AES-GCM under the store key (:mod:`tutela.requests.sealing`), and purges them:

- :class:`Secret` rows: the sealed identity of an open request, purged when it ends;
- :class:`CodeRecord` rows: one-time codes as keyed digests (never the code);
- rate events: keyed digests of an identity or a source address with a time;
- :class:`AnswerRecord` rows: the sealed answer (a ZIP or a letter), purged after the
  delivery window;
- :class:`NotificationRecord` rows: one per recipient told of a rectification, erasure
  or restriction (Art. 19), the sealed message purged once delivered or given up.

:class:`LifecycleStore` is the port; :class:`tutela.store.lifecycle.SqlLifecycleStore`
implements it. Every change that matters to a supervisory authority is committed with
the ledger step recording it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from enum import StrEnum
from typing import Protocol

from tutela.errors import ConfigurationError
from tutela.requests.codes import CodeRecord
from tutela.requests.records import LedgerStep, RequestRecord
from tutela.requests.sealing import StoreKey


class AnswerKind(StrEnum):
    """What an answer is: a data package (access, portability) or a letter."""

    PACKAGE = "package"  # application/zip: data.json, one CSV per collection, cover letter
    LETTER = "letter"  # text/html: what was done, what was kept and why, the rights left


@dataclass(frozen=True)
class AnswerRecord:
    """An answer awaiting delivery; its bytes are kept sealed beside it.

    ``digest`` is the SHA-256 (hex) of the clear bytes, so the ledger can name what was
    delivered without holding it.
    """

    request_id: str
    kind: AnswerKind
    media_type: str
    filename: str
    digest: str
    size: int
    created_at: datetime
    expires_at: datetime
    downloads: int = 0
    purged_at: datetime | None = None


class NotificationState(StrEnum):
    """Where one Art. 19 notification stands."""

    PENDING = "pending"  # waiting for its next attempt at ``next_at``
    DELIVERED = "delivered"  # the recipient's server accepted it
    FAILED = "failed"  # given up after the last retry; staff follow up


class Channel(StrEnum):
    """How a recipient is told: e-mail, or a signed HTTPS webhook."""

    EMAIL = "email"
    WEBHOOK = "webhook"


@dataclass(frozen=True)
class NotificationRecord:
    """One recipient told of a rectification, erasure or restriction (Art. 19)."""

    id: str
    request_id: str
    recipient: str  # the programme's recipient key
    channel: Channel
    target: str  # the recipient's business address or HTTPS endpoint (not the subject's)
    state: NotificationState
    attempts: int
    next_at: datetime | None
    created_at: datetime
    delivered_at: datetime | None = None
    last_error: str | None = None  # what failed, never the message or a secret


@dataclass(frozen=True)
class Finishing:
    """What completing one request stores, with the other requests of its batch.

    ``answer`` and ``sealed`` are the answer to keep with ``kept`` (its ``answer_kept``
    step), or None when it was kept already; ``after`` is the request completed, stored
    over ``before`` with ``completed``; ``purge`` drops the sealed identity (not for a
    completed restriction: lifting it needs the identity).
    """

    before: RequestRecord
    after: RequestRecord
    completed: LedgerStep
    answer: AnswerRecord | None
    sealed: bytes | None
    kept: LedgerStep | None
    purge: bool


class LifecycleStore(Protocol):
    """The port for what the lifecycle keeps beside the request rows (see module doc)."""

    def save_secret(self, request_id: str, sealed: bytes, now: datetime) -> None:
        """Keep the sealed identity of ``request_id`` (replacing any)."""

    def secret(self, request_id: str) -> bytes | None:
        """The sealed identity of ``request_id``, or None once purged."""

    def purge_secret(self, request_id: str) -> bool:
        """Drop the sealed identity of ``request_id``; True when there was one."""

    def save_code(self, record: CodeRecord, step: LedgerStep | None = None) -> None:
        """Keep ``record`` as the request's only code (replacing any), with ``step``."""

    def code(self, request_id: str) -> CodeRecord | None:
        """The code record of ``request_id``, or None."""

    def count_rate(self, limits: Mapping[str, tuple[int, timedelta]], now: datetime) -> int:
        """Count one event under each key if each window has room: 0; else seconds to wait.

        ``limits`` maps a key (a keyed digest) to its ``(events, window)``. One atomic step
        shared by every process: two racing cannot both pass a full window (ID-2).
        """

    def save_answer(self, record: AnswerRecord, sealed: bytes, step: LedgerStep) -> None:
        """Keep the sealed answer of ``record.request_id`` (replacing any), with ``step``."""

    def complete_many(self, finished: Sequence[Finishing]) -> None:
        """Store every request's answer, state change and purge, and their steps, at once.

        One transaction with one ledger append (per request: ``answer_kept`` then the state
        change). A RequestError, nothing stored, when any request changed meanwhile: store
        them one by one to learn which.
        """

    def answer(self, request_id: str) -> tuple[AnswerRecord, bytes | None] | None:
        """The answer of ``request_id`` and its sealed bytes (None once purged), or None."""

    def record_download(self, request_id: str, step: LedgerStep) -> None:
        """Count one download of the answer, with ``step``."""

    def record_mail(self, request_id: str, step: LedgerStep) -> None:
        """Ledger a message sent to the subject of ``request_id`` (``step`` holds its digest)."""

    def purge_answers(self, now: datetime, actor: str) -> list[str]:
        """Purge every answer expired at ``now``, each ledgered by ``actor``; their ids.

        The bytes are dropped, the row kept with its digest and ``purged_at``.
        """

    def add_notifications(
        self, records: Sequence[NotificationRecord], sealed: Mapping[str, bytes]
    ) -> None:
        """Keep new notifications, ``sealed`` mapping each id to its sealed message.

        One per request and recipient: one already there is left as it is.
        """

    def notifications(self, request_id: str) -> list[NotificationRecord]:
        """The notifications of ``request_id``, by recipient."""

    def due_notifications(
        self, now: datetime, limit: int
    ) -> list[tuple[NotificationRecord, bytes | None]]:
        """Up to ``limit`` pending notifications due at ``now``, with their sealed messages."""

    def update_notification(self, record: NotificationRecord, step: LedgerStep) -> None:
        """Store ``record`` (its sealed message dropped once it is no longer pending)."""


class Mailer(Protocol):
    """Sends one message (an SMTP server in production, a local one in tests)."""

    def send(self, message: EmailMessage) -> None:
        """Send ``message``; a ConnectorError saying why when it cannot be sent."""


@dataclass(frozen=True)
class Keeping:
    """What the lifecycle needs beyond the request rows: the store, the key, mail, links."""

    store: LifecycleStore
    key: StoreKey | None
    answer_window: timedelta = timedelta(days=30)
    mail: Mailer | None = None
    mail_from: str = "privacy@localhost"
    public_url: str = "http://localhost:8000"

    def sealing_key(self) -> StoreKey:
        """The store key; ConfigurationError naming the setting when it is not set."""
        if self.key is None:
            raise ConfigurationError(
                "TUTELA_STORE_KEY is not set: it seals what tutela keeps while a request is "
                "open; make one with `tutela db keygen`"
            )
        return self.key

    def mailer(self) -> Mailer:
        """The mail server; ConfigurationError naming the setting when none is set."""
        if self.mail is None:
            raise ConfigurationError(
                "TUTELA_SMTP_URL is not set: codes and answers are sent by e-mail "
                "(smtp://host:port)"
            )
        return self.mail
