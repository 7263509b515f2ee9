"""Where an assumption's path points: the value it names and the file and line it sits at.

An :class:`~tutela.programme.register.Assumption` marks a fact the programme states where
its source (the published statement it was written from) is silent: a retention period,
a hosting country, the date of a transfer impact assessment. The controller must be able
to show where each fact of its statement comes from (accountability, GDPR Art. 5(2)), and
the statement must be accurate (Art. 5(1)(a), (d); Art. 12(1)); an assumption is a fact a
person still has to confirm. :func:`resolve` finds the value a path names, for the check
``assumptions/unknown-path`` and for ``tutela statement render --show-assumptions``
(listed by :mod:`tutela.programme.assumption_list`).

A path is written like the element names of ``tutela statement diff``:

- dotted field names: ``organisation.establishment_country``;
- items of lists by their key (or ``name``, ``category``, ``version``, ``to``,
  ``language`` where items have no key): ``retention.crm_contacts.period``; keys may
  themselves hold dots (``categories.user.contact.email.name``): the longest key that
  matches wins;
- items of lists of values by the value: ``recipients.aws.countries.US``;
- items by their index, from 0: ``recipients.aws.countries.0``;
- a key in brackets, taken as written, dots and all: ``cookies[.AspNetCore.Cookies].duration``.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from pydantic import BaseModel

from tutela.programme.diagnostics import PathPart, show_value

MAX_PATH_LENGTH = 500
"""Longest path accepted (an assumption's ``path`` is a ShortText of at most 500)."""

MAX_STEPS = 64
"""Most steps (names, keys, indices) one path may have."""

IDENTITY_FIELDS = ("key", "name", "category", "version", "to", "language")
"""The field naming a list item, first one the item's model has."""

HINT = (
    "write a dotted path into the programme: section, field names and the keys of list "
    "items, e.g. `retention.crm_contacts.period` or `recipients.aws.countries`; "
    "put a key that starts or ends with a dot in brackets: `cookies[.session].duration`"
)


class AssumptionPathError(ValueError):
    """A path that cannot be read, or names nothing in the programme; says why and how to fix."""

    def __init__(self, message: str, hint: str = HINT) -> None:
        """``message`` says what is wrong, ``hint`` how to write the path instead."""
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class Step:
    """One step of a path: a name, key or index; ``bracketed`` when written ``[...]``."""

    text: str
    bracketed: bool = False


@dataclass(frozen=True)
class Resolved:
    """What a path names: its model path (for locations), readable element and plain value.

    ``model_path`` is made of attribute names and list indices, as
    :meth:`tutela.programme.loader.LoadedProgramme.locate` takes it; ``element`` names list
    items by key (``retention[crm_contacts].period``); ``value`` is JSON-ready (None when
    the field is not set).
    """

    path: str
    model_path: tuple[PathPart, ...]
    element: str
    value: Any


def parse_path(path: str) -> tuple[Step, ...]:
    """The steps of ``path``; :class:`AssumptionPathError` when it is empty or malformed."""
    if not isinstance(path, str) or not path.strip():
        raise AssumptionPathError("the path is empty")
    if len(path) > MAX_PATH_LENGTH:
        raise AssumptionPathError(
            f"the path is {len(path)} characters long; at most {MAX_PATH_LENGTH} are allowed"
        )
    if any(ord(char) < 32 or ord(char) == 127 for char in path):
        raise AssumptionPathError("the path holds a control character (a tab or a line break)")
    steps = _scan(path.strip())
    if len(steps) > MAX_STEPS:
        raise AssumptionPathError(f"the path has {len(steps)} steps; at most {MAX_STEPS}")
    if steps[0].bracketed:
        raise AssumptionPathError("the path starts with `[`; start it with a section name")
    return tuple(steps)


def _scan(path: str) -> list[Step]:
    steps: list[Step] = []
    position = 0
    while True:
        if path.startswith("[", position):
            end = path.find("]", position + 1)
            if end < 0:
                raise AssumptionPathError(f"the `[` at character {position + 1} is never closed")
            if not path[position + 1 : end]:
                raise AssumptionPathError(f"empty brackets `[]` at character {position + 1}")
            steps.append(Step(path[position + 1 : end], bracketed=True))
            position = end + 1
        else:
            end = _segment_end(path, position)
            if end == position:
                raise AssumptionPathError(_empty_segment(path, position))
            steps.append(Step(path[position:end]))
            position = end
        if position == len(path):
            return steps
        if path[position] == ".":
            position += 1
            if position == len(path):
                raise AssumptionPathError("the path ends with a `.`")
        elif path[position] != "[":
            raise AssumptionPathError(f"a `]` at character {position + 1} closes no `[`")


def _segment_end(path: str, start: int) -> int:
    end = start
    while end < len(path) and path[end] not in ".[]":
        end += 1
    return end


def _empty_segment(path: str, position: int) -> str:
    if path[position] == "]":
        return f"a `]` at character {position + 1} closes no `[`"
    if position == 0:
        return "the path starts with a `.`"
    return f"an empty step (`..`) at character {position + 1}"


def resolve(programme: BaseModel, path: str) -> Resolved:
    """The value ``path`` names in ``programme`` and where it sits.

    Raises :class:`AssumptionPathError` naming the step that goes nowhere: an unknown
    section or field, a key no item has, an index out of range, a step into an unset
    field or into a plain value.
    """
    steps = parse_path(path)
    node: Any = programme
    model_path: list[PathPart] = []
    element = ""
    index = 0
    while index < len(steps):
        part, label, used, node = _step(node, steps, index, element)
        model_path.append(part)
        element += label
        index += used
    return Resolved(path, tuple(model_path), element, plain(node))


def _step(
    node: Any, steps: Sequence[Step], index: int, where: str
) -> tuple[PathPart, str, int, Any]:
    """The part of ``node`` that ``steps[index:]`` names: part, label, steps used, value."""
    step = steps[index]
    if isinstance(node, BaseModel):
        fields = type(node).model_fields
        if step.text not in fields:
            raise _no_field(where, step.text, list(fields))
        label = f".{step.text}" if where else step.text
        return step.text, label, 1, getattr(node, step.text)
    if isinstance(node, list | tuple):
        found = _item(node, steps, index)
        if found is None:
            raise _no_item(node, where, step.text)
        position, used = found
        return position, f"[{identity(node[position]) or position}]", used, node[position]
    if isinstance(node, Mapping) and step.text in node:
        return step.text, f".{step.text}", 1, node[step.text]
    raise _dead_end(node, where, step.text)


def _item(items: Sequence[Any], steps: Sequence[Step], start: int) -> tuple[int, int] | None:
    """Position of the item named at ``steps[start]`` (longest dotted key first), steps used."""
    step = steps[start]
    run = 1
    if not step.bracketed:
        while start + run < len(steps) and not steps[start + run].bracketed:
            run += 1
    for used in range(run, 0, -1):
        name = ".".join(s.text for s in steps[start : start + used])
        for position, item in enumerate(items):
            if identity(item) == name:
                return position, used
    text = step.text
    if text.isascii() and text.isdigit() and int(text) < len(items):
        return int(text), 1
    return None


def identity(item: Any) -> str | None:
    """What names a list item in a path: its key (name, ...) or, for a plain value, the value."""
    if isinstance(item, BaseModel):
        for name in IDENTITY_FIELDS:
            value = getattr(item, name, None) if name in type(item).model_fields else None
            if isinstance(value, str):
                return str(value)
        return None
    value = plain(item)
    return str(value) if isinstance(value, str | int) and not isinstance(value, bool) else None


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data (models dumped without unset fields, dates as ISO text)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", exclude_none=True)
    if isinstance(value, Mapping):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, Enum):
        return plain(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return str(value)
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


# --- errors that say where the path stopped ------------------------------------------------


def _no_field(where: str, name: str, fields: list[str]) -> AssumptionPathError:
    owner = f"`{where}`" if where else "the programme"
    kind = "field" if where else "section"
    close = difflib.get_close_matches(name, fields, n=3)
    hint = f"did you mean {', '.join(f'`{c}`' for c in close)}?" if close else None
    shown = _cut(name)
    return AssumptionPathError(
        f"{owner} has no {kind} `{shown}`", hint or f"the {kind}s are: {', '.join(fields)}"
    )


def _no_item(items: Sequence[Any], where: str, name: str) -> AssumptionPathError:
    names = [identity(item) or str(position) for position, item in enumerate(items)]
    if not items:
        return AssumptionPathError(f"`{where}` is an empty list; it has no item `{_cut(name)}`")
    listed = ", ".join(f"`{n}`" for n in names[:8]) + (", …" if len(names) > 8 else "")
    return AssumptionPathError(
        f"`{where}` has no item `{_cut(name)}`",
        f"its items are {listed}, or an index from 0 to {len(items) - 1}",
    )


def _dead_end(node: Any, where: str, name: str) -> AssumptionPathError:
    if node is None:
        return AssumptionPathError(f"`{where}` is not set, so it has no `{_cut(name)}`")
    if isinstance(node, Mapping):
        return AssumptionPathError(f"`{where}` has no key `{_cut(name)}`")
    return AssumptionPathError(
        f"`{where}` is a value ({show_value(plain(node), 40)}); it has no part `{_cut(name)}`",
        "end the path at the value the assumption is about",
    )


def _cut(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = [
    "AssumptionPathError",
    "Resolved",
    "Step",
    "identity",
    "parse_path",
    "plain",
    "resolve",
]
