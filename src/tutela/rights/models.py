"""Data-subject requests, the plans that answer them and their results.

Everything here is an immutable value: the planner (:mod:`tutela.rights.planner`)
turns a :class:`~tutela.programme.models.Programme` and a request type into a
:class:`Plan`; the executor (:mod:`tutela.rights.executor`) runs a plan for a
batch of :class:`SubjectRequest` and returns one :class:`RequestResult` each.
The plans are defined here; the requests (:mod:`tutela.rights.requests`) and the
results (:mod:`tutela.rights.outcomes`) are re-exported, so every type of a
request's life is importable from this one module.
Rule ids (AC-1, ER-2, RS-2, PO-1 ...) refer to GDPR.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tutela.rights.holds import RowHold
from tutela.rights.outcomes import BatchResult as BatchResult
from tutela.rights.outcomes import CollectionResult as CollectionResult
from tutela.rights.outcomes import Coverage as Coverage
from tutela.rights.outcomes import Forwarding as Forwarding
from tutela.rights.outcomes import RequestResult as RequestResult
from tutela.rights.outcomes import RetainedField as RetainedField
from tutela.rights.requests import REQUEST_TYPES as REQUEST_TYPES
from tutela.rights.requests import RESTRICTION_ALLOWED_PURPOSES as RESTRICTION_ALLOWED_PURPOSES
from tutela.rights.requests import RequestType as RequestType
from tutela.rights.requests import SubjectRequest as SubjectRequest
from tutela.rights.requests import new_batch_id as new_batch_id
from tutela.rights.requests import parse_change as parse_change
from tutela.rights.requests import parse_identity as parse_identity
from tutela.rights.requests import request_type as request_type
from tutela.rights.requests import requests_digest as requests_digest
from tutela.rights.strategies.base import MaskKind

# --- plans ----------------------------------------------------------------------------------

Action = Literal["read", "mask", "retain", "rectify", "flag", "key", "withhold"]


@dataclass(frozen=True)
class Normalisation:
    """How an identity's values are written before they are compared (ID-3, Art. 12(2)).

    ``kind`` ``email``: trimmed and lower-cased; ``phone``: E.164, numbers
    written without ``+`` read in ``region``; ``exact``: trimmed, lower-cased
    if ``lower``. ``lower`` also means the column is compared lower-cased.
    """

    kind: Literal["email", "phone", "exact"] = "exact"
    lower: bool = False
    region: str | None = None

    def describe(self) -> str:
        """`` (any case)``, `` (E.164)`` or nothing: how a plan shows it."""
        if self.kind == "phone":
            return " (E.164)"
        return " (any case)" if self.lower else ""


@dataclass(frozen=True)
class Selector:
    """How a step finds rows: ``field`` in the values of an identity or an upstream field.

    ``normalisation`` says how the identity's values are written and whether
    ``field`` is compared lower-cased (the connector is asked with
    :class:`tutela.ports.IgnoreCase`).
    """

    field: str
    identity: str | None = None
    upstream: str | None = None
    upstream_field: str | None = None
    column_type: str = "string"
    normalisation: Normalisation = Normalisation()

    @property
    def ignores_case(self) -> bool:
        """Whether the field is compared lower-cased (an identity declared so)."""
        return bool(self.identity) and self.normalisation.lower

    def describe(self) -> str:
        """``email ← identity email (any case)`` or ``customer_id ← shop.customer.id``."""
        source = (
            f"identity {self.identity}{self.normalisation.describe()}"
            if self.identity
            else f"{self.upstream}.{self.upstream_field}"
        )
        return f"{self.field} ← {source}"


@dataclass(frozen=True)
class Retention:
    """Why a field is kept despite erasure: a legal-obligation purpose (ER-2, Art. 17(3)(b)).

    Or a legal hold (Art. 17(3)(e)): ``hold`` is its id and ``reason`` the reason given
    to the subject; it has no period (kept until the hold is lifted).
    """

    purpose: str
    basis: str
    period: str | None
    criterion: str | None = None
    hold: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class FieldPlan:
    """What a step does to one field: read it, mask it with a strategy, keep it, ...

    A masked field carries its hash domain (``masking_domain``) and, for an integer
    column whose size is known, its value bits (``integer_bits``: 63 for BIGINT).
    ``sql_type`` is the column's type as the catalog (else the programme) writes
    it, with its size (``numeric(10, 2)``): it bounds rectified values (RE-1).
    ``reason`` says why an erasure keeps a personal field as it is (``primary key``,
    ``key: used by reference ...``).
    """

    name: str
    action: Action
    categories: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    strategy: str | None = None
    mask_kind: MaskKind | None = None
    masking_value: str | None = None
    column_type: str = "string"
    length: int | None = None
    retention: Retention | None = None
    masking_domain: str | None = None
    integer_bits: int | None = None
    sql_type: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Step:
    """Everything the executor does to one collection for one request type.

    ``address`` is ``dataset.collection``; ``collection`` is the name the
    connector knows. ``key`` is the primary key (None if undeclared);
    ``carries`` are the fields downstream steps match on. ``held`` are the legal holds
    that may keep some of its rows from an erasure (:mod:`tutela.rights.holds`), and
    ``held_fields`` the personal fields such a row keeps.
    """

    address: str
    system: str
    collection: str
    selectors: tuple[Selector, ...]
    key: str | None
    carries: tuple[str, ...]
    fields: tuple[FieldPlan, ...]
    delete_rows: bool = False
    restriction_flag: str | None = None
    retention_from: str | None = None
    held: tuple[RowHold, ...] = ()
    held_fields: tuple[FieldPlan, ...] = ()

    def retains(self) -> bool:
        """True if a field of this step is kept under a legal obligation (ER-2)."""
        return any(f.action == "retain" for f in self.fields)

    def read_columns(self) -> tuple[str, ...]:
        """Columns the resolve fetch reads: match fields, carried keys, read fields.

        Plus the values masked row by row, and the key when rows are written one
        by one or merged by it; nothing a set-based write by the match field needs.
        """
        by_row = any(
            f.action == "rectify" or (f.action == "mask" and _per_row(f)) for f in self.fields
        )
        names = [self.key] if self.key and (by_row or self.match_field() == self.key) else []
        names += [selector.field for selector in self.selectors]
        names += list(self.carries)
        names += [f.name for f in self.fields if f.action in ("read", "key")]
        names += [f.name for f in self.fields if f.action == "mask" and _per_row(f)]
        if self.retention_from and self.retains():  # rows past retention are erased one by one
            names = [*([self.key] if self.key else []), *names, self.retention_from]
            names += [f.name for f in self.fields if f.action == "retain"]
        if self.held:  # held rows are told apart by their key and the holds' tests
            names = [*([self.key] if self.key else []), *names]
            names += [test.column for hold in self.held for test in hold.tests]
        return tuple(dict.fromkeys(names))

    def match_field(self) -> str | None:
        """The field the act phase selects this step's rows by.

        The one field its rows were found through (an identity or one
        reference), as hand-written SQL would write it; the primary key when
        several paths found them; None without key (then one statement per
        selecting field).
        """
        fields = list(dict.fromkeys(selector.field for selector in self.selectors))
        if len(fields) == 1:
            return fields[0]
        return self.key

    def changes_data(self) -> bool:
        """True if the step writes to the system (masking, deleting, rectifying, flagging)."""
        writes = {"mask", "rectify"}
        return (
            self.delete_rows
            or any(f.action in writes for f in self.fields)
            or bool(self.restriction_flag)
        )


def _per_row(field_plan: FieldPlan) -> bool:
    return field_plan.mask_kind == "per_row"


@dataclass(frozen=True)
class Plan:
    """The steps answering one request type, in execution order.

    ``resolve_order`` puts key-producing steps before consumers;
    ``act_order`` runs destructive steps children-first. ``notes`` say what the
    programme leaves out that a reader would expect (``no retention declared``).
    """

    type: RequestType
    identities: tuple[str, ...]
    steps: tuple[Step, ...]
    act_order: tuple[str, ...]
    unreachable: tuple[str, ...] = ()
    forwarded: tuple[Forwarding, ...] = ()
    notes: tuple[str, ...] = ()
    coverage: Coverage = field(default_factory=Coverage)

    def step(self, address: str) -> Step:
        """The step for collection ``address``; KeyError if unreachable."""
        for step in self.steps:
            if step.address == address:
                return step
        raise KeyError(address)
