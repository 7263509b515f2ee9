"""Data-subject requests, the plans that answer them and their results.

Everything here is an immutable value: the planner (:mod:`tutela.rights.planner`)
turns a :class:`~tutela.programme.models.Programme` and a request type into a
:class:`Plan`; the executor (:mod:`tutela.rights.executor`) runs a plan for a
batch of :class:`SubjectRequest` and returns one :class:`RequestResult` each.
Rule ids (AC-1, ER-2, RS-2, PO-1 ...) refer to GDPR.md.
"""

from __future__ import annotations

import hashlib
import json
import re
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

_IDENTITY = re.compile(r"^(?P<name>[a-z0-9][a-z0-9_.\-]*)=(?P<value>.+)$", re.DOTALL)
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
    """Parse ``name=value`` (``email=a@b.c``); RequestError if it is not of that shape."""
    match = _IDENTITY.match(text.strip())
    if not match or not match["value"].strip():
        raise RequestError(f"identity {text!r} is not of the form name=value, e.g. email=a@b.c")
    return match["name"], match["value"].strip()


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


def batch_id(kind: RequestType, requests: list[SubjectRequest]) -> str:
    """The id of a batch: a hash of the type and the sorted requests (same input, same id)."""
    text = kind + "\n" + "\n".join(sorted({request.canonical() for request in requests}))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# --- plans ----------------------------------------------------------------------------------

Action = Literal["read", "mask", "retain", "rectify", "flag", "key"]


@dataclass(frozen=True)
class Selector:
    """How a step finds rows: ``field`` in the values of an identity or an upstream field."""

    field: str
    identity: str | None = None
    upstream: str | None = None
    upstream_field: str | None = None
    column_type: str = "string"

    def describe(self) -> str:
        """``email ← identity email`` or ``customer_id ← shop.customer.id``."""
        source = (
            f"identity {self.identity}"
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
    """What a step does to one field: read it, mask it with a strategy, keep it, ..."""

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
class Plan:
    """The steps answering one request type, in execution order.

    ``resolve_order`` puts key-producing steps before consumers;
    ``act_order`` runs destructive steps children-first.
    """

    type: RequestType
    identities: tuple[str, ...]
    steps: tuple[Step, ...]
    act_order: tuple[str, ...]
    unreachable: tuple[str, ...] = ()
    forwarded: tuple[Forwarding, ...] = ()

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
    change, as counted by the connector); ``resumed`` lists the steps a rerun
    took from checkpoints instead of running again.
    """

    batch_id: str
    type: RequestType
    results: tuple[RequestResult, ...]
    counts: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    resumed: tuple[str, ...] = ()
    forwarded: tuple[Forwarding, ...] = ()
