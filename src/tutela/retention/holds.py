"""Legal holds: data that must not be deleted while a claim or an obligation lasts (RT-3).

A hold suspends deletion, by sweeps and by erasure requests (Art. 17(3)(e); 17(3)(b) for
a statutory obligation), for exactly its scope:

- ``subject``: one person's data, found by one identity (kept as a keyed reference, and
  sealed under the store key so that sweeps can find the rows; purged when lifted);
- ``customer``: the data processed for one processor customer (the DPA register's key);
- ``collection``: one whole collection (``dataset.collection``), named explicitly;
- ``filter``: rows of one collection matching conditions on its columns.

Each has an owner, a reason and a review date; placing and lifting are ledgered (the
ledger keeps the hold's id and a digest, never the reason or the identity).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from tutela.errors import RequestError
from tutela.programme.identity_values import declared_identities, written_identity
from tutela.programme.models import Collection, Programme
from tutela.retention.targets import Condition, Exclusion, Target

Scope = Literal["subject", "customer", "collection", "filter"]
SCOPES: tuple[Scope, ...] = ("subject", "customer", "collection", "filter")


@dataclass(frozen=True)
class Hold:
    """One legal hold, active until ``lifted_at``.

    ``subject`` is the keyed reference of the held identity (``identity`` names its
    type, e.g. ``email``); ``sealed`` the identity sealed under the store key (None once
    lifted). ``collection`` is set for collection and filter holds (and may narrow a
    subject or customer hold to one collection). ``erasure_owed`` is the erasure request
    a subject hold kept data from: that data is erased once the hold is lifted.
    """

    id: str
    scope: Scope
    reason: str
    owner: str
    placed_at: datetime
    review_at: date | None = None
    subject: str | None = None
    identity: str | None = None
    sealed: bytes | None = None
    customer: str | None = None
    collection: str | None = None
    conditions: tuple[Condition, ...] = ()
    lifted_at: datetime | None = None
    lifted_by: str | None = None
    lift_reason: str | None = None
    erasure_owed: str | None = None

    @property
    def active(self) -> bool:
        """True until the hold is lifted."""
        return self.lifted_at is None

    def covers(self, address: str) -> bool:
        """True when the hold may protect rows of collection ``address``."""
        return self.collection is None or self.collection == address

    def describe(self) -> str:
        """``subject email``, ``customer acme``, ``collection crm_db.contact``, ``filter ...``."""
        if self.scope == "subject":
            return f"subject ({self.identity})"
        if self.scope == "customer":
            return f"customer {self.customer}"
        if self.scope == "collection":
            return f"collection {self.collection}"
        tests = " and ".join(f"{c.column} {c.op} {c.value!r}" for c in self.conditions)
        return f"filter on {self.collection}: {tests}"


def hold_digest(hold: Hold) -> str:
    """SHA-256 of the hold's canonical JSON: what the ledger keeps of it (no identity)."""
    document = {
        "id": hold.id,
        "scope": hold.scope,
        "reason": hold.reason,
        "owner": hold.owner,
        "placed_at": hold.placed_at.isoformat(),
        "review_at": hold.review_at.isoformat() if hold.review_at else None,
        "subject": hold.subject,
        "customer": hold.customer,
        "collection": hold.collection,
        "conditions": [[c.column, c.op, str(c.value)] for c in hold.conditions],
        "lifted_at": hold.lifted_at.isoformat() if hold.lifted_at else None,
        "lift_reason": hold.lift_reason,
    }
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


# --- holds as staff write them ------------------------------------------------------------

MAX_REASON = 2000
"""The longest reason a hold may give, in characters."""
MAX_CONDITIONS = 20
"""The most conditions a filter hold may have."""
MAX_VALUE = 1000
"""The longest value a condition may compare with, in characters."""
MAX_LIST = 1000
"""The most values an ``in`` condition may list."""
MAX_OWNER = 200
"""The longest owner a hold may name, in characters."""
MAX_IDENTITY = 320
"""The longest identity value a subject hold may give, in characters."""

_OPS = (">=", "<=", "!=", "=", "<", ">")
_COLUMN = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
_IN = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s+in\s+(.*)", re.IGNORECASE | re.DOTALL)


def parse_condition(text: str) -> Condition:
    """The condition written ``column op value``: ``status=disputed``, ``amount >= 100``.

    ``op`` is one of ``= != < <= > >=``, or ``in`` with values separated by commas,
    optionally in parentheses (``status in (open, disputed)``). A value may be quoted
    (``'a, b'``). Values stay text here; :func:`typed_condition` gives them the column's
    type. Raises :class:`RequestError` saying how to write it (never repeating it whole).
    """
    if not isinstance(text, str):
        raise RequestError("a hold condition is text like 'status=disputed'")
    if len(text) > MAX_VALUE * 2:
        raise RequestError(f"a hold condition is at most {MAX_VALUE * 2} characters long")
    found = _IN.fullmatch(text)
    if found:
        column, rest = found.groups()
        return Condition(column, "in", _values(rest))
    for op in _OPS:
        column, sep, value = text.partition(op)
        if sep:
            return Condition(_column(column), op, _value(value))  # type: ignore[arg-type]
    raise RequestError(
        "a hold condition is 'column op value' with op one of = != < <= > >= in, "
        "like 'status=disputed'"
    )


