"""The statements of a retention sweep over one key range, built from a Target (RT-2, RT-3).

:class:`SweepTables` holds a target's reflected tables (the swept table, the parents
its event or customer is read on, its archive) and turns the target's pure data
(:mod:`tutela.retention.targets`) into SQLAlchemy Core expressions:

- :meth:`SweepTables.ended`: the row's retention ended (its time, or its parent's, is
  before the bound; per customer, an ``OR`` over the customers' own bounds);
- :meth:`SweepTables.held`: some legal hold protects the row;
- :meth:`SweepTables.writable`: ``ended AND NOT held`` (a NULL hold test keeps the row);
- :meth:`SweepTables.differs`: some masked field still differs from its masked value.

Every predicate is AND-ed with the key range ``lo <= key < hi``, so the database reaches
the rows through the primary key. A test on a parent is ``via IN (SELECT parent_key
FROM parent WHERE ...)``: another table, which MariaDB accepts in a DELETE or UPDATE.
Values are always bound with the reflected column's type; identifiers are quoted by
SQLAlchemy. Mistakes the programme or a hold can fix are :class:`ConnectorError`
naming the table and column, never the value (it may be personal data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from tutela.connectors.lookups import coerce_keys
from tutela.errors import ConnectorError
from tutela.retention.targets import Bound, Column, Condition, Exclusion, Target, date_bound

Predicate = ColumnElement[bool]
_KEYS_PER_LIST = 1000
"""Keys per ``IN`` list of a subject hold (lists are OR-ed, one statement)."""
_LARGEST_INTEGER = 2**63
_OPERATORS: dict[str, Callable[[Any, Any], Predicate]] = {
    "=": lambda column, value: column == value,
    "!=": lambda column, value: column != value,
    "<": lambda column, value: column < value,
    "<=": lambda column, value: column <= value,
    ">": lambda column, value: column > value,
    ">=": lambda column, value: column >= value,
}


@dataclass(frozen=True)
class SweepTables:
    """The reflected tables of one target on one database, and its predicates.

    ``parents`` are keyed by table name; ``archive`` is set for an archiving target.
    ``dialect`` is SQLAlchemy's name (``sqlite``, ``postgresql``, ``mysql``, ``mariadb``).
    """

    target: Target
    table: sa.Table
    parents: dict[str, sa.Table]
    archive: sa.Table | None
    dialect: str
    system: str
    by_time: bool = False

    # --- columns ----------------------------------------------------------------------------

    @property
    def key(self) -> sa.Column[Any]:
        """The swept table's key column."""
        return self.column(self.table, self.target.key)

    def column(self, table: sa.Table, name: str) -> sa.Column[Any]:
        """``table.name``, or a :class:`ConnectorError` naming both."""
        if not isinstance(name, str) or name not in table.c:
            raise ConnectorError(
                f"collection {table.name!r} has no column {name!r} "
                f"(retention rule {self.target.rule!r})",
                system=self.system,
            )
        return table.c[name]

    @property
    def chunk(self) -> sa.Column[Any]:
        """The column ranges run along: the time column when ``by_time``, else the key."""
        if self.by_time:
            return self.column(self.table, self.target.time.name)
        return self.key

    def in_range(self, lo: Any, hi: Any, bound: Bound | None = None) -> Predicate:
        """``lo <= chunk < hi`` (either end open when None): what bounds every statement.

        Along the time column the open end stops at the bound's latest cutoff: no row
        after it can have ended, so no statement reads them.
        """
        chunk = self.chunk
        tests = [chunk >= lo] if lo is not None else []
        tests += [chunk < hi] if hi is not None else []
        latest = self.latest(bound) if self.by_time and hi is None else None
        tests += [chunk < self._time_value(chunk, latest)] if latest is not None else []
        return sa.and_(sa.true(), *tests)

    def latest(self, bound: Bound | None) -> datetime | None:
        """The latest cutoff of ``bound`` (its one cutoff, or the latest customer's)."""
        if bound is None:
            return None
        found = [before for _, before in bound.customers]
        found += [bound.before] if bound.before is not None else []
        return max(found) if found else None

    def time_bound(self, moment: datetime) -> Any:
        """``moment`` as the time column compares (for a range end along it)."""
        return self._time_value(self.chunk, moment)

    # --- ended --------------------------------------------------------------------------------

    def ended(self, bound: Bound) -> Predicate:
        """Rows whose retention ended at ``bound``; NULL times never end."""
        target = self.target
        if not target.per_customer:
            before = bound.before
            if before is None:
                return sa.false()
            return self._on([target.time], lambda cols: cols[0] < self._time_value(cols[0], before))
        if target.customer is None:
            raise ConnectorError(
                f"retention rule {target.rule!r} counts per customer but collection "
                f"{target.address!r} has no customer field",
                system=self.system,
            )
        customer = target.customer
        return sa.or_(
            sa.false(), *(self._customer_ended(customer, a, c) for a, c in bound.customers)
        )

    def _customer_ended(self, customer: Column, account: str, before: datetime) -> Predicate:
        time = self.target.time
        if _place(customer) == _place(time):
            return self._on(
                [customer, time],
                lambda cols: sa.and_(
                    _equals(cols[0], account), cols[1] < self._time_value(cols[1], before)
                ),
            )
        return sa.and_(
            self._on([customer], lambda cols: _equals(cols[0], account)),
            self._on([time], lambda cols: cols[0] < self._time_value(cols[0], before)),
        )

    def _time_value(self, column: sa.Column[Any], bound: datetime) -> date | datetime:
        """``bound`` as ``column`` compares: a date, naive UTC, or aware (timestamptz)."""
        aware = bound if bound.tzinfo else bound.replace(tzinfo=UTC)
        kind = column.type
        if isinstance(kind, sa.DateTime):
            if getattr(kind, "timezone", False) and self.dialect == "postgresql":
                return aware.astimezone(UTC)
            return aware.astimezone(UTC).replace(tzinfo=None)
        if isinstance(kind, sa.Date):
            return date_bound(aware)
        raise ConnectorError(
            f"collection {column.table.name!r}: column {column.name!r} holds "
            f"{type(kind).__name__.lower()}, not a date or time; retention rule "
            f"{self.target.rule!r} cannot count a period from it",
            system=self.system,
        )

    def _on(
        self, columns: Sequence[Column], build: Callable[[list[sa.Column[Any]]], Predicate]
    ) -> Predicate:
        """``build`` over ``columns`` (all in one place): on the table, or through a parent."""
        first = columns[0]
        if not first.through_parent:
            return build([self.column(self.table, c.name) for c in columns])
        parent = self._parent(first)
        inner = sa.select(self.column(parent, str(first.parent_key))).where(
            build([self.column(parent, c.name) for c in columns])
        )
        return self.column(self.table, str(first.via)).in_(inner)

    def _parent(self, column: Column) -> sa.Table:
        if column.via is None or column.parent_key is None or column.parent not in self.parents:
            raise ConnectorError(
                f"retention rule {self.target.rule!r}: {column.describe()} needs the parent "
                "table, the referencing column and the parent's key",
                system=self.system,
            )
        return self.parents[column.parent]

    # --- held ---------------------------------------------------------------------------------

    def held(self, exclusions: Sequence[Exclusion]) -> Predicate:
        """Rows some hold protects (ended or not; the caller ANDs with ended)."""
        return sa.or_(sa.false(), *(self._held_by(exclusion) for exclusion in exclusions))

    def writable(self, bound: Bound, exclusions: Sequence[Exclusion]) -> Predicate:
        """Ended rows no hold protects: only a TRUE ``NOT held`` lets a row be written."""
        held = self.held(exclusions)
        return sa.and_(self.ended(bound), sa.not_(held))

    def _held_by(self, exclusion: Exclusion) -> Predicate:
        if exclusion.whole:
            return sa.true()
        if exclusion.customer is not None:
            return self._held_customer(exclusion)
        if exclusion.conditions:
            return sa.and_(*(self._condition(exclusion.hold, c) for c in exclusion.conditions))
        if exclusion.keys:
            return self._held_keys(exclusion.keys)
        raise ConnectorError(
            f"hold {exclusion.hold!r} names no rows of collection {self.target.address!r} "
            "(no collection, customer, filter or keys)",
            system=self.system,
        )

    def _held_customer(self, exclusion: Exclusion) -> Predicate:
        customer = self.target.customer
        if customer is None:
            raise ConnectorError(
                f"hold {exclusion.hold!r} is on a customer but collection "
                f"{self.target.address!r} has no customer field",
                system=self.system,
            )
        account = str(exclusion.customer)
        return self._on([customer], lambda cols: _equals(cols[0], account))

    def _held_keys(self, keys: Sequence[object]) -> Predicate:
        key = self.key
        usable = coerce_keys(key, list(keys))
        if not usable:
            return sa.false()
        parts = [usable[i : i + _KEYS_PER_LIST] for i in range(0, len(usable), _KEYS_PER_LIST)]
        return sa.or_(*(key.in_(part) for part in parts))

    def _condition(self, hold: str, condition: Condition) -> Predicate:
        column = self.column(self.table, condition.column)
        if condition.op == "in":
            values = condition.value
            if not isinstance(values, tuple | list):
                raise self._bad_value(hold, column, "a list of values")
            return column.in_([self._value(hold, column, value) for value in values])
        compare = _OPERATORS.get(str(condition.op))
        if compare is None:
            known = " ".join([*_OPERATORS, "in"])
            raise ConnectorError(
                f"hold {hold!r}: unknown operator on column {column.name!r} (known: {known})",
                system=self.system,
            )
        return compare(column, self._value(hold, column, condition.value))

    def _value(self, hold: str, column: sa.Column[Any], value: object) -> object:
        try:
            return coerce_value(column, value, dialect=self.dialect)
        except (TypeError, ValueError, InvalidOperation):
            kind = type(column.type).__name__.lower()
            raise self._bad_value(hold, column, f"a value of its type ({kind})") from None

    def _bad_value(self, hold: str, column: sa.Column[Any], expected: str) -> ConnectorError:
        return ConnectorError(
            f"hold {hold!r}: the value tested on column {column.name!r} of collection "
            f"{self.table.name!r} must be {expected}",
            system=self.system,
        )

    # --- anonymise and archive ----------------------------------------------------------------

    def masked_values(self) -> dict[str, object]:
        """Each masked column's new value, coerced to its type (NULL stays None)."""
        if not self.target.masked:
            raise ConnectorError(
                f"retention rule {self.target.rule!r} anonymises no field of "
                f"{self.target.address!r}",
                system=self.system,
            )
        values: dict[str, object] = {}
        for masked in self.target.masked:
            column = self.column(self.table, masked.name)
            values[column.name] = None if masked.value is None else self._mask(column, masked.value)
        return values

    def _mask(self, column: sa.Column[Any], value: str) -> object:
        try:
            return coerce_value(column, value, dialect=self.dialect)
        except (TypeError, ValueError, InvalidOperation):
            raise ConnectorError(
                f"retention rule {self.target.rule!r}: the masked value of column "
                f"{column.name!r} of collection {self.table.name!r} is not a value of its type",
                system=self.system,
            ) from None

    def differs(self) -> Predicate:
        """True for rows the write changes: every row, or (anonymise) an unmasked one."""
        if self.target.action != "anonymise":
            return sa.true()
        tests = [
            self.table.c[name].is_not(None)
            if value is None
            else sa.or_(self.table.c[name].is_(None), self.table.c[name] != value)
            for name, value in self.masked_values().items()
        ]
        return sa.or_(*tests)

    def archive_columns(self) -> list[str]:
        """The columns an archive copies (the declared ones, else all), key included."""
        archive = self.archive
        if archive is None:
            raise ConnectorError(
                f"retention rule {self.target.rule!r} archives {self.target.address!r} "
                "but names no archive collection",
                system=self.system,
            )
        names = list(self.target.columns) or [column.name for column in self.table.c]
        if self.target.key not in names:
            names.insert(0, self.target.key)
        for name in names:
            self.column(self.table, name)
            self.column(archive, name)
        return list(dict.fromkeys(names))


