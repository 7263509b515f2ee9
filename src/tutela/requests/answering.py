"""Answering a request: run it on the systems, keep the answer sealed, tell the recipients.

:meth:`Answering.complete` takes an approved request (*in progress*) to *completed*:
the DSR engine (:mod:`tutela.rights`) runs it on the programme's systems; an access or
portability request gets a ZIP (data as JSON and CSV, and a cover letter with the
Art. 15 information for this subject), every other type a letter saying what was done,
what was kept and why, and the rights that remain. The answer is sealed in the store
until the delivery window ends (:meth:`purge`), downloadable through a signed link that
expires and names one request (:meth:`link`, :meth:`download`), each download ledgered.
Rectification, erasure and restriction are queued for each recipient (Art. 19, NR-1)
and sent at once where the mail server and webhooks allow, retried later otherwise.
Completing twice is refused by the state machine; a crash half-way is completed by
running it again (the engine is idempotent, the answer replaced, notifications unique).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from tutela.errors import ConfigurationError, RequestError, TutelaError
from tutela.i18n import N_, _
from tutela.requests.delivering import Delivering
from tutela.requests.details import details_of, require_fee_paid
from tutela.requests.keeping import (
    AnswerKind,
    AnswerRecord,
    Finishing,
    Keeping,
    NotificationRecord,
)
from tutela.requests.records import LedgerStep, RequestRecord, state_digest
from tutela.requests.service import RequestService
from tutela.requests.states import State, transition
from tutela.requests.types import RequestType

if TYPE_CHECKING:
    from tutela.programme.models import Programme
    from tutela.requests.disclosure import Disclosure
    from tutela.requests.letter_parts import Part
    from tutela.requests.letters import LetterContext
    from tutela.rights.models import Plan
    from tutela.rights.outcomes import RequestResult
    from tutela.rights.service import DsrService

_T = RequestType
ENGINE: dict[RequestType, str] = {
    _T.ACCESS: "access",
    _T.KNOW: "access",
    _T.PORTABILITY: "portability",
    _T.ERASURE: "erasure",
    _T.DELETE: "erasure",
    _T.RECTIFICATION: "rectification",
    _T.CORRECT: "rectification",
    _T.RESTRICTION: "restriction",
}
"""The request types the DSR engine runs on the systems, and as which engine type."""
PACKAGED = frozenset({_T.ACCESS, _T.KNOW, _T.PORTABILITY})
NOTIFIED = frozenset({"erasure", "rectification", "restriction"})
"""Engine types whose outcome every recipient of the data is told (Art. 19, NR-1)."""

RECORDED = {
    _T.OBJECTION: N_("Your objection is upheld: we stop processing for {purpose} (Art. 21(1))."),
    _T.OBJECTION_DIRECT_MARKETING: N_(
        "Your objection to direct marketing is recorded: we stopped at once (Art. 21(3))."
    ),
    _T.CONSENT_WITHDRAWAL: N_(
        "Your consent to {purpose} is withdrawn: we stopped processing for it (Art. 7(3))."
    ),
    _T.OPT_OUT_SALE_SHARING: N_("We no longer sell or share your personal information."),
    _T.LIMIT_SENSITIVE: N_("We limit the use of your sensitive personal information."),
    _T.COMPLAINT: N_(
        "Your complaint is recorded and answered; you may also complain to an authority (Art. 77)."
    ),
}
"""What the letter says for a type the engine does not run (the record is the action)."""
COVERS_KEPT = 256
"""Cover letter facts kept per :class:`Answering` (one per language and categories found)."""
_CoverKey = tuple[str, tuple[tuple[str, tuple[str, ...]], ...]]


class Transmitter(Protocol):
    """Posts a package to another controller's HTTPS endpoint (Art. 20(2))."""

    def send(self, url: str, body: bytes, headers: Mapping[str, str]) -> None:
        """POST ``body``; a ConnectorError unless the endpoint accepts it."""


