"""The programme's assumptions with their values: what ``--show-assumptions`` prints.

Each :class:`~tutela.programme.register.Assumption` names a fact the programme states where
its source is silent. Before a statement is published, a person confirms each of them
(accountability, GDPR Art. 5(2); accuracy, Art. 5(1)(d)): this module lists them with the
value the path names today, the file and line that value is written at, and the note that
says why it was chosen. Pure: a loaded programme in, data and text out.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass
from typing import Any

from tutela.errors import Location
from tutela.programme.assumptions import AssumptionPathError, resolve
from tutela.programme.loader import LoadedProgramme

_WIDTH = 88


@dataclass(frozen=True)
class ListedAssumption:
    """One assumption: its path, note and where it is written, and what the path names.

    ``value`` is the JSON-ready value (None when unset or unresolved) and ``value_at`` the
    place it is written (the nearest written ancestor for a default); ``problem`` says why
    the path names nothing, else None.
    """

    path: str
    note: str
    declared_at: Location | None
    element: str | None = None
    value: Any = None
    value_at: Location | None = None
    problem: str | None = None


def list_assumptions(loaded: LoadedProgramme) -> list[ListedAssumption]:
    """Every assumption of ``loaded``, in programme order, resolved (or with its problem)."""
    listed = []
    for index, assumption in enumerate(loaded.programme.assumptions):
        declared = loaded.locate("assumptions", index, "path")
        try:
            found = resolve(loaded.programme, assumption.path)
        except AssumptionPathError as error:
            listed.append(
                ListedAssumption(assumption.path, assumption.note, declared, problem=error.message)
            )
            continue
        listed.append(
            ListedAssumption(
                assumption.path,
                assumption.note,
                declared,
                found.element,
                found.value,
                loaded.locate(*found.model_path),
            )
        )
    return listed


def assumptions_text(loaded: LoadedProgramme) -> str:
    """The assumptions as text for a reviewer: a heading, one block each, a summary line."""
    listed = list_assumptions(loaded)
    if not listed:
        return "The programme states no assumptions.\n"
    blocks = [_block(item) for item in listed]
    unknown = sum(item.problem is not None for item in listed)
    summary = f"{len(listed)} assumption(s) to confirm before the statement is published."
    if unknown:
        summary += (
            f" {unknown} name(s) nothing: fix the path (`tutela check` reports"
            " assumptions/unknown-path)."
        )
    return "\n\n".join([*blocks, summary]) + "\n"


def _block(item: ListedAssumption) -> str:
    lines = [item.path]
    if item.problem is not None:
        lines.append(f"  value: names nothing: {item.problem}")
        lines.append(f"  at:    {_place(item.declared_at)} (the assumption)")
    else:
        lines.append(f"  value: {show(item.value)}")
        lines.append(f"  at:    {_place(item.value_at)}")
    lines += textwrap.wrap(
        " ".join(item.note.split()),
        _WIDTH,
        initial_indent="  note:  ",
        subsequent_indent=" " * 9,
    )
    return "\n".join(lines)


def _place(location: Location | None) -> str:
    """``file:line`` of ``location`` (the column left out)."""
    if location is None:
        return "(unknown)"
    return f"{location.source}:{location.line}" if location.line else location.source


def show(value: Any, limit: int = 100) -> str:
    """A one-line rendering of a resolved value, cut at ``limit`` characters."""
    if value is None:
        text = "(not set)"
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        text = ", ".join(show(v) for v in value) if value else "(empty list)"
    elif isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["ListedAssumption", "assumptions_text", "list_assumptions", "show"]
