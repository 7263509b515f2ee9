"""The registry of check rules: the built-ins plus the ``tutela.checks`` entry points.

Built-in rules sit in :data:`BUILTIN_RULES`, an explicit dict. A plug-in adds rules the
same way, by exposing a :class:`~tutela.checks.findings.Rule` (or a sequence of
them) under the entry-point group ``tutela.checks``. Entry points are read on first use,
not at import, and a duplicate rule id is an error naming both owners.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from tutela.checks.findings import Rule
from tutela.checks.rules import (
    anonymisation,
    consent,
    cookies,
    credentials,
    erasure,
    inventory,
    lawfulness,
    processors,
    profiling,
    retention,
    transfers,
    transparency,
)
from tutela.errors import ConfigurationError

ENTRY_POINT_GROUP = "tutela.checks"
"""The entry-point group plug-ins use to add rules."""

BUILT_IN = "built-in"


def _index(rules: Iterable[Rule]) -> dict[str, Rule]:
    indexed: dict[str, Rule] = {}
    for item in rules:
        if item.id in indexed:
            raise ConfigurationError(f"check rule id {item.id!r} is defined twice")
        indexed[item.id] = item
    return indexed


BUILTIN_RULES: dict[str, Rule] = _index(
    (
        *lawfulness.RULES,
        *consent.RULES,
        *profiling.RULES,
        *inventory.RULES,
        *retention.RULES,
        *transfers.RULES,
        *processors.RULES,
        *cookies.RULES,
        *transparency.RULES,
        *credentials.RULES,
        *erasure.RULES,
        *anonymisation.RULES,
    )
)
"""Every built-in rule by id, in documentation order."""


@dataclass(frozen=True)
class Registry:
    """The installed rules by id, and where each came from (``built-in`` or a plug-in)."""

    rules: Mapping[str, Rule]
    origins: Mapping[str, str]

    def select(
        self, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None
    ) -> list[Rule]:
        """The rules to run: ``select`` (all if empty) minus ``ignore``.

        Each item is a rule id (``transfers/no-tia``) or an area (``transfers``). An item
        that matches no installed rule raises :class:`ConfigurationError`.
        """
        chosen = self._matching(select, "select") if select else set(self.rules)
        chosen -= self._matching(ignore or (), "ignore")
        return [item for rule_id, item in self.rules.items() if rule_id in chosen]

    def _matching(self, items: Iterable[str], option: str) -> set[str]:
        matched: set[str] = set()
        for item in items:
            found = {rid for rid in self.rules if rid == item or rid.split("/")[0] == item}
            if not found:
                raise ConfigurationError(
                    f"--{option} {item!r} names no installed check rule or area; "
                    "`tutela check --list-rules` lists them"
                )
            matched |= found
        return matched


def _origin(entry_point: EntryPoint) -> str:
    dist = entry_point.dist.name if entry_point.dist is not None else "unknown distribution"
    return f"{dist} (entry point {entry_point.name} = {entry_point.value})"


def _rules_from(entry_point: EntryPoint) -> list[Rule]:
    try:
        loaded = entry_point.load()
    except Exception as error:  # a broken plug-in must not crash with a traceback
        raise ConfigurationError(
            f"check plug-in {_origin(entry_point)} failed to load: {error}"
        ) from error
    rules = [loaded] if isinstance(loaded, Rule) else loaded
    if not isinstance(rules, list | tuple) or not all(isinstance(r, Rule) for r in rules):
        raise ConfigurationError(
            f"check plug-in {_origin(entry_point)} must point to a Rule or a list of Rules"
        )
    return list(rules)


def build_registry(plugins: Iterable[EntryPoint] = ()) -> Registry:
    """The built-in rules plus the rules of ``plugins``; duplicate ids raise ConfigurationError."""
    rules = dict(BUILTIN_RULES)
    origins = dict.fromkeys(rules, BUILT_IN)
    for entry_point in sorted(plugins, key=lambda e: (e.name, e.value)):
        for item in _rules_from(entry_point):
            if item.id in rules:
                raise ConfigurationError(
                    f"check rule id {item.id!r} from {_origin(entry_point)} is already "
                    f"registered by {origins[item.id]}"
                )
            rules[item.id] = item
            origins[item.id] = _origin(entry_point)
    return Registry(rules, origins)


@cache
def registry() -> Registry:
    """The installed rules: built-ins plus the ``tutela.checks`` entry points (read once)."""
    return build_registry(entry_points(group=ENTRY_POINT_GROUP))
