"""The composition root: one :class:`Application` per process, built from :class:`Settings`.

Interfaces (CLI, API, pages) ask :func:`application` for what they need; the
application builds the adapters (store, connectors) and hands them to the
services. Nothing else in tutela reads the environment or constructs adapters:
the environment is read here once, into :attr:`Application.environ`, and
connectors see only that mapping.

Heavy modules (SQLAlchemy, the store, the services) are imported by the methods
that need them, so an interface that only prints help never loads them.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tutela.errors import ConfigurationError

if TYPE_CHECKING:
    from pathlib import Path

    from tutela.access.limits import RateWindows, SubjectLimits
    from tutela.access.service import KeyService
    from tutela.access.staff import StaffDesk
    from tutela.access.subjects import SubjectDesk
    from tutela.anonymise.service import ReleaseService
    from tutela.connectors.sql import SqlConnector
    from tutela.consent.announcements import NoticeBoard
    from tutela.consent.from_requests import RequestChoices
    from tutela.consent.point import DecisionPoint
    from tutela.consent.receipts import Receipts
    from tutela.consent.service import ConsentService
    from tutela.consent.unsubscribe import Unsubscribing
    from tutela.discovery.moderation_queue import ModerationDesk
    from tutela.ledger.checkpoint import SigningKey
    from tutela.notify.imap import ImapReader
    from tutela.ports import Clock, Connector
    from tutela.programme.models import Programme, System
    from tutela.requests.answering import Answering, ChoiceRecorder
    from tutela.requests.delivery import DeliveryReport
    from tutela.requests.keeping import Keeping
    from tutela.requests.lifting import Lifting
    from tutela.requests.mail import SmtpSender
    from tutela.requests.mailbox import Mailbox
    from tutela.requests.records import RequestRecord
    from tutela.requests.sealing import StoreKey
    from tutela.requests.service import RequestService
    from tutela.requests.staff import StaffSteps
    from tutela.requests.verification import Verification
    from tutela.retention.ports import Sweeper
    from tutela.retention.service import RetentionService
    from tutela.rights.service import DsrService
    from tutela.settings import Settings
    from tutela.store.announcements import SqlAnnouncementStore, SystemAddresses
    from tutela.store.consent_listen import ChangeListener
    from tutela.store.dsr import SqlDsrStore
    from tutela.store.jobs import SqlJobStore
    from tutela.store.ledger import SqlLedger
    from tutela.store.ledger_proofs import LedgerProofs


class SystemClock:
    """The wall clock, timezone-aware (UTC)."""

    def now(self) -> datetime:
        """The current time in UTC."""
        return datetime.now(UTC)


@dataclass
class Application:
    """Settings, environment and clock of this process, and the factories of its services.

    The store is opened once and shared by every service the application builds.
    """

    settings: Settings
    environ: Mapping[str, str] = field(repr=False)
    clock: Clock = field(default_factory=SystemClock)
    _store: SqlDsrStore | None = field(default=None, init=False, repr=False)
    _ledger: SqlLedger | None = field(default=None, init=False, repr=False)
    _points: list[tuple[Programme, DecisionPoint]] = field(
        default_factory=list, init=False, repr=False
    )
    _listeners: list[ChangeListener | None] = field(default_factory=list, init=False, repr=False)

    def store(self) -> SqlDsrStore:
        """Tutela's store of DSR batches and restrictions (``TUTELA_DATABASE_URL``).

        The store must be at this tutela's schema: a store not set up, older or
        newer is refused (StoreError naming the command to run: ``tutela db upgrade``).
        """
        if self._store is None:
            from tutela.store.dsr import SqlDsrStore

            self._store = SqlDsrStore(
                self.settings.database_url,
                self.clock,
                upgrade=False,
                connect_timeout=self.settings.connect_timeout,
                statement_timeout=self.settings.statement_timeout,
            )
        return self._store

    def ledger(self) -> SqlLedger:
        """The ledger in tutela's store (``TUTELA_DATABASE_URL``), refused unless it is current."""
        if self._ledger is None:
            from tutela.store.ledger import open_ledger

            self._ledger = open_ledger(self.settings.database_url, upgrade=False, **self.timeouts())
        return self._ledger

    def jobs(self) -> SqlJobStore:
        """The job steps in tutela's store (``TUTELA_DATABASE_URL``), refused unless current."""
        from tutela.store.jobs import SqlJobStore

        return SqlJobStore(self.ledger().engine)

    def ledger_key(self) -> SigningKey:
        """The ledger's signer key (``TUTELA_LEDGER_KEY``); ConfigurationError when unset.

        The key is a secret: the error for a malformed one never repeats it.
        """
        from tutela.ledger.checkpoint import CheckpointError, SigningKey

        text = self.settings.ledger_key
        if not text:
            raise ConfigurationError(
                "TUTELA_LEDGER_KEY is not set: make a key with `tutela ledger keygen NAME`"
            )
        try:
            return SigningKey.parse(text.strip())
        except CheckpointError:
            raise ConfigurationError(
                "TUTELA_LEDGER_KEY is not a signer key (PRIVATE+KEY+<name>+<id>+<key>)"
            ) from None

    def connectors(self, programme: Programme) -> dict[str, Connector]:
        """A connector per system that declares datasets and a connector."""
        from tutela.connectors.registry import connector_for

        return {
            system.key: connector_for(self._with_timeouts(system), self.environ)
            for system in programme.systems
            if system.datasets and system.connector is not None
        }

    def release_service(
        self, programme: Programme, folder: Path, *, ledgered: bool = True
    ) -> ReleaseService:
        """Anonymised releases of ``programme`` (files relative to ``folder``).

        Ledgered in tutela's store unless ``ledgered`` is false (a dry run); the store is
        opened first, so a store not set up is refused before anything is computed.
        """
        from tutela.anonymise.service import ReleaseService
        from tutela.connectors.registry import connector_for
        from tutela.connectors.release_source import ReleaseSources
        from tutela.store.anonymised import SqlReleaseLedger

        def connect(key: str) -> Connector:
            try:
                system = programme.system(key)
            except KeyError:
                raise ConfigurationError(f"the release's source names no system {key!r}") from None
            return connector_for(self._with_timeouts(system), self.environ)

        ledger = SqlReleaseLedger(self.ledger()) if ledgered else None
        return ReleaseService(programme, ReleaseSources(folder, connect), ledger, self.clock)

    def timeouts(self) -> dict[str, int]:
        """The SQL options ``connect_timeout`` and ``statement_timeout`` from the settings."""
        return {
            "connect_timeout": self.settings.connect_timeout,
            "statement_timeout": self.settings.statement_timeout,
        }

    def _with_timeouts(self, system: System) -> System:
        """``system`` whose SQL connector has the timeout settings, unless it sets its own."""
        connector = system.connector
        if connector is None or connector.type != "sql":
            return system
        options = {**self.timeouts(), **connector.options}
        return system.model_copy(
            update={"connector": connector.model_copy(update={"options": options})}
        )

    def database(
        self, url: str | None, *, url_env: str | None = None, password_env: str | None = None
    ) -> SqlConnector:
        """A connector on one database given by ``url`` or the variable ``url_env``.

        For ``tutela datasets reflect``: the database is not in a programme yet.
        ``password_env`` names the variable holding the password.
        """
        from pathlib import Path

        from tutela.connectors.sql import SqlConnector
        from tutela.connectors.urls import parse_url

        if (url is None) == (url_env is None):
            raise ConfigurationError(
                "give the database URL either as DB_URL or with --url-env NAME"
            )
        text = url if url is not None else self.variable(str(url_env))
        parsed = parse_url(text, source=url_env or "DB_URL")
        if password_env:
            parsed = parsed.set(password=self.variable(password_env))
        return SqlConnector(
            Path(parsed.database or "database").stem, parsed, options=self.timeouts()
        )

    def variable(self, name: str) -> str:
        """The environment variable ``name``; ConfigurationError when it is not set."""
        value = self.environ.get(name)
        if not value:
            raise ConfigurationError(f"environment variable {name} is not set")
        return value

    def hash_key(self, programme: Programme) -> bytes | None:
        """The masking secret: the variable the programme names (``masking.hash_key_env``).

        Falls back to ``TUTELA_HASH_KEY``; None when neither is set.
        """
        value = self.environ.get(programme.masking.hash_key_env) or self.settings.hash_key
        return value.encode("utf-8") if value else None

    def dsr_service(self, programme: Programme) -> DsrService:
        """The data-subject request service for ``programme``, with its stores and connectors."""
        from tutela.programme.durations import Duration
        from tutela.rights.holds import LegalHold, legal_holds
        from tutela.rights.service import DsrService

        store = self.store()

        def holds() -> Sequence[LegalHold]:  # read when an erasure runs: holds placed since count
            return legal_holds(self.retention(programme).holds(), programme)

        def subject_holds(identities: Mapping[str, str]) -> Sequence[LegalHold]:
            return legal_holds(self.retention(programme).held_for(identities), programme)

        return DsrService(
            programme,
            self.connectors(programme),
            store,
            self.clock,
            self.hash_key(programme),
            restriction_store=store,
            batch_size=self.settings.batch_size,
            delivery_window=Duration.parse(self.settings.delivery_window),
            holds=holds,
            subject_holds=subject_holds,
        )

    def retention(self, programme: Programme) -> RetentionService:
        """Retention sweeps, legal holds and scan policies of ``programme`` (docs/retention.md).

        Subject holds need the hash key (their keyed reference) and the store key (their
        sealed identity): ConfigurationError when such a hold is placed or swept without.
        """
        from tutela.retention.service import RetentionService
        from tutela.store.retention import SqlRetentionStore

        ledger = self.ledger()
        seal, unseal = self._hold_sealing(programme)
        return RetentionService(
            programme,
            SqlRetentionStore(ledger.engine, ledger),
            self._sweeper(programme),
            self.clock,
            reference=self._reference(programme),
            seal=seal,
            unseal=unseal,
            subject_keys=self._subject_keys(programme),
            erase=self._erase_after_hold(programme),
        )

    def _erase_after_hold(self, programme: Programme) -> Callable[[str, str, str], object]:
        """Erase a subject's data once the hold that kept it from an erasure is lifted."""
        from tutela.rights.requests import SubjectRequest

        def erase(identity: str, value: str, request: str) -> object:
            dsr = self.dsr_service(programme)
            try:
                asked = SubjectRequest(
                    "erasure", ((identity, value),), reference=f"lifted:{request}"
                )
                return dsr.run([asked])
            finally:
                dsr.close()

        return erase

    def retention_interval(self) -> timedelta | None:
        """How often the retention sweep runs (``TUTELA_RETENTION_INTERVAL``); None: never."""
        from tutela.programme.durations import Duration

        text = self.settings.retention_interval.strip().lower()
        if text in ("0", "off"):
            return None
        interval = Duration.parse(text).shortest
        return interval or None

    def _sweeper(self, programme: Programme) -> Callable[[str], Sweeper]:
        """A sweeper on one of ``programme``'s systems, by key, with the timeout settings."""
        from tutela.connectors.sweeps import SqlSweeper

        systems = {system.key: system for system in programme.systems}

        def sweeper(key: str) -> Sweeper:
            if key not in systems:
                raise ConfigurationError(f"no system {key[:60]!r} in the programme")
            return SqlSweeper.from_system(self._with_timeouts(systems[key]), self.environ)

        return sweeper

    def _reference(self, programme: Programme) -> Callable[[str, str], str]:
        """The subjects' keyed reference (as consent keeps it); ConfigurationError without key."""
        from tutela.consent.records import subject_ref

        key = self.hash_key(programme)

        def reference(name: str, value: str) -> str:
            if key is None:
                raise ConfigurationError(
                    f"a subject hold needs the hash key: set {programme.masking.hash_key_env}"
                )
            return subject_ref(name, value, key)

        return reference

    def _hold_sealing(
        self, programme: Programme
    ) -> tuple[Callable[[bytes], bytes] | None, Callable[[bytes], bytes] | None]:
        """Seal and unseal a held subject's identity under the store key (None without one)."""
        from tutela.requests.sealing import Use, seal, unseal

        key = self.store_key(programme)
        if key is None:
            return None, None
        return (
            lambda clear: seal(key, Use.HOLD, "legal-hold", clear),
            lambda sealed: unseal(key, Use.HOLD, "legal-hold", sealed),
        )

    def _subject_keys(
        self, programme: Programme
    ) -> Callable[[str, str], Mapping[str, Sequence[object]]]:
        """The held subject's rows per collection, found as an access request finds them."""

        def subject_keys(kind: str, value: str) -> Mapping[str, Sequence[object]]:
            dsr = self.dsr_service(programme)
            try:
                return dsr.subject_keys(kind, value)
            finally:
                dsr.close()

        return subject_keys

    def request_service(self, programme: Programme | None = None) -> RequestService:
        """The request lifecycle over the store's requests and ledger (``programme``: submit)."""
        from tutela.requests.service import RequestService
        from tutela.store.requests import SqlRequestStore

        ledger = self.ledger()
        hash_key = None if programme is None else self.hash_key(programme)
        store = SqlRequestStore(ledger.engine, ledger)
        keeping = self.keeping(programme)
        return RequestService(store, programme, hash_key, self.clock, keeping, self._waker())

    def consent_service(self, programme: Programme) -> ConsentService:
        """Subjects' choices for ``programme``, kept with their ledger entries in the store."""
        from tutela.consent.propagation import Propagation
        from tutela.consent.service import ConsentService
        from tutela.store.consent import SqlChoiceStore

        ledger = self.ledger()
        store = SqlChoiceStore(ledger.engine, ledger)
        propagation = Propagation(store, programme, self.store_key(programme), self.clock)
        hash_key = self.hash_key(programme)
        return ConsentService(store, programme, hash_key, self.clock, propagation)

    def deliver_propagations(self, programme: Programme) -> DeliveryReport:
        """Push the consent changes due now to the programme's systems (docs/propagation.md)."""
        from tutela.consent.propagating import deliver_due
        from tutela.notify.webhook import WebhookSender
        from tutela.store.propagation import SqlPropagationStore

        ledger = self.ledger()
        hooks = {s.key: s.consent_webhook for s in programme.systems if s.consent_webhook}
        envs = {key: hook.secret_env for key, hook in hooks.items()}
        secrets = {k: self.environ[v].encode() for k, v in envs.items() if self.environ.get(v)}
        return deliver_due(
            SqlPropagationStore(ledger.engine, ledger),
            programme=programme,
            key=self.store_key(programme),
            sender=WebhookSender(),
            secrets=secrets,
            now=self.clock.now(),
        )

    def decision_point(self, programme: Programme) -> DecisionPoint:
        """The decision point for ``programme``, one per application, kept current (CO-3)."""
        from tutela.consent.point import DecisionPoint
        from tutela.store.consent import SqlChoiceStore
        from tutela.store.consent_listen import listen

        for known, point in self._points:
            if known is programme:
                return point
        ledger = self.ledger()
        store = SqlChoiceStore(ledger.engine, ledger)
        renewals = self.announcements().renewals
        key = self.hash_key(programme)
        point = DecisionPoint(
            store, programme, self.clock, hash_key=key, renewals=renewals, freeze=True
        )
        self._points.append((programme, point))
        self._listeners.append(listen(ledger.engine, point.changed))  # PostgreSQL only
        return point

    def announcements(self) -> SqlAnnouncementStore:
        """Announced statement versions and their mailing, in the store (NT-1)."""
        from tutela.store.announcements import SqlAnnouncementStore

        ledger = self.ledger()
        return SqlAnnouncementStore(ledger.engine, ledger)

    def notice_board(self, programme: Programme) -> NoticeBoard:
        """The pending announcement of ``programme`` until it takes effect (the API's notice)."""
        from tutela.consent.announcements import NoticeBoard

        url = programme.statement.url if programme.statement else None
        return NoticeBoard(self.announcements(), self.clock, url)

    def system_addresses(self, programme: Programme) -> SystemAddresses:
        """A reader of the e-mail addresses held by ``programme``'s SQL systems."""
        from tutela.connectors.engines import SqlOptions, create_engine
        from tutela.connectors.urls import resolve_url
        from tutela.store.announcements import SystemAddresses

        engines = {}
        for system in programme.systems:
            system = self._with_timeouts(system)
            connector = system.connector
            if connector is None or connector.type != "sql" or not system.datasets:
                continue
            options = SqlOptions.parse(connector.options, system=system.key)
            url = resolve_url(connector, self.environ, system=system.key)
            engines[system.key] = (create_engine(url, system.key, options), options.schema)
        return SystemAddresses(engines)

    def unsubscribing(self, programme: Programme) -> Unsubscribing:
        """Unsubscribe links for ``programme`` and what their clicks record (MK-2, OB-2)."""
        from tutela.consent.unsubscribe import Unsubscribing

        service = self.consent_service(programme)
        return Unsubscribing(service, self.store_key(programme), self.settings.public_url)

    def receipts(self, programme: Programme) -> Receipts:
        """Consent receipts of the store's choice events, and their download links (CO-2)."""
        from tutela.consent.receipts import Receipts
        from tutela.store.consent import SqlChoiceStore

        store, key = SqlChoiceStore(self.ledger().engine), self.store_key(programme)
        return Receipts(store, programme, key, self.settings.public_url, self.clock)

    def _waker(self) -> Callable[[], None] | None:
        """With a broker, a function telling the workers a step is ready (else None)."""
        broker = self.settings.broker_url
        if not broker:
            return None
        from tutela.jobs.celery_app import wake

        return functools.partial(wake, broker)  # each worker claims its own --batch

    def keeping(self, programme: Programme | None = None) -> Keeping:
        """What the lifecycle keeps beside the requests: sealed, with mail and links."""
        from tutela.programme.durations import Duration
        from tutela.requests.keeping import Keeping
        from tutela.store.lifecycle import SqlLifecycleStore

        ledger = self.ledger()
        return Keeping(
            SqlLifecycleStore(ledger.engine, ledger),
            self.store_key(programme),
            Duration.parse(self.settings.answer_window).shortest,
            self.mailer(),
            self.settings.mail_from,
            self.settings.public_url,
        )

    def store_key(self, programme: Programme | None = None) -> StoreKey | None:
        """``TUTELA_STORE_KEY``; without it, a key derived from the hash key; else None."""
        from tutela.requests.sealing import StoreKey

        if self.settings.store_key:
            return StoreKey.parse(self.settings.store_key)
        secret = self.hash_key(programme) if programme is not None else None
        secret = secret or (self.settings.hash_key or "").encode("utf-8")
        return StoreKey.derive(secret) if secret else None

    def mailer(self) -> SmtpSender | None:
        """The mail server of ``TUTELA_SMTP_URL`` (None when unset); its password never shown."""
        from urllib.parse import parse_qs, unquote, urlsplit

        from tutela.requests.mail import SmtpSender

        text = self.settings.smtp_url
        if not text:
            return None
        try:
            parts = urlsplit(text.strip())
            port = parts.port
        except ValueError:
            parts, port = None, None
        if parts is None or parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ConfigurationError(
                "TUTELA_SMTP_URL is not smtp://[user:password@]host[:port][?starttls=false]"
            )
        options = parse_qs(parts.query)
        starttls = options.get("starttls", ["true"])[0].lower() not in ("false", "0", "no")
        return SmtpSender(
            parts.hostname,
            port or 587,
            starttls=starttls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def answering(self, programme: Programme | None = None) -> Answering:
        """Completing requests, their answers and download links."""
        from tutela.notify.webhook import WebhookSender
        from tutela.requests.answering import Answering

        service = self.request_service(programme)
        choices = None if programme is None else self._completed(programme)
        return Answering(
            service, self.keeping(programme), programme, WebhookSender(timeout=60), choices
        )

    def _completed(self, programme: Programme) -> ChoiceRecorder:
        """What completed requests change: choices for decisions, erasures owed by holds."""
        record = self.request_choices(programme).completed

        def completed(done: Sequence[tuple[RequestRecord, Mapping[str, str]]], actor: str) -> None:
            record(done, actor)
            erasures = [(r, identity) for r, identity in done if r.type == "erasure"]
            if erasures:  # data a subject hold kept is erased when the hold is lifted
                retention = self.retention(programme)
                for request, identity in erasures:
                    retention.owe_erasure(identity, request.id, actor=actor)

        return completed

    def lifting(self, programme: Programme | None = None) -> Lifting:
        """Telling subjects a restriction will be lifted, and lifting it when due (RS-3)."""
        from tutela.requests.lifting import Lifting

        service = self.request_service(programme)
        lifted = None if programme is None else self.request_choices(programme).lifted
        return Lifting(service, self.keeping(programme), programme, lifted)

    def request_choices(self, programme: Programme) -> RequestChoices:
        """What completed requests change for the decision point: restrictions, objections."""
        from tutela.consent.from_requests import RequestChoices

        return RequestChoices(self.consent_service(programme))

    def deliver_notifications(self, programme: Programme) -> DeliveryReport:
        """Send the Art. 19 notifications due now (webhook secrets from ``secret_env``)."""
        from tutela.notify.webhook import WebhookSender
        from tutela.requests.delivery import Senders, deliver_due

        keeping = self.keeping(programme)
        secrets = {
            r.key: self.environ[r.notify.secret_env].encode("utf-8")
            for r in programme.recipients
            if r.notify is not None
            and r.notify.secret_env
            and self.environ.get(r.notify.secret_env)
        }
        senders = Senders(keeping.mail, WebhookSender(), keeping.mail_from)
        return deliver_due(
            keeping.store,
            key=keeping.sealing_key(),
            senders=senders,
            secrets=secrets,
            now=self.clock.now(),
        )

    def verification(self) -> Verification:
        """Identity codes and staff verification of stored requests."""
        from tutela.requests.verification import Verification

        return Verification(self.request_service(), self.keeping())

    def staff_steps(self, programme: Programme | None = None) -> StaffSteps:
        """Flags, fees, refusals and forwarding of stored requests."""
        from tutela.requests.staff import StaffSteps

        service = self.request_service(programme)
        return StaffSteps(service, self.keeping(programme), programme)

    def key_service(self) -> KeyService:
        """Staff API keys (``tutela keys``, the API's authentication), ledgered."""
        from tutela.access.service import KeyService
        from tutela.store.keys import SqlKeyStore

        ledger = self.ledger()
        return KeyService(SqlKeyStore(ledger.engine, ledger), self.clock)

    def ledger_proofs(self) -> LedgerProofs:
        """Checkpoints, proofs and evidence of the ledger (``TUTELA_LEDGER_ORIGIN``)."""
        from tutela.store.ledger_proofs import LedgerProofs

        return LedgerProofs(self.ledger(), self.settings.ledger_origin)

    def subject_desk(
        self, programme: Programme, limits: SubjectLimits | None = None
    ) -> SubjectDesk:
        """Subjects' requests over the network: submit, status token, code, download.

        Submissions count in :meth:`rate_windows`, shared by every process on the store.
        """
        from tutela.access.subjects import SubjectDesk

        service = self.request_service(programme)
        answering = self.answering(programme)
        windows = self.rate_windows(programme)
        return SubjectDesk(service, self.verification(), answering, limits, windows)

    def rate_windows(self, programme: Programme | None = None) -> RateWindows:
        """The rate limits in tutela's store, shared by every process and host.

        Keys are kept as HMAC digests under :meth:`store_key`; without a store key, the
        limits stay in this process's memory (:func:`tutela.store.rate_windows.rate_windows`).
        """
        from tutela.store.rate_windows import rate_windows

        return rate_windows(self.ledger().engine, self.store_key(programme))

    def staff_desk(self, programme: Programme) -> StaffDesk:
        """Staff decisions with their letters (deny, refuse, forward) and the complaints."""
        from tutela.access.staff import StaffDesk

        service = self.request_service(programme)
        return StaffDesk(service, self.staff_steps(programme), self.answering(programme))

    def mailbox(self, programme: Programme | None = None) -> Mailbox:
        """The privacy@ mailbox: inbound mail made requests, replies or staff's queue."""
        from tutela.requests.mailbox import Mailbox
        from tutela.requests.verification import Verification
        from tutela.store.mail import SqlMailStore

        ledger = self.ledger()
        service, keeping = self.request_service(programme), self.keeping(programme)
        store = SqlMailStore(ledger.engine, ledger)
        verification = Verification(service, keeping)
        return Mailbox(
            service, verification, keeping, store, programme, max_size=self.settings.mail_max_size
        )

    def moderation_desk(self) -> ModerationDesk:
        """The moderation queue of community posts (seed §9): screen, show, decide, ledgered.

        Held posts are sealed under :meth:`store_key`; without one, holding a post is a
        ConfigurationError naming the setting.
        """
        from tutela.discovery.moderation_queue import ModerationDesk
        from tutela.store.moderation import SqlModerationStore

        ledger = self.ledger()
        store = SqlModerationStore(ledger.engine, ledger)
        return ModerationDesk(store, self.clock, self.store_key())

    def imap_reader(self) -> ImapReader:
        """The reader of the mailbox at ``TUTELA_IMAP_URL``; ConfigurationError when unset."""
        from tutela.notify.imap import ImapReader

        if not self.settings.imap_url:
            raise ConfigurationError(
                "TUTELA_IMAP_URL is not set: imaps://user:pass@host[:port]/INBOX"
            )
        return ImapReader.from_url(self.settings.imap_url)


def build(environ: Mapping[str, str] | None = None) -> Application:
    """A new application from the settings in ``environ``.

    Default: this process's environment, plus a ``.env`` file in the working folder.
    Raises ConfigurationError naming a setting whose value is not valid.
    """
    from pydantic import ValidationError

    from tutela.settings import Settings

    try:
        if environ is None:
            return Application(Settings(), dict(os.environ))
        return Application(Settings.from_environ(environ), dict(environ))
    except ValidationError as error:
        problems = "; ".join(
            f"TUTELA_{'__'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in error.errors()
        )
        raise ConfigurationError(f"invalid settings: {problems}") from None
