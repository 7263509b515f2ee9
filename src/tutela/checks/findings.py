"""What a check rule is and what it reports.

A :class:`Rule` is data (a stable id, a severity, a title, its legal source) plus a pure
check function. The function takes a :class:`CheckContext` and yields
:class:`Violation` objects (where, what, how to fix); :meth:`Rule.run` turns them into
:class:`Finding` objects carrying the rule id, severity and source location. Built-in
rules and plug-in rules are made the same way, with the :func:`rule` decorator.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from tutela.errors import Location
from tutela.programme.loader import LoadedProgramme
from tutela.programme.models import Programme, Purpose
from tutela.taxonomy.vocabulary import Vocabulary

Severity = Literal["error", "warning"]
"""``error`` fails ``tutela check`` (exit 1); ``warning`` is reported but does not fail."""

SEVERITIES: tuple[Severity, ...] = ("error", "warning")

PathPart = str | int
ModelPath = tuple[PathPart, ...]

RULE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*$")
"""Rule ids are ``area/what-is-wrong`` in lower-case kebab case, e.g. ``transfers/no-tia``."""


def format_path(path: ModelPath) -> str:
    """Render a model path as ``purposes[2].legal_basis``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass(frozen=True)
class Violation:
    """One breach found by a check function: where it is, what is wrong, how to fix it."""

    path: ModelPath
    message: str
    hint: str


@dataclass(frozen=True)
class Finding:
    """A violation reported by a rule, with the rule's id and severity and a source location."""

    rule: str
    severity: Severity
    message: str
    hint: str
    path: ModelPath
    location: Location | None

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Order by file, line, column, then rule id, path and message (deterministic)."""
        where = self.location
        return (
            where.source if where else "",
            (where.line or 0) if where else 0,
            (where.column or 0) if where else 0,
            self.rule,
            format_path(self.path),
            self.message,
        )


@dataclass(frozen=True)
class CheckContext:
    """What every check function receives: the loaded programme, its vocabulary, and today.

    ``today`` is passed in (never read from the clock inside a rule) so checks stay pure.
    """

    loaded: LoadedProgramme
    today: date
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    @classmethod
    def of(cls, loaded: LoadedProgramme, today: date | None = None) -> CheckContext:
        """Build the context, adding the programme's own categories to the vocabulary."""
        extensions = [
            (c.key, c.name, c.parent, c.special, c.criminal) for c in loaded.programme.categories
        ]
        return cls(loaded, today or date.today(), Vocabulary.with_extensions(extensions))

    @property
    def programme(self) -> Programme:
        """The validated programme being checked."""
        return self.loaded.programme

    def purpose(self, key: str) -> Purpose | None:
        """The purpose with ``key``, or None if the programme has none (a loader error)."""
        return next((p for p in self.programme.purposes if p.key == key), None)

    def locate(self, path: ModelPath) -> Location:
        """Where ``path`` (or its nearest written ancestor) is; the programme root if unknown."""
        return self.loaded.locate(*path) or Location(str(self.loaded.root))


CheckFunction = Callable[[CheckContext], Iterable[Violation]]
"""A pure function from the programme to the violations of one rule."""


@dataclass(frozen=True)
class Rule:
    """One compliance check: stable id, severity, title, legal source, and check function."""

    id: str
    severity: Severity
    title: str
    source: str
    check: CheckFunction
    description: str = ""

    def __post_init__(self) -> None:
        """Reject ids outside the ``area/what-is-wrong`` scheme and unknown severities."""
        if not RULE_ID.match(self.id):
            raise ValueError(f"rule id {self.id!r} is not of the form 'area/what-is-wrong'")
        if self.severity not in SEVERITIES:
            raise ValueError(f"rule {self.id}: severity must be error or warning")

    @property
    def anchor(self) -> str:
        """The anchor of this rule's section in docs/checks.md (``/`` becomes ``-``)."""
        return self.id.replace("/", "-")

    def run(self, context: CheckContext) -> list[Finding]:
        """Run the check and turn its violations into located findings."""
        return [
            Finding(
                rule=self.id,
                severity=self.severity,
                message=violation.message,
                hint=violation.hint,
                path=violation.path,
                location=context.locate(violation.path),
            )
            for violation in self.check(context)
        ]


def rule(
    id: str, *, severity: Severity, title: str, source: str
) -> Callable[[CheckFunction], Rule]:
    """Make a :class:`Rule` from a check function; its docstring becomes the description.

    ``source`` cites the legal source and the GDPR.md rule id, e.g.
    ``"GDPR Art. 6(1), 13(1)(c); GDPR.md LB-1"``.
    """

    def make(check: CheckFunction) -> Rule:
        description = inspect.getdoc(check) or title
        return Rule(id, severity, title, source, check, description)

    return make
