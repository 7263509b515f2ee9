"""Legal holds as the erasure engine sees them: data it must keep for legal claims.

Art. 17(3)(e) GDPR: erasure does not apply to data needed to establish, exercise or
defend legal claims. Staff place holds through the retention service
(:mod:`tutela.retention.holds`, a higher layer); the caller gives the engine plain
:class:`LegalHold` values made by :func:`legal_holds`, so rights never imports retention.

How each scope keeps data from an erasure:

- ``collection``: the whole collection; its personal fields are planned ``retain``;
- ``filter``: the rows of one collection matching every test (a test the row's value
  cannot answer, such as NULL, keeps the row);
- ``customer``: the rows whose ``customer_field`` holds the customer's account (a
  ``customer_field`` through a parent collection keeps the whole collection);
- ``subject``: the rows of the requests whose identity the hold names, in every
  collection, or in its ``collection`` only.

Rows held are neither masked nor deleted; the answer lists their fields with the hold's
reason and "until the hold is lifted" (ER-2).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal, Protocol

from tutela.programme.models import Programme
from tutela.rights.requests import SubjectRequest

HOLD_PURPOSE = "legal_hold"
"""The purpose a held field is kept for, as answers name it."""
HOLD_BASIS = "Art. 17(3)(e) GDPR"
"""The exception to erasure a hold applies: legal claims."""
HOLD_END = "the hold is lifted"
"""The end of a hold's retention: no date, a criterion."""
MAX_TESTS = 32
"""The most tests one filter hold may carry."""

Op = Literal["=", "!=", "<", "<=", ">", ">=", "in"]
OPS: tuple[Op, ...] = ("=", "!=", "<", "<=", ">", ">=", "in")
Value = str | int | float | date | datetime | tuple[str | int | float, ...]


@dataclass(frozen=True)
class RowTest:
    """One test on a column of a held collection: ``status = 'disputed'``."""

    column: str
    op: Op
    value: Value


@dataclass(frozen=True)
class LegalHold:
    """One active hold, as plain data (see the module docstring for each scope).

    ``collection`` is a ``dataset.collection`` address; ``customer`` the customer's
    account (the value in its systems). A subject hold is given per request by the
    caller, which alone can tell whose identity it names.
    """

    id: str
    scope: Literal["subject", "customer", "collection", "filter"]
    reason: str
    collection: str | None = None
    tests: tuple[RowTest, ...] = ()
    customer: str | None = None

    def covers(self, address: str) -> bool:
        """True when the hold may keep rows of collection ``address``."""
        return self.collection is None or self.collection == address


@dataclass(frozen=True)
class RowHold:
    """A hold on some rows of one step: those matching ``tests``, or the held requests'.

    ``subject`` holds keep the rows of the requests they were given for; the others keep
    the rows matching every test.
    """

    hold: str
    reason: str
    tests: tuple[RowTest, ...] = ()
    subject: bool = False


class ConditionLike(Protocol):
    """What :func:`legal_holds` reads of a hold's condition."""

    @property
    def column(self) -> str: ...  # noqa: D102

    @property
    def op(self) -> str: ...  # noqa: D102

    @property
    def value(self) -> Any: ...  # noqa: D102


class HoldLike(Protocol):
    """What :func:`legal_holds` reads of a hold: :class:`tutela.retention.holds.Hold` fits."""

    @property
    def id(self) -> str: ...  # noqa: D102

    @property
    def scope(self) -> str: ...  # noqa: D102

    @property
    def reason(self) -> str: ...  # noqa: D102

    @property
    def collection(self) -> str | None: ...  # noqa: D102

    @property
    def customer(self) -> str | None: ...  # noqa: D102

    @property
    def conditions(self) -> tuple[ConditionLike, ...]: ...  # noqa: D102


def legal_holds(
    holds: Iterable[HoldLike], programme: Programme | None = None
) -> tuple[LegalHold, ...]:
    """The engine's form of ``holds`` (e.g. :meth:`RetentionService.holds`), in their order.

    A customer hold names a DPA register key: with ``programme``, it becomes that
    customer's ``account`` (the value its rows hold). A hold whose scope or test operator
    is unknown is skipped rather than guessed at.
    """
    accounts = {c.key: c.account for c in programme.dpa_register if c.account} if programme else {}
    found = []
    for hold in holds:
        tests = tuple(
            RowTest(c.column, c.op, _value(c.value)) for c in hold.conditions if c.op in OPS
        )
        if hold.scope not in ("subject", "customer", "collection", "filter"):
            continue
        if len(tests) != len(hold.conditions) or len(tests) > MAX_TESTS:
            continue
        customer = accounts.get(hold.customer, hold.customer) if hold.customer else None
        scope: Any = hold.scope
        found.append(LegalHold(hold.id, scope, hold.reason, hold.collection, tests, customer))
    return tuple(found)


def _value(value: Any) -> Value:
    if isinstance(value, list):
        return tuple(value)
    return value  # type: ignore[no-any-return]


HoldsNow = Callable[[], Sequence[LegalHold]]
"""The active holds that are not a subject's (collection, filter, customer)."""
SubjectHolds = Callable[[Mapping[str, str]], Sequence[LegalHold]]
"""The active subject holds on the subject known by these identities (name to value)."""


@dataclass(frozen=True)
class Holding:
    """The holds a batch of erasures observes: all of them, and the subject ones per request."""

    held: tuple[LegalHold, ...] = ()
    subjects: Mapping[SubjectRequest, tuple[str, ...]] = field(default_factory=dict)


def holding_for(
    requests: Sequence[SubjectRequest],
    holds: HoldsNow | None,
    subject_holds: SubjectHolds | None,
) -> Holding:
    """Ask for the active holds once, and for each request's subject holds.

    A request giving several values of one identity is asked about each value.
    Every hold is listed once, in id order, so equal sets plan alike.
    """
    found = {h.id: h for h in (holds() if holds else ()) if h.scope != "subject"}
    subjects: dict[SubjectRequest, tuple[str, ...]] = {}
    for request in requests if subject_holds else ():
        assert subject_holds is not None
        mine = {
            h.id: h
            for asked in _identity_sets(request)
            for h in subject_holds(asked)
            if h.scope == "subject"
        }
        found.update(mine)
        if mine:
            subjects[request] = tuple(sorted(mine))
    return Holding(tuple(found[key] for key in sorted(found)), subjects)


def _identity_sets(request: SubjectRequest) -> list[dict[str, str]]:
    names = [name for name, _ in request.identities]
    if len(set(names)) == len(names):
        return [dict(request.identities)]
    return [{name: value} for name, value in request.identities]