@dataclass(frozen=True)
class Completion:
    """A completed request, its answer, and the recipients queued to be told."""

    request: RequestRecord
    answer: AnswerRecord
    notifications: tuple[NotificationRecord, ...] = ()
    unreachable: tuple[str, ...] = ()
    processor_systems: tuple[str, ...] = ()
    mailed: bool = False
    """True when the subject was told by e-mail that the answer is ready (with its link)."""


ChoiceRecorder = Callable[[Sequence[tuple[RequestRecord, Mapping[str, str]]], str], object]
"""Records the choices completed requests make (a restriction, an objection, a withdrawal)
for the decision point: :meth:`tutela.consent.from_requests.RequestChoices.completed`."""


class Answering(Delivering):
    """Answers of the requests in ``requests``, kept by ``keeping``, for ``programme``."""

    def __init__(
        self,
        requests: RequestService,
        keeping: Keeping,
        programme: Programme | None,
        transmitter: Transmitter | None = None,
        choices: ChoiceRecorder | None = None,
    ) -> None:
        self.requests, self.keeping, self.programme = requests, keeping, programme
        self.transmitter, self.choices = transmitter, choices
        self._covers: dict[_CoverKey, tuple[Programme, Disclosure, tuple[Part, ...]]] = {}

    def complete(
        self, identifier: str, dsr: DsrService, *, lang: str = "en", actor: str = "system"
    ) -> Completion:
        """Run the request, keep its answer, queue Art. 19 notices, mark it completed."""
        ready = self._ready(identifier)
        runs = _run_group(dsr, [ready]) if ready.kind in ENGINE else {}
        prepared = self._prepare(ready, _ran(runs, ready), lang, actor)
        (outcome,) = self._store([prepared], lang, actor).values()
        if isinstance(outcome, TutelaError):
            raise outcome
        return outcome

    def complete_many(
        self,
        identifiers: Sequence[str],
        dsr: DsrService,
        *,
        lang: str = "en",
        actor: str = "system",
    ) -> dict[str, Completion | TutelaError]:
        """Complete several requests, the engine run ONCE per engine type for all of them.

        Each request is answered as :meth:`complete` does, and all are stored in ONE
        transaction (one by one when one changed meanwhile). Returns, per identifier
        given, its :class:`Completion` or the error that stopped it (the others go on);
        a batch the engine refuses is run again one request at a time.
        """
        outcomes: dict[str, Completion | TutelaError] = {}
        groups: dict[str, list[_Ready]] = {}
        for identifier in identifiers:
            try:
                ready = self._ready(identifier)
            except TutelaError as error:
                outcomes[identifier] = error
                continue
            groups.setdefault(ENGINE.get(ready.kind, ""), []).append(ready)
        prepared: list[_Prepared] = []
        for engine_type, group in groups.items():
            runs = _run_group(dsr, group) if engine_type else {}
            for ready in group:
                try:
                    prepared.append(self._prepare(ready, _ran(runs, ready), lang, actor))
                except TutelaError as error:
                    outcomes[ready.identifier] = error
        return outcomes | self._store(prepared, lang, actor)

    def _ready(self, identifier: str) -> _Ready:
        """The request, checked ready to complete (refused before any work), its identity."""
        record = self.requests.show(identifier)
        transition(record.state, State.COMPLETED, record.type)
        require_fee_paid(record)
        identity, changes = self.requests.identity(record)
        return _Ready(identifier, record, RequestType(record.type), identity, changes)

    def _prepare(self, ready: _Ready, ran: _Run | None, lang: str, actor: str) -> _Prepared:
        """Queue the Art. 19 notices, make and seal the answer; nothing completed yet."""
        plan, result = (None, None) if ran is None else ran
        record, kind = ready.record, ready.kind
        context = self._context(record, lang)
        queued: tuple[NotificationRecord, ...] = ()
        unreachable: tuple[str, ...] = ()
        if plan is not None and result is not None and ENGINE[kind] in NOTIFIED:
            queued, unreachable = self._queue(record, plan, result, ready.identity, ready.changes)
        told = self._names(n.recipient for n in queued)
        body, answer_kind = self._answer_bytes(kind, record, context, result, told)
        answer, to_seal, to_step = self._sealed(record, body, answer_kind, actor)
        sealed: bytes | None = to_seal
        kept: LedgerStep | None = to_step
        target = details_of(record.details).get("transmit_to")
        if kind is _T.PORTABILITY and target:  # kept first: the transmission names it
            self.keeping.store.save_answer(answer, to_seal, to_step)
            self._transmit(record, str(target), body, answer.digest, actor)
            sealed, kept = None, None
        forwarded = tuple(f.system for f in plan.forwarded) if plan is not None else ()
        finishing = self._finishing(record, answer, sealed, kept, actor)
        return _Prepared(ready, finishing, answer, queued, unreachable, forwarded)

    def _finishing(
        self,
        record: RequestRecord,
        answer: AnswerRecord,
        sealed: bytes | None,
        kept: LedgerStep | None,
        actor: str,
    ) -> Finishing:
        """What completing ``record`` stores (as :meth:`RequestService.move` would)."""
        goal = transition(record.state, State.COMPLETED, record.type)
        now = self.requests.clock.now()
        after = replace(record, state=goal.value, updated_at=now)
        step = LedgerStep(now, actor, goal.value, state_digest(record), state_digest(after))
        purge = record.type != _T.RESTRICTION  # a restriction's identity is needed to lift it
        return Finishing(record, after, step, answer if sealed else None, sealed, kept, purge)

    def _store(
        self, prepared: Sequence[_Prepared], lang: str, actor: str
    ) -> dict[str, Completion | TutelaError]:
        """Store every prepared request in one transaction, then tell each subject.

        When one changed meanwhile (withdrawn, completed by staff) the transaction stores
        nothing and each is stored alone: that one gets its error, the others complete.
        """
        outcomes: dict[str, Completion | TutelaError] = {}
        stored = list(prepared)
        try:
            self.keeping.store.complete_many([p.finishing for p in prepared])
        except RequestError:
            if len(prepared) <= 1:
                raise
            stored = []
            for one in prepared:
                try:
                    self.keeping.store.complete_many([one.finishing])
                    stored.append(one)
                except RequestError as error:
                    outcomes[one.ready.identifier] = error
        if self.choices is not None and stored:  # restrictions, objections: for decisions
            self.choices([(one.ready.record, one.ready.identity) for one in stored], actor)
        for one in stored:
            outcomes[one.ready.identifier] = self._completion(one, lang, actor)
        return outcomes

    def _completion(self, prepared: _Prepared, lang: str, actor: str) -> Completion:
        """Tell the subject the answer is ready (best effort); the request's Completion."""
        after, answer = prepared.finishing.after, prepared.answer
        mailed = self._tell(after, prepared.ready.identity, "answer", lang, actor, answer)
        queued, unreachable = prepared.queued, prepared.unreachable
        return Completion(after, answer, queued, unreachable, prepared.forwarded, mailed)

    def closing_letter(
        self, identifier: str, *, lang: str = "en", actor: str = "system"
    ) -> AnswerRecord:
        """Keep the letter of a request that ended without being run.

        Denied: the reason and the complaint route (Art. 12(4), DL-7); forwarded: the
        controller to address (PR-2); withdrawn: as the subject asked.
        """
        from tutela.i18n import language
        from tutela.requests import letters

        record = self.requests.show(identifier)
        programme = self._programme()
        context = self._context(record, lang)
        rights, authorities = _routes(programme)
        outcome = letters.Outcome(rights_left=rights, authorities=authorities)
        if record.state == State.DENIED:
            outcome = replace(outcome, refused_reason=record.reason or "")
        elif record.state == State.FORWARDED_TO_CONTROLLER:
            outcome = replace(outcome, forwarded_to=_controller(programme, record))
        elif record.state == State.WITHDRAWN:
            with language(lang):
                outcome = replace(outcome, done=(_("Your request was withdrawn, as you asked."),))
        else:
            raise RequestError(f"request {record.id} is {record.state}: complete it instead")
        body = letters.outcome_letter(context, outcome).encode("utf-8")
        answer = self._keep(record, body, AnswerKind.LETTER, actor)
        kind = {State.DENIED: "denied", State.FORWARDED_TO_CONTROLLER: "forwarded"}
        if self.keeping.store.secret(record.id) is not None:  # still kept: tell, then purge
            identity, _changes = self.requests.identity(record)
            self._tell(record, identity, kind.get(State(record.state), "withdrawn"), lang, actor)
            self.keeping.store.purge_secret(record.id)
        return answer

    def _context(self, record: RequestRecord, lang: str) -> LetterContext:
        from tutela.requests.letters import LetterContext

        programme = self._programme()
        organisation = programme.organisation
        return LetterContext(
            request_id=record.id,
            type=record.type,
            regime=record.regime,
            controller=_known_as(programme),
            contact=organisation.privacy_email if organisation else None,
            received_at=record.received_at,
            answered_at=self.requests.clock.now(),
            due=record.due_date,
            language=lang,
        )

    def _answer_bytes(
        self,
        kind: RequestType,
        record: RequestRecord,
        context: LetterContext,
        result: RequestResult | None,
        told: tuple[str, ...] = (),
    ) -> tuple[bytes, AnswerKind]:
        from tutela.i18n import language
        from tutela.requests import letters
        from tutela.requests.package import answer_package

        programme = self._programme()
        with language(context.language):
            if kind in PACKAGED and result is not None:
                disclosure, parts = self._cover(programme, letters.found_in(result), context)
                cover = letters.cover_letter(context, disclosure, parts)
                return answer_package(result, ENGINE[kind], cover), AnswerKind.PACKAGE
            names = {p.key: str(p.name) for p in programme.purposes}
            if result is not None:
                outcome = letters.outcome_from_result(result, ENGINE[kind], purposes=names)
            else:
                purpose = details_of(record.details).get("purpose", "")
                named = names.get(purpose) or _("this purpose")
                done = _(RECORDED[kind]).format(purpose=named)
                outcome = letters.Outcome(done=(done,))
        rights, authorities = _routes(programme)
        outcome = replace(
            outcome, rights_left=rights, authorities=authorities, recipients_told=told
        )
        return letters.outcome_letter(context, outcome).encode("utf-8"), AnswerKind.LETTER

    def _cover(
        self, programme: Programme, found: dict[str, tuple[str, ...]], context: LetterContext
    ) -> tuple[Disclosure, tuple[Part, ...]]:
        """The Art. 15 facts and the cover letter's parts for the categories ``found``.

        Kept per language and categories found (with where): most subjects of a batch
        share them, and they derive from the programme alone.
        """
        from tutela.requests.disclosure import disclose
        from tutela.requests.letter_parts import cover_parts

        key = (context.language, tuple(found.items()))
        kept = self._covers.get(key)
        if kept is not None and kept[0] is programme:
            return kept[1], kept[2]
        disclosure = disclose(programme, found, found)
        parts = cover_parts(disclosure)
        if len(self._covers) >= COVERS_KEPT:
            self._covers.clear()
        self._covers[key] = (programme, disclosure, parts)
        return disclosure, parts

    def _queue(
        self,
        record: RequestRecord,
        plan: Plan,
        result: RequestResult,
        identity: dict[str, str],
        changes: dict[str, str],
    ) -> tuple[tuple[NotificationRecord, ...], tuple[str, ...]]:
        from tutela.requests import delivery, notices, recipients

        programme = self._programme()
        categories = recipients.categories_changed(plan, result)
        now = self.requests.clock.now()
        queued = recipients.notifications_for(programme, record.id, categories, now)
        controller = _known_as(programme)
        document = notices.recipient_message(
            ENGINE[RequestType(record.type)], record.id, controller, identity, categories, changes
        )
        documents = {n.recipient: document for n in queued}
        sealed = delivery.seal_messages(self.keeping.sealing_key(), queued, documents)
        self.keeping.store.add_notifications(queued, sealed)
        missing = tuple(r.key for r in recipients.unreachable(programme, categories))
        return tuple(queued), missing

    def _transmit(
        self, record: RequestRecord, url: str, body: bytes, digest: str, actor: str
    ) -> None:
        """Send the portability package to the other controller (Art. 20(2), PO-3)."""
        if self.transmitter is None:
            raise ConfigurationError("no sender for the other controller's endpoint")
        headers = {"Content-Type": "application/zip", "Tutela-Request": record.id}
        self.transmitter.send(url, body, headers)  # a failure leaves the request in progress
        step = LedgerStep(self.requests.clock.now(), actor, "answer_transmitted", None, digest)
        self.keeping.store.record_download(record.id, step)

    def _names(self, keys: Iterable[str]) -> tuple[str, ...]:
        names = {r.key: str(r.name) for r in self._programme().recipients}
        return tuple(names.get(key, key) for key in keys)

    def _programme(self) -> Programme:
        if self.programme is None:
            raise ConfigurationError("answering a request needs the programme (give PROGRAMME)")
        return self.programme