def typed_condition(condition: Condition, declared: str | None) -> Condition:
    """``condition`` with its value(s) of the column's declared type (``integer``, ``date``...).

    Raises :class:`RequestError` naming the column when a value is not of its type.
    """
    if condition.op == "in":
        items = condition.value if isinstance(condition.value, tuple) else (condition.value,)
        if not items or len(items) > MAX_LIST:
            raise RequestError(
                f"hold condition on {condition.column}: 'in' takes 1 to {MAX_LIST} values"
            )
        typed = tuple(_scalar(_typed(item, declared, condition.column)) for item in items)
        return Condition(condition.column, "in", typed)
    return Condition(
        condition.column, condition.op, _typed(condition.value, declared, condition.column)
    )


def _column(text: str) -> str:
    name = text.strip()
    if not _COLUMN.fullmatch(name):
        raise RequestError("a hold condition starts with a column name (letters, digits, _)")
    return name


def _value(text: str) -> str:
    value = text.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    if len(value) > MAX_VALUE:
        raise RequestError(f"a hold condition's value is at most {MAX_VALUE} characters long")
    return value


def _values(text: str) -> tuple[str, ...]:
    body = text.strip()
    if body.startswith("(") and body.endswith(")"):
        body = body[1:-1]
    items = tuple(_value(item) for item in next(csv.reader([body], skipinitialspace=True), []))
    if not items or len(items) > MAX_LIST:
        raise RequestError(f"'in' takes 1 to {MAX_LIST} values separated by commas")
    return items


_INTEGER = ("int", "serial")
_NUMBER = ("decimal", "numeric", "float", "real", "double", "number")


def _typed(value: object, declared: str | None, column: str) -> Any:
    """``value`` as the declared type expects; text stays text for text columns."""
    if isinstance(value, tuple):
        raise RequestError(f"hold condition on {column}: only 'in' compares with several values")
    kind = (declared or "string").lower()
    text = value if isinstance(value, str) else None
    if text is None:
        return value
    try:
        if any(word in kind for word in _INTEGER):
            return int(text)
        if any(word in kind for word in _NUMBER):
            return float(text)
        if "bool" in kind:
            return {"true": 1, "false": 0, "1": 1, "0": 0}[text.lower()]
        if "timestamp" in kind or "datetime" in kind:
            moment = datetime.fromisoformat(text)
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        if "date" in kind:
            return date.fromisoformat(text)
    except (ValueError, KeyError, OverflowError):
        raise RequestError(f"hold condition on {column}: the value is not a {kind} value") from None
    return text


def _scalar(value: Any) -> str | int | float:
    return value.isoformat() if isinstance(value, date) else value  # dates in lists as text


# --- holds in a sweep -----------------------------------------------------------------------


def exclusions(
    holds: Sequence[Hold],
    target: Target,
    accounts: Mapping[str, str | None],
    keys: Callable[[Hold, str], Sequence[object] | None],
) -> tuple[list[Exclusion], list[str]]:
    """What the active ``holds`` protect of ``target``, and notes on what was done coarsely.

    ``accounts`` maps customer keys to their account in the systems; ``keys(hold, address)``
    gives a subject hold's row keys in a collection, or None when they cannot be looked up:
    the whole collection is then protected (never delete what may be held, RT-3). A
    customer hold protects the rows of collections naming their customer; a customer
    without an account protects the whole collection.
    """
    found: list[Exclusion] = []
    notes: list[str] = []
    for hold in holds:
        if not hold.active or not hold.covers(target.address):
            continue
        exclusion, note = _exclusion(hold, target, accounts, keys)
        if exclusion is not None:
            found.append(exclusion)
        if note:
            notes.append(note)
    return found, notes


def _exclusion(
    hold: Hold,
    target: Target,
    accounts: Mapping[str, str | None],
    keys: Callable[[Hold, str], Sequence[object] | None],
) -> tuple[Exclusion | None, str | None]:
    address = target.address
    if hold.scope == "collection":
        return Exclusion(hold.id, whole=True), None
    if hold.scope == "filter":
        return Exclusion(hold.id, conditions=hold.conditions), None
    if hold.scope == "customer":
        if target.customer is None:
            return None, None
        account = accounts.get(hold.customer or "")
        if not account:
            note = f"hold {hold.id}: customer without an account: {address} kept whole"
            return Exclusion(hold.id, whole=True), note
        return Exclusion(hold.id, customer=account), None
    found = keys(hold, address)
    if found is None:
        note = f"hold {hold.id}: the subject's rows cannot be looked up: {address} kept whole"
        return Exclusion(hold.id, whole=True), note
    return (Exclusion(hold.id, keys=tuple(found)), None) if found else (None, None)


