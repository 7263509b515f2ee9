"""The results of data-subject requests: what each got, changed or kept.

Everything here is an immutable value: the executor (:mod:`tutela.rights.executor`)
returns a :class:`BatchResult` holding one :class:`RequestResult` per request;
the answers (:mod:`tutela.rights.answers`, :mod:`tutela.rights.export`) word it.
A plan (:class:`tutela.rights.models.Plan`) carries the :class:`Forwarding` and
:class:`Coverage` its results report. Re-exported by :mod:`tutela.rights.models`.
Rule ids (AC-1, ER-2, PR-2 ...) refer to GDPR.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tutela.rights.requests import RequestType, SubjectRequest


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
    hold: str | None = None
    """The legal hold keeping the field (Art. 17(3)(e)); None: a legal obligation."""
    reason: str | None = None
    """The hold's reason, as the subject is told it."""


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
    held: int = 0
    """Rows a legal hold kept from an erasure (not counted in ``changed``/``deleted``)."""


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
