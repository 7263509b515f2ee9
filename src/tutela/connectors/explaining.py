"""The exact SQL text a connector call sends, with placeholders (for ``tutela dsr plan``).

Statements are compiled for the connector's dialect. An ``IN`` list is shown
with its first placeholders and the number of keys it binds, so a plan for
10,000 keys stays readable; values are never shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.sql.elements import ClauseElement

from tutela.connectors.rowwrites import Step

_POSTCOMPILE = re.compile(r"__\[POSTCOMPILE_(\w+)\]")
_SHOWN = 3


def render(
    executable: sa.Executable,
    dialect: sa.Dialect,
    statements: int = 1,
    params: Mapping[str, Any] | None = None,
) -> str:
    """``executable`` compiled for ``dialect``; ``statements`` > 1 says it is one chunk of many.

    ``params`` (one chunk's parameters) tell how many keys each ``IN`` list binds;
    they are counted, never shown.
    """
    compiled = cast(ClauseElement, executable).compile(dialect=dialect)
    params = {**(compiled.params or {}), **(params or {})}

    def expand(found: re.Match[str]) -> str:
        name = found.group(1)
        count = len(params.get(name) or ())
        shown = ", ".join(
            _placeholder(dialect, f"{name}_{i}") for i in range(1, 1 + min(count, _SHOWN))
        )
        return shown + (f", ... /* {count} keys */" if count > _SHOWN else "")

    text = _POSTCOMPILE.sub(expand, str(compiled)).strip()
    if statements > 1:
        text = f"-- 1 of {statements} statements (the keys are sent in chunks)\n{text}"
    return text


def render_steps(steps: Sequence[Step], dialect: sa.Dialect) -> str:
    """Several statements, each ended by ``;``, executemany ones marked with their row count."""
    parts = []
    for step in steps:
        line = render(step.statement, dialect).rstrip(";") + ";"
        if step.rows:
            line += f"  -- executemany: {len(step.rows)} rows"
        parts.append(line)
    return "\n".join(parts)


def _placeholder(dialect: sa.Dialect, name: str) -> str:
    style = dialect.paramstyle
    if style == "pyformat":
        return f"%({name})s"
    if style == "named":
        return f":{name}"
    if style == "format":
        return "%s"
    return "?"
