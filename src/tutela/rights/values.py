"""Rectified values, checked against their column before anything is written (RE-1).

Pure: a value a subject gives (text) becomes the column's Python value, or a
:class:`ValueProblem` saying what is wrong in words they can act on. The bounds
come from the column's type as the system's catalog writes it
(:attr:`FieldPlan.sql_type`, else the programme's ``type``), so a value the
check accepts is one every supported database stores as given:

- integers: digits only, within the column's size (``smallint`` 16 bits,
  ``integer``/``int`` 32 bits, ``bigint`` 64 bits, ``tinyint`` 8, ``mediumint`` 24;
  ``unsigned`` from 0);
- decimals: finite (no ``NaN``, no ``Infinity``), within the column's precision
  and scale (``numeric(10, 2)``: 8 digits before the point, 2 after); without a
  declared precision at most 38 digits each side; floating point within its range
  (``real`` and ``float`` single precision);
- dates and date-times: ISO 8601 (``2024-05-31``, ``2024-05-31T14:30:00``), years
  1900 to 9999 (a MariaDB ``timestamp`` holds 1970 to 2038); a UTC offset only
  where the column keeps one (``timestamp with time zone``);
- booleans: ``true`` or ``false`` (also for MariaDB's ``tinyint``, its BOOLEAN);
- text: no NUL character, valid Unicode, within the column's length (characters;
  bytes for MariaDB's ``tinytext``/``text``/``mediumtext``).

Columns of other types (uuid, json, inet, bytea, enum...) cannot be checked, so
they are refused. :func:`check_changes` checks every change of every request of
a batch and raises one :class:`~tutela.errors.RequestError` naming each bad
value's request number and ``collection.field``; huge values are never echoed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tutela.errors import RequestError
from tutela.rights.models import FieldPlan, Plan, Step, SubjectRequest

MIN_YEAR = 1900
"""The earliest year a rectified date may have (documented in docs/dsr.md)."""

UNBOUNDED_DIGITS = 38
"""Digits allowed before and after the point in a decimal column without a precision."""

SHOWN = 40
"""Values up to this many characters are quoted in messages; longer ones are not."""

MAX_PROBLEMS = 10
"""At most this many bad values are listed in one error."""

_INTEGER_BITS = {
    "tinyint": 8,
    "smallint": 16,
    "int2": 16,
    "smallserial": 16,
    "mediumint": 24,
    "int": 32,
    "integer": 32,
    "int4": 32,
    "serial": 32,
    "serial4": 32,
    "bigint": 64,
    "int8": 64,
    "bigserial": 64,
    "serial8": 64,
}
_DECIMALS = ("numeric", "decimal", "dec", "number")
_FLOATS = {"real": 3.4028234e38, "float4": 3.4028234e38, "float": 3.4028234e38}
_DOUBLES = ("double", "float8", "double precision")
_DOUBLE_MAX = 1.7976931348623157e308
_TEXTS: tuple[str, ...] = ("char", "varchar", "character", "nchar", "nvarchar", "text")
_TEXTS += ("longtext", "clob", "string", "citext")
_BYTE_LIMITS = {"tinytext": 255, "text": 65_535, "mediumtext": 16_777_215}
_DIGITS = re.compile(r"^[+-]?\d{1,20}$")
_SIZE = re.compile(r"\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)")
_TIMESTAMP_MIN = datetime(1970, 1, 1, 0, 0, 1)
_TIMESTAMP_MAX = datetime(2038, 1, 19, 3, 14, 7)


class ValueProblem(ValueError):
    """What is wrong with a rectified value, in words the subject can act on."""


def rectified_value(text: str, plan: FieldPlan) -> Any:
    """``text`` as the value of the column ``plan`` describes; ValueProblem if it does not fit."""
    sql_type = (plan.sql_type or "").strip().lower()
    base = _base(sql_type)
    kind = plan.column_type
    if kind == "integer":
        return _integer(text, sql_type, base)
    if kind == "numeric":
        return _numeric(text, sql_type, base)
    if kind == "date":
        return _date(text)
    if kind == "datetime":
        return _datetime(text, sql_type)
    if kind == "boolean":
        return _boolean(text)
    return _text(text, sql_type, base, plan.length)


def check_changes(plan: Plan, requests: Sequence[SubjectRequest], *, first: int = 1) -> None:
    """Check every change of every request against its column, before any write (RE-1).

    Requests are numbered from ``first`` in the order given. RequestError lists
    each bad value (at most :data:`MAX_PROBLEMS`) as ``request N: collection.field:
    problem``; a change whose field the plan does not rectify is named too.
    """
    targets = rectify_targets(plan)
    problems: list[str] = []
    for number, request in enumerate(requests, first):
        for target, text in request.changes:
            problem = _problem(targets, target, text)
            if problem is not None:
                problems.append(f"request {number}: {target}: {problem}")
    if problems:
        more = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS] + ([f"and {more} more"] if more > 0 else [])
        raise RequestError("rectification refused, nothing was changed: " + "; ".join(shown))


def rectify_targets(plan: Plan) -> dict[str, tuple[Step, FieldPlan]]:
    """Each rectified field of ``plan`` under both names a change may use.

    ``collection.field`` and ``dataset.collection.field``.
    """
    found: dict[str, tuple[Step, FieldPlan]] = {}
    for step in plan.steps:
        for f in step.fields:
            if f.action == "rectify":
                found[f"{step.collection}.{f.name}"] = (step, f)
                found[f"{step.address}.{f.name}"] = (step, f)
    return found


def _problem(targets: dict[str, tuple[Step, FieldPlan]], target: str, text: str) -> str | None:
    if target not in targets:
        return "no collection the identities reach holds this field"
    try:
        rectified_value(text, targets[target][1])
    except ValueProblem as problem:
        return str(problem)
    return None


def shown(text: str) -> str:
    """``text`` quoted when short and printable; else only its length."""
    if len(text) <= SHOWN and text.isprintable():
        return repr(text)
    return f"a value of {len(text)} characters"


def _base(sql_type: str) -> str:
    """The type's name without size or modifiers: ``numeric(10, 2)`` → ``numeric``."""
    if sql_type.startswith("double precision"):
        return "double precision"
    return re.split(r"[\s(]", sql_type, maxsplit=1)[0] if sql_type else ""