# --- holds checked against the programme ----------------------------------------------------


def checked_scope(scope: object) -> Scope:
    """``scope`` if it is one of :data:`SCOPES`; RequestError listing them otherwise."""
    for known in SCOPES:
        if scope == known:
            return known
    raise RequestError(f"a hold's scope is one of: {', '.join(SCOPES)}")


def checked_text(value: object, what: str, longest: int) -> str:
    """``value`` trimmed: text of 1 to ``longest`` characters, or RequestError naming ``what``."""
    if not isinstance(value, str) or not value.strip():
        raise RequestError(f"a hold needs a {what} (text)")
    if len(value) > longest:
        raise RequestError(f"a hold's {what} is at most {longest} characters long")
    return value.strip()


REVIEW_AFTER = timedelta(days=365)
"""When a hold names no review date, it is due for review this long after it was placed."""


def checked_review(value: object, placed: datetime | None = None) -> date | None:
    """The hold's review date (RT-3: every hold has one): ``value``, or a year on.

    RequestError when ``value`` is not a date or is before the day the hold is placed.
    Without ``placed`` a missing date stays None (holds read back from older rows).
    """
    if value is None:
        return None if placed is None else (placed + REVIEW_AFTER).date()
    if isinstance(value, datetime) or not isinstance(value, date):
        raise RequestError("a hold's review date is a date (YYYY-MM-DD)")
    if placed is not None and value < placed.date():
        raise RequestError(
            "a hold's review date is in the past: give a date from today on (YYYY-MM-DD)"
        )
    return value


def checked_collection(
    programme: Programme, scope: Scope, collection: object, conditions: object
) -> tuple[str | None, tuple[Condition, ...]]:
    """The hold's collection address and typed conditions, checked against the programme.

    Collection and filter holds name their collection: never whole tables by default
    (RT-3); a filter has 1 to :data:`MAX_CONDITIONS` conditions on its columns; other
    scopes have none. RequestError says what to fix.
    """
    if collection is None and scope in ("collection", "filter"):
        raise RequestError(
            f"a {scope} hold names its collection as dataset.collection: "
            "holds never cover whole tables by default (RT-3)"
        )
    found = None if collection is None else programme_collection(programme, collection)
    address = None if collection is None else str(collection)
    if scope != "filter":
        if conditions:
            raise RequestError("conditions are for filter holds only")
        return address, ()
    if not isinstance(conditions, list | tuple) or not 0 < len(conditions) <= MAX_CONDITIONS:
        raise RequestError(f"a filter hold has 1 to {MAX_CONDITIONS} conditions")
    assert found is not None
    return address, tuple(_checked_condition(found, item) for item in conditions)


def programme_collection(programme: Programme, address: object) -> Collection:
    """The collection at ``dataset.collection``; RequestError when the programme has none."""
    if isinstance(address, str):
        dataset, _, name = address.partition(".")
        for _, declared in programme.datasets():
            if declared.key == dataset:
                for collection in declared.collections:
                    if collection.name == name:
                        return collection
    raise RequestError(
        "no such collection in the programme: name it as dataset.collection "
        "(see the systems' datasets)"
    )


def checked_identity(
    programme: Programme, scope: Scope, identity: object
) -> tuple[str, str] | None:
    """A subject hold's identity as ``(type, value written as the programme compares it)``.

    None for other scopes (which must give no identity). RequestError for an identity
    type the programme does not declare, or an empty or too long value.
    """
    if scope != "subject":
        if identity is not None:
            raise RequestError("an identity is for subject holds only")
        return None
    if not isinstance(identity, tuple) or len(identity) != 2:
        raise RequestError("a subject hold names an identity as (type, value)")
    name, value = identity
    declared = declared_identities(programme)
    if not isinstance(name, str) or name not in declared:
        raise RequestError(f"a subject hold's identity is one of: {', '.join(declared)}")
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_IDENTITY:
        raise RequestError(f"identity {name}: give a value of 1 to {MAX_IDENTITY} characters")
    return name, written_identity(programme, name, value)


def _checked_condition(collection: Collection, item: object) -> Condition:
    condition = parse_condition(item) if isinstance(item, str) else item
    if not isinstance(condition, Condition):
        raise RequestError("a hold condition is text like 'status=disputed'")
    declared = next((f for f in collection.fields if f.name == condition.column), None)
    if declared is None:
        names = ", ".join(f.name for f in collection.fields)
        raise RequestError(
            f"collection {collection.name} has no column {condition.column[:60]!r}; it has: {names}"
        )
    return typed_condition(condition, declared.type)
