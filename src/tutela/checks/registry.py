"""The registry of check rules: the ``checks`` kind of :mod:`tutela.plugins`.

Built-in rules are declared area by area in :data:`tutela.plugins.CHECKS`
(``tutela.checks.rules.<area>:RULES``) and collected in :data:`BUILTIN_RULES`. A
plug-in adds rules the same way, by exposing a :class:`~tutela.checks.findings.Rule`
(or a sequence of them) under the entry-point group ``tutela.checks``. Entry points
are read on first use, not at import, and a duplicate rule id is an error naming
both owners.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import EntryPoint

from tutela.checks.findings import Rule
from tutela.errors import ConfigurationError
from tutela.plugins import CHECKS, duplicate, installed
from tutela.plugins import Registry as PluginRegistry

ENTRY_POINT_GROUP = CHECKS.group
"""The entry-point group plug-ins use to add rules."""

BUILT_IN = "built-in"
"""The origin :attr:`Registry.origins` gives a built-in rule."""


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


def as_rules(loaded: object) -> tuple[Rule, ...]:
    """``loaded`` as rules: a Rule or a list/tuple of Rules; TypeError otherwise."""
    rules = [loaded] if isinstance(loaded, Rule) else loaded
    if not isinstance(rules, list | tuple) or not all(isinstance(r, Rule) for r in rules):
        raise TypeError(f"found {type(loaded).__name__}")
    return tuple(rules)


def _collect(plugins: PluginRegistry) -> Registry:
    """Every rule of every entry (built-ins first); a rule id used twice is an error."""
    rules: dict[str, Rule] = {}
    origins: dict[str, str] = {}
    for entry in plugins.entries():
        origin = BUILT_IN if entry.builtin else entry.origin
        for item in plugins.load(entry.name, as_rules):
            if item.id in rules:
                raise duplicate("check rules", item.id, origins[item.id], origin)
            rules[item.id] = item
            origins[item.id] = origin
    return Registry(rules, origins)


BUILTIN_RULES: dict[str, Rule] = dict(_collect(PluginRegistry(CHECKS, plugins=list)).rules)
"""Every built-in rule by id, in documentation order."""


def build_registry(plugins: Iterable[EntryPoint] = ()) -> Registry:
    """The built-in rules plus the rules of ``plugins``; duplicate ids raise ConfigurationError."""
    listed = sorted(plugins, key=lambda e: (e.name, e.value))
    return _collect(PluginRegistry(CHECKS, plugins=lambda: listed))


def registry() -> Registry:
    """The installed rules: built-ins plus the ``tutela.checks`` entry points (read once)."""
    return _collect(installed(CHECKS))
