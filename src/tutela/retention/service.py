"""The retention use cases: sweeps, legal holds, scan policies and proofs (issue 18).

:meth:`RetentionService.run` enforces the programme's rules (RT-2): it compiles the rules
into targets and hands them to a :class:`~tutela.retention.sweeping.Sweeping` built for
the run, which walks each table by key ranges, resumably and within a time budget, never
writing rows a legal hold protects (RT-3). Holds are placed and lifted here (a lifted
hold that kept data from an erasure request has that data erased, ER-2); customers' scan
policies are set here and the per-scan proofs of what sweeps deleted exported (seed §9).

The service reaches the systems only through a :class:`~tutela.retention.ports.Sweeper`
per system and the store only through :class:`~tutela.retention.ports.RetentionStore`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime

from tutela.errors import ConfigurationError, RequestError, TutelaError
from tutela.ports import Clock
from tutela.programme.identity_values import declared_identities, written_identity
from tutela.programme.models import Programme
from tutela.retention import scan
from tutela.retention.holds import (
    MAX_OWNER,
    MAX_REASON,
    Hold,
    Scope,
    checked_collection,
    checked_identity,
    checked_review,
    checked_scope,
    checked_text,
)
from tutela.retention.ports import EventProof, RetentionStore, ScanPolicy, Sweeper
from tutela.retention.reports import SweepReport, proof_document
from tutela.retention.rules import targets as compile_targets
from tutela.retention.sweeping import MIN_WIDTH, Seal, SubjectKeys, Sweeping
from tutela.retention.targets import Condition

Reference = Callable[[str, str], str]
Erase = Callable[[str, str, str], object]
"""Erase a subject's data (identity type, value, the erasure request it answers)."""

__all__ = ["MIN_WIDTH", "Erase", "Reference", "RetentionService", "Seal", "SubjectKeys"]

log = logging.getLogger(__name__)