def coerce_value(column: sa.Column[Any], value: object, *, dialect: str) -> object:
    """``value`` as a value of ``column``; ValueError or TypeError when it cannot be one."""
    kind = column.type
    if isinstance(value, bool) and not isinstance(kind, sa.Boolean):
        raise TypeError("a boolean is not a value of this column")
    if isinstance(kind, sa.Integer):
        number = int(value.strip()) if isinstance(value, str) else _exact_int(value)
        if abs(number) >= _LARGEST_INTEGER:
            raise ValueError("integer out of range")
        return number
    if isinstance(kind, sa.Float):
        return float(value) if isinstance(value, int | float | str | Decimal) else _fail()
    if isinstance(kind, sa.Numeric):
        return Decimal(str(value)) if isinstance(value, int | float | str | Decimal) else _fail()
    if isinstance(kind, sa.DateTime):
        return _datetime_value(kind, value, dialect)
    if isinstance(kind, sa.Date):
        return _date_value(value)
    if isinstance(kind, sa.String):
        return value if isinstance(value, str) else str(value) if _plain(value) else _fail()
    return value


def _datetime_value(kind: sa.DateTime, value: object, dialect: str) -> datetime:
    moment = _as_datetime(value)
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if getattr(kind, "timezone", False) and dialect == "postgresql":
        return aware.astimezone(UTC)
    return aware.astimezone(UTC).replace(tzinfo=None)


def _as_datetime(value: object) -> datetime:
    if isinstance(value, str):
        return datetime.fromisoformat(value.strip())
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    raise TypeError("not a date or time")


def _date_value(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value.strip())
    raise TypeError("not a date")


def _exact_int(value: object) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, float | Decimal) and value == int(value):
        return int(value)
    raise TypeError("not an integer")


def _plain(value: object) -> bool:
    return isinstance(value, int | float | Decimal)


def _fail() -> Any:
    raise TypeError("not a value of this column")


def _equals(column: sa.Column[Any], account: str) -> Predicate:
    """``column = account``, the account coerced to the column; FALSE when it cannot be."""
    usable = coerce_keys(column, [account])
    return column == usable[0] if usable else sa.false()


def _place(column: Column) -> tuple[str | None, str | None, str | None]:
    return (column.parent, column.via, column.parent_key)