def _unchecked(sql_type: str) -> ValueProblem:
    return ValueProblem(
        f"tutela cannot check values for a column of type {sql_type!r}; "
        "change it in the system itself"
    )


def _integer(text: str, sql_type: str, base: str) -> int:
    if base and base not in _INTEGER_BITS:
        raise _unchecked(sql_type)
    if base == "tinyint" and text.strip().lower() in ("true", "false"):  # MariaDB's BOOLEAN
        return int(_boolean(text))
    if not _DIGITS.match(text.strip()):
        raise ValueProblem(f"{shown(text)} is not a valid integer (digits only)")
    value = int(text)
    bits = _INTEGER_BITS.get(base, 32)
    if "unsigned" in sql_type:
        low, high = 0, 2**bits - 1
    else:
        low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    if not low <= value <= high:
        raise ValueProblem(f"{shown(text)} is out of range for the column ({low} to {high})")
    return value


def _numeric(text: str, sql_type: str, base: str) -> Decimal | float:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise ValueProblem(f"{shown(text)} is not a valid numeric (write e.g. 12.50)") from None
    if not value.is_finite():
        raise ValueProblem(f"{shown(text)} is not a finite number (no NaN or Infinity)")
    if base in _FLOATS or base in _DOUBLES:
        return _floating(text, value, _FLOATS.get(base, _DOUBLE_MAX))
    if base and base not in _DECIMALS:
        raise _unchecked(sql_type)
    size = _SIZE.search(sql_type)
    precision = int(size.group(1)) if size else 2 * UNBOUNDED_DIGITS
    scale = int(size.group(2) or 0) if size else UNBOUNDED_DIGITS
    _fits(text, value, precision, scale)
    return value


def _fits(text: str, value: Decimal, precision: int, scale: int) -> None:
    _, digits, exponent = value.normalize().as_tuple()
    if not isinstance(exponent, int):  # NaN and Infinity were refused before
        raise ValueProblem(f"{shown(text)} is not a finite number")
    places = max(0, -exponent)
    whole = max(0, len(digits) + exponent) if any(digits) else 0
    if places > scale:
        raise ValueProblem(f"{shown(text)} has more than {scale} decimal places")
    if whole > precision - scale:
        raise ValueProblem(
            f"{shown(text)} has more than {precision - scale} digits before the decimal point"
        )


def _floating(text: str, value: Decimal, limit: float) -> float:
    number = float(value)
    if abs(number) > limit:
        raise ValueProblem(f"{shown(text)} is out of range for the column (at most {limit:g})")
    return number


def _date(text: str) -> date:
    try:
        value = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueProblem(f"{shown(text)} is not a valid date (write YYYY-MM-DD)") from None
    _year(text, value.year)
    return value


def _datetime(text: str, sql_type: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueProblem(
            f"{shown(text)} is not a valid date and time (write YYYY-MM-DDTHH:MM:SS)"
        ) from None
    _year(text, value.year)
    zoned = "with time zone" in sql_type or sql_type.startswith("timestamptz")
    if value.tzinfo is not None and not zoned:
        raise ValueProblem(f"{shown(text)} has a UTC offset but the column stores none")
    narrow = _base(sql_type) == "timestamp" and "time zone" not in sql_type  # MariaDB's
    if narrow and not _TIMESTAMP_MIN <= value.replace(tzinfo=None) <= _TIMESTAMP_MAX:
        raise ValueProblem(f"{shown(text)} is outside the column's range (1970 to 2038)")
    return value


def _year(text: str, year: int) -> None:
    if year < MIN_YEAR:
        raise ValueProblem(f"{shown(text)} is before the year {MIN_YEAR}")


def _boolean(text: str) -> bool:
    word = text.strip().lower()
    if word not in ("true", "false"):
        raise ValueProblem(f"{shown(text)} is not true or false")
    return word == "true"


def _text(text: str, sql_type: str, base: str, length: int | None) -> str:
    if base and not base.startswith(_TEXTS) and base not in _BYTE_LIMITS:
        raise _unchecked(sql_type)
    if "\x00" in text:
        raise ValueProblem("the value contains a NUL character")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise ValueProblem("the value is not valid Unicode text") from None
    if length and len(text) > length:
        raise ValueProblem(f"value longer than {length} characters ({len(text)} given)")
    limit = _BYTE_LIMITS.get(base)
    if limit is not None and size > limit:
        raise ValueProblem(f"value longer than the column's {limit} bytes ({size} given)")
    return text
