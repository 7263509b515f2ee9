"""Data-subject requests, the plans that answer them and their results.

Everything here is an immutable value: the planner (:mod:`tutela.rights.planner`)
turns a :class:`~tutela.programme.models.Programme` and a request type into a
:class:`Plan`; the executor (:mod:`tutela.rights.executor`) runs a plan for a
batch of :class:`SubjectRequest` and returns one :class:`RequestResult` each.
Rule ids (AC-1, ER-2, RS-2, PO-1 ...) refer to GDPR.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

from tutela.errors import RequestError
from tutela.rights.strategies.base import MaskKind

RequestType = Literal["access", "erasure", "rectification", "restriction", "portability"]
REQUEST_TYPES: tuple[RequestType, ...] = get_args(RequestType)

RESTRICTION_ALLOWED_PURPOSES: tuple[str, ...] = (
    "storage",
    "consent",
    "legal_claims",
    "protection_of_others",
    "public_interest",
)
"""What a restricted subject's data may still be used for (RS-2, Art. 18(2))."""

_IDENTITY = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9_.\-]*)=(?P<value>.+)$", re.DOTALL)
_CHANGE = re.compile(
    r"^(?P<target>[a-z0-9_\-]+(?:\.[A-Za-z0-9_\-]+){1,2})=(?P<value>.*)$", re.DOTALL
)


def request_type(text: str) -> RequestType:
    """``text`` as a request type; RequestError naming the valid types otherwise."""
    for known in REQUEST_TYPES:
        if text == known:
            return known
    raise RequestError(f"unknown request type {text!r}; use one of {', '.join(REQUEST_TYPES)}")


def parse_identity(text: str) -> tuple[str, str]:
    """Parse ``name=value`` (``email=a@b.c``, ``EMAIL= A@B.C ``): lower-case name, trimmed value.

    RequestError if it is not of that shape. Whether the name is one the
    programme declares is checked when the request is planned; how the value
    is written (case, phone format) is normalised then too (see
    :mod:`tutela.rights.identities`).
    """
    match = _IDENTITY.match(text.strip())
    if not match or not match["value"].strip():
        raise RequestError(f"identity {text!r} is not of the form name=value, e.g. email=a@b.c")
    return match["name"].lower(), match["value"].strip()


def parse_change(text: str) -> tuple[str, str]:
    """Parse ``collection.field=value`` for rectification (RE-1)."""
    match = _CHANGE.match(text.strip())
    if not match:
        raise RequestError(
            f"change {text!r} is not of the form collection.field=value, "
            'e.g. customer.name="New Name"'
        )
    return match["target"], match["value"]


@dataclass(frozen=True)
class SubjectRequest:
    """One data-subject request: its type, the identities given and (RE-1) the changes.

    ``reference`` distinguishes a repeated request of the same subject (a new
    access request a year later) from a rerun of the same one.
    """

    type: RequestType
    identities: tuple[tuple[str, str], ...]
    changes: tuple[tuple[str, str], ...] = ()
    reference: str = ""

    def __post_init__(self) -> None:
        """Reject requests without identities; keep identities and changes sorted."""
        if not self.identities:
            raise RequestError("a request needs at least one identity, e.g. email=a@b.c")
        object.__setattr__(self, "identities", tuple(sorted(set(self.identities))))
        object.__setattr__(self, "changes", tuple(sorted(dict(self.changes).items())))

    def canonical(self) -> str:
        """A stable text form: equal requests give equal text."""
        return json.dumps(
            [self.type, self.identities, self.changes, self.reference], separators=(",", ":")
        )

    def values(self, identity: str) -> tuple[str, ...]:
        """The values this request gives for ``identity``."""
        return tuple(value for name, value in self.identities if name == identity)


def new_batch_id() -> str:
    """A new batch id: every run is a new batch; only an explicit resume reuses one."""
    return uuid.uuid4().hex


def requests_digest(requests: Sequence[SubjectRequest], key: bytes) -> str:
    """A keyed hash of a batch's requests, so a resume can check it got the same input.

    HMAC-SHA256 with the masking key: the store never holds the identities, nor an
    unkeyed hash a list of e-mail addresses could reverse.
    """
    text = "\n".join(sorted({request.canonical() for request in requests}))
    return "h:" + hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


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
    """Why a field is kept despite erasure: a legal-obligation purpose (ER-2, Art. 17(3)(b))."""

    purpose: str
    basis: str
    period: str | None
    criterion: str | None = None


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
    ``carries`` are the fields downstream steps match on.
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
class Forwarding:
    """A processor-role system whose data a request is forwarded for, not answered (PR-2).

    The customer is the controller of that data: tutela tells it promptly and
    does not respond on the merits unless the controller authorises it (SCC
    Module 2 Clause 10(a); GDPR Art. 28(3)(e)).
    """

    system: str
    name: str
    controller: str
    contact: str | None
    collections: tuple[str, ...]


@dataclass(frozen=True)
class Coverage:
    """Where personal data may remain after an erasure; all empty when it reached everything."""

    unreachable: tuple[str, ...] = ()
    undeclared: tuple[str, ...] = ()
    uncategorised: tuple[str, ...] = ()

    def complete(self) -> bool:
        """True when nothing personal may remain outside what the erasure reached."""
        return not (self.unreachable or self.undeclared or self.uncategorised)

    def lines(self) -> list[str]:
        """The gaps for a person, one line per kind; empty when complete."""
        parts = [
            ("not reached by any identity given", self.unreachable),
            ("columns the programme does not declare", self.undeclared),
            ("declared fields without a data category", self.uncategorised),
        ]
        return [f"may remain: {what}: {', '.join(items)}" for what, items in parts if items]


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


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetainedField:
    """A field kept under a legal obligation instead of erased, with its end date (ER-2)."""

    collection: str
    field: str
    categories: tuple[str, ...]
    purpose: str
    basis: str
    until: datetime | None
    criterion: str | None = None
    earliest: datetime | None = None
    counted_from: str | None = None
    """The field each row's retention counts from; None: from the erasure itself."""


@dataclass(frozen=True)
class CollectionResult:
    """What one request got or changed in one collection."""

    collection: str
    system: str
    rows: tuple[dict[str, Any], ...] = ()
    labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    changed: int = 0
    deleted: int = 0
    strategies: dict[str, str] = field(default_factory=dict)
    withheld: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RequestResult:
    """The answer to one request: AC-1 confirmation, data or changes, retained fields."""

    request: SubjectRequest
    batch_id: str
    found: bool
    collections: tuple[CollectionResult, ...]
    retained: tuple[RetainedField, ...] = ()
    restricted_purposes: tuple[str, ...] = ()


@dataclass(frozen=True)
class BatchResult:
    """The answers to a batch of requests of one type.

    ``counts`` are rows per collection that changed (or, for a dry run, would
    change, as counted by the connector). A resume (never a new run) says what
    came from the store: ``resumed_from`` is when the stored resolution was made,
    ``resumed`` the steps found already applied.
    """

    batch_id: str
    type: RequestType
    results: tuple[RequestResult, ...]
    counts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    resumed: tuple[str, ...] = ()
    forwarded: tuple[Forwarding, ...] = ()
    resumed_from: datetime | None = None
    coverage: Coverage = field(default_factory=Coverage)