@dataclass(frozen=True)
class _Ready:
    """A request checked ready to complete, with its identity and changes."""

    identifier: str
    record: RequestRecord
    kind: RequestType
    identity: dict[str, str]
    changes: dict[str, str]


_Run = tuple["Plan", "RequestResult"]


@dataclass(frozen=True)
class _Prepared:
    """A request answered but not yet stored: what to store, and what its Completion says."""

    ready: _Ready
    finishing: Finishing
    answer: AnswerRecord
    queued: tuple[NotificationRecord, ...]
    unreachable: tuple[str, ...]
    forwarded: tuple[str, ...]


def _ran(runs: Mapping[str, _Run | TutelaError], ready: _Ready) -> _Run | None:
    """The engine's run of ``ready`` (None: nothing to run); its error raised."""
    ran = runs.get(ready.record.id)
    if isinstance(ran, TutelaError):
        raise ran
    return ran


def _run_group(dsr: DsrService, group: Sequence[_Ready]) -> dict[str, _Run | TutelaError]:
    """One engine run for ``group`` (one engine type); per request id, its plan and result.

    When the engine refuses the batch, each request is run alone and keeps its own error.
    """
    from tutela.rights.models import SubjectRequest

    requests = [
        SubjectRequest(
            ENGINE[r.kind],  # type: ignore[arg-type]
            tuple(r.identity.items()),
            tuple(r.changes.items()),
            reference=r.record.id,
        )
        for r in group
    ]
    try:
        plan = dsr.plan_only(requests)
        results = dsr.run(requests).results
    except TutelaError as error:
        if len(group) == 1:
            return {group[0].record.id: error}
        return {k: v for ready in group for k, v in _run_group(dsr, [ready]).items()}
    return {str(r.request.reference): (plan, r) for r in results}


def _routes(
    programme: Programme,
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The rights left and the authorities to complain to, for every letter (CP-1)."""
    from tutela.jurisdictions import packaged_jurisdictions
    from tutela.requests.excessive import authorities

    rights = programme.rights
    offered = tuple(str(r) for r in rights.offered) if rights is not None else ()
    named = authorities(programme.complaints, packaged_jurisdictions())
    pairs = tuple((a.name, ", ".join(a.websites)) for a in named)
    return offered, pairs


def _controller(programme: Programme, record: RequestRecord) -> str:
    """The customer a request was forwarded to, with its contact (PR-2)."""
    key = details_of(record.details).get("customer")
    for customer in programme.dpa_register:
        if customer.key == key:
            return f"{customer.name}, {customer.contact}"
    return "the controller named in our data processing agreement"


def _known_as(programme: Programme) -> str:
    return programme.organisation.known_as if programme.organisation else ""