class RetentionService:
    """Sweeps, holds, scan policies and proofs of one programme.

    ``sweeper(system)`` opens the system's sweeper (closed at the end of each run);
    ``reference(identity, value)`` is the keyed reference of an identity (``h:`` and
    HMAC-SHA256 hex); ``seal``/``unseal`` keep a held identity under the store key (subject
    holds are refused without them); ``subject_keys(identity, value)`` gives a subject's row
    keys per ``dataset.collection`` (without it a subject hold protects every collection it
    covers, whole). ``budget`` is the seconds a write aims at; ``first_width`` the keys of
    the first range.
    """

    def __init__(
        self,
        programme: Programme,
        store: RetentionStore,
        sweeper: Callable[[str], Sweeper],
        clock: Clock,
        *,
        reference: Reference,
        seal: Seal | None = None,
        unseal: Seal | None = None,
        subject_keys: SubjectKeys | None = None,
        erase: Erase | None = None,
        budget: float = 0.3,
        first_width: int = 10_000,
    ) -> None:
        self.programme = programme
        self.store = store
        self.sweeper = sweeper
        self.clock = clock
        self.reference = reference
        self.seal = seal
        self.unseal = unseal
        self.subject_keys = subject_keys
        self.erase = erase
        self.budget = budget
        self.first_width = first_width

    # --- sweeps --------------------------------------------------------------------------

    def run(
        self, *, dry_run: bool = False, rules: Sequence[str] = (), actor: str = "system"
    ) -> SweepReport:
        """Sweep the rules (all with ``covers``, or those keyed ``rules``) once; the report.

        Resumes the interrupted sweep if there is one (same ``now``). A dry run counts what
        would go and changes and records nothing. An error on one collection is reported
        on its row; the others still run. Raises PolicyError for an unknown rule.
        """
        chosen = compile_targets(self.programme, list(rules) if rules else None)
        sweeping = Sweeping(
            self.programme,
            self.store,
            self.sweeper,
            self._now,
            self.scan_policies,
            subject_keys=self.subject_keys,
            unseal=self.unseal,
            budget=self.budget,
            first_width=self.first_width,
        )
        return sweeping.run(chosen, dry_run=dry_run, actor=actor)

    # --- holds ---------------------------------------------------------------------------

    def place_hold(
        self,
        *,
        scope: str,
        reason: str,
        owner: str,
        review_at: date | None = None,
        identity: tuple[str, str] | None = None,
        customer: str | None = None,
        collection: str | None = None,
        conditions: Sequence[str | Condition] = (),
        actor: str = "system",
    ) -> Hold:
        """Place a legal hold (RT-3), checked against the programme, and ledger it.

        ``collection`` and ``filter`` holds name their collection (never whole tables by
        default); a filter has 1 to 20 conditions (``status=disputed``) on its columns; a
        ``customer`` hold names a DPA register key; a ``subject`` hold an identity
        ``(type, value)`` the programme declares, kept as a keyed reference and sealed.
        Every hold has a review date (RT-3): ``review_at``, or a year after it is placed.
        Raises :class:`RequestError` saying what to fix, ConfigurationError for a subject
        hold without the store key.
        """
        kind = checked_scope(scope)
        address, where = checked_collection(self.programme, kind, collection, conditions)
        placed = self._now()
        review = checked_review(review_at, placed)
        subject, identity_type, sealed = self._hold_subject(kind, identity)
        hold = Hold(
            id=str(uuid.uuid4()),
            scope=kind,
            reason=checked_text(reason, "reason", MAX_REASON),
            owner=checked_text(owner, "owner", MAX_OWNER),
            placed_at=placed,
            review_at=review,
            subject=subject,
            identity=identity_type,
            sealed=sealed,
            customer=self._hold_customer(kind, customer),
            collection=address,
            conditions=where,
        )
        self.store.place_hold(hold, actor)
        return hold

    def lift_hold(self, hold_id: str, *, actor: str, reason: str) -> Hold:
        """Lift an active hold with a reason (ledgered); its sealed identity is purged.

        When the hold kept data from an erasure request, that data is erased now (as the
        subject was told), then the identity is purged; if the erasure fails, the
        retention duty tries again (:meth:`settle_lifted`).
        """
        if not isinstance(hold_id, str) or not 0 < len(hold_id) <= 36:
            raise RequestError("no active hold has that id: see `tutela retention hold list`")
        lifted = self.store.lift_hold(
            hold_id, actor, checked_text(reason, "reason", MAX_REASON), self._now()
        )
        if lifted.erasure_owed:
            try:
                self._settle(self.store_hold(hold_id) or lifted, actor)
            except TutelaError:
                log.warning("hold %s lifted; its erasure failed and is tried again", hold_id)
        return lifted

    def owe_erasure(
        self, identities: Mapping[str, str], request: str, *, actor: str = "system"
    ) -> list[Hold]:
        """Record that erasure ``request`` left data under the subject holds on ``identities``.

        Called when an erasure request completes: once such a hold is lifted, the data it
        kept is erased (the subject's letter says so). The holds concerned.
        """
        held = self.held_for(identities)
        for hold in held:
            self.store.owe_erasure(hold.id, request, actor, self._now())
        return held

    def settle_lifted(self, *, actor: str = "system") -> int:
        """Erase the data lifted holds kept from erasure requests; how many holds were settled."""
        settled = 0
        for hold in self.store.unsettled():
            self._settle(hold, actor)
            settled += 1
        return settled

    def store_hold(self, hold_id: str) -> Hold | None:
        """The hold with ``hold_id``, active or lifted; None when there is none."""
        return next((h for h in self.store.holds(include_lifted=True) if h.id == hold_id), None)

    def _settle(self, hold: Hold, actor: str) -> None:
        """Erase what ``hold`` kept from its erasure request, then purge its identity."""
        if hold.sealed is not None and hold.identity and hold.erasure_owed:
            if self.erase is None or self.unseal is None:
                raise ConfigurationError(
                    f"hold {hold.id} kept data from an erasure request; erasing it after the "
                    "lift needs the store key and the systems' connectors"
                )
            value = self.unseal(hold.sealed).decode()
            self.erase(hold.identity, value, hold.erasure_owed)
        self.store.settle(hold.id, actor, self._now())

    def holds(self, *, include_lifted: bool = False) -> list[Hold]:
        """The active holds (and the lifted ones when asked), oldest first."""
        return self.store.holds(include_lifted=include_lifted)

    def held_for(self, identities: Mapping[str, str]) -> list[Hold]:
        """The active subject holds on any of ``identities`` (for erasure requests, ER-2)."""
        declared = set(declared_identities(self.programme))
        refs = set()
        for name, value in identities.items():
            if name not in declared or not isinstance(value, str):
                continue
            try:
                written = written_identity(self.programme, name, value)
            except RequestError:
                continue
            refs.add(self.reference(name, written))
        return [h for h in self.store.holds() if h.scope == "subject" and h.subject in refs]

    def _hold_subject(
        self, kind: Scope, identity: tuple[str, str] | None
    ) -> tuple[str | None, str | None, bytes | None]:
        checked = checked_identity(self.programme, kind, identity)
        if checked is None:
            return None, None, None
        if self.seal is None:
            raise ConfigurationError(
                "subject holds keep the identity sealed: set TUTELA_STORE_KEY to place one"
            )
        name, written = checked
        return self.reference(name, written), name, self.seal(written.encode())

    def _hold_customer(self, kind: Scope, customer: str | None) -> str | None:
        if kind != "customer":
            if customer is not None:
                raise RequestError("a customer is for customer holds only")
            return None
        if customer is None:
            raise RequestError("a customer hold names a customer of the DPA register")
        return scan.register_customer(self.programme, customer).key

    # --- scan policies and proofs --------------------------------------------------------

    def scan_policies(self) -> list[ScanPolicy]:
        """Each DPA register customer's scan-data choice: stored, register's, or ``keep``."""
        return scan.policies(self.programme, self.store.policies())

    def set_scan_policy(self, customer: str, choice: str, *, actor: str) -> ScanPolicy:
        """Store a customer's choice (one of the rules' ``choices``, or ``keep``); ledgered."""
        key = scan.register_customer(self.programme, customer).key
        policy = ScanPolicy(key, scan.valid_choice(self.programme, choice), "cli", self._now())
        self.store.set_policy(policy, actor)
        return policy

    def proof(self, customer: str) -> list[EventProof]:
        """What the sweeps deleted of the customer's scans, per scan, oldest first (seed §9)."""
        return self.store.proofs(scan.register_customer(self.programme, customer).key)

    def proof_document(self, customer: str, fmt: str = "json") -> str:
        """The customer's proof as ``json`` or ``csv`` text, with its name and DPA reference."""
        found = scan.register_customer(self.programme, customer)
        if fmt not in ("json", "csv"):
            raise RequestError("a proof is exported as json or csv")
        return proof_document(
            found, self.store.proofs(found.key), generated_at=self._now(), fmt=fmt
        )

    def _now(self) -> datetime:
        """The clock's time to the second (every backend keeps seconds: digests stay equal)."""
        return self.clock.now().replace(microsecond=0)
