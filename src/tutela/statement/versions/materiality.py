"""Which programme changes are material: subjects must be told before they take effect.

NT-1 (Art. 13(3), 14(4); WP260 "Changes to Art. 13/14 information"): a new purpose, a new
data category, a new recipient or country, a changed legal basis, a longer retention, new
profiling or automated decisions, a new transfer or a weaker safeguard, a new third-party
source, a purpose losing consent. Wording, statement metadata, shorter retention and
removals are editorial.

Each rule of ``_RULES`` matches the *shape* of a change's element (``purposes[].legal_basis``)
and its kind; the first rule whose judge gives a verdict wins, and anything no rule claims is
editorial. Pure: programmes in, verdicts out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

from tutela.jurisdictions import packaged_jurisdictions
from tutela.programme.durations import Duration
from tutela.programme.models import Programme, Recipient, RetentionRule

ChangeKind = Literal["added", "removed", "changed"]
Step = tuple[str, str | None]
"""One step of an element path: an attribute name and, for a list item, the item's key."""


@dataclass(frozen=True)
class RawChange:
    """One difference found by walking two programmes, before it is judged.

    ``path`` is the element's steps; ``before``/``after`` are the plain (JSON) values,
    None when the element is absent on that side.
    """

    kind: ChangeKind
    path: tuple[Step, ...]
    before: Any
    after: Any

    @property
    def element(self) -> str:
        """The element's name, e.g. ``purposes[marketing].legal_basis``."""
        return ".".join(name if key is None else f"{name}[{key}]" for name, key in self.path)

    @property
    def shape(self) -> str:
        """The element's name without list keys, e.g. ``purposes[].legal_basis``."""
        return ".".join(name if key is None else f"{name}[]" for name, key in self.path)

    def key(self, depth: int = 0) -> str:
        """The list key at step ``depth`` (``marketing`` in ``purposes[marketing]...``)."""
        return str(self.path[depth][1])


@dataclass(frozen=True)
class Verdict:
    """Whether a change is material, and why (the reason cites the rule's source)."""

    material: bool
    reason: str


@dataclass(frozen=True)
class Materiality:
    """Judges the changes from ``old`` to ``new``; build it with :meth:`between`."""

    old: Programme
    new: Programme
    held_before: frozenset[str]

    @classmethod
    def between(cls, old: Programme, new: Programme) -> Materiality:
        """A judge for changes from ``old`` to ``new``."""
        return cls(old, new, _dataset_categories(old))

    def judge(self, change: RawChange) -> Verdict:
        """The verdict of the first rule that claims ``change``; editorial if none does."""
        for rule in _RULES:
            found = rule.judge(change, self) if rule.applies(change) else None
            if found is not None:
                return found
        return _default(change)


Judge = Callable[[RawChange, Materiality], Verdict | None]
_ANY: frozenset[ChangeKind] = frozenset({"added", "removed", "changed"})
_ADDED: frozenset[ChangeKind] = frozenset({"added"})
_REMOVED: frozenset[ChangeKind] = frozenset({"removed"})
_CHANGED: frozenset[ChangeKind] = frozenset({"changed"})


@dataclass(frozen=True)
class _Rule:
    shape: str
    kinds: frozenset[ChangeKind]
    judge: Judge

    def applies(self, raw: RawChange) -> bool:
        return raw.kind in self.kinds and _pattern(self.shape).fullmatch(raw.shape) is not None


@cache
def _pattern(shape: str) -> re.Pattern[str]:
    return re.compile(re.escape(shape).replace(r"\*", ".*"))


def _material(reason: str) -> Judge:
    return lambda raw, context: Verdict(True, reason)


def _editorial(reason: str) -> Judge:
    return lambda raw, context: Verdict(False, reason)


def _default(raw: RawChange) -> Verdict:
    if raw.kind == "removed":
        return Verdict(False, "removed: less processing or less detail")
    if raw.kind == "added":
        return Verdict(False, "added detail; no new processing")
    return Verdict(False, "wording or detail changed")


# --- purposes, sources, profiling ------------------------------------------------------------


def _legal_basis(raw: RawChange, context: Materiality) -> Verdict:
    reason = f"legal basis changed from {raw.before or 'none'} to {raw.after or 'none'}"
    if raw.before == "consent":
        reason += "; the purpose loses consent"
    return Verdict(True, reason + " (Art. 13(1)(c))")


def _switched_on(what: str) -> Judge:
    def judge(raw: RawChange, context: Materiality) -> Verdict:
        if raw.after is True:
            return Verdict(True, f"{what} switched on")
        return Verdict(False, f"{what} switched off")

    return judge


def _profiling_added(raw: RawChange, context: Materiality) -> Verdict | None:
    if raw.after.get("automated_decision"):
        return Verdict(True, "new automated decision (Art. 22, Art. 13(2)(f))")
    if raw.after.get("profiling"):
        return Verdict(True, "new profiling (Art. 13(2)(f), Art. 21)")
    return None


def _third_party(kind: Any, name: str) -> Verdict:
    if kind == "third_party":
        return Verdict(True, f"new source from a third party: {name} (Art. 14)")
    return Verdict(False, "new source that is not a third party")


def _purpose_source(raw: RawChange, context: Materiality) -> Verdict:
    source = next((s for s in context.new.sources if s.key == raw.after), None)
    return _third_party(source.kind if source else None, source.name if source else raw.after)


def _source_added(raw: RawChange, context: Materiality) -> Verdict:
    return _third_party(raw.after.get("kind"), raw.after.get("name", raw.key()))


def _source_kind(raw: RawChange, context: Materiality) -> Verdict:
    return _third_party(raw.after, raw.key())


def _dataset_categories(programme: Programme) -> frozenset[str]:
    return frozenset(
        category
        for _, dataset in programme.datasets()
        for collection in dataset.collections
        for field in collection.fields
        for category in field.data_categories
    )


def _categories_in(value: Any, shape: str) -> set[str]:
    if shape.endswith("data_categories[]"):
        return {str(value)}
    if isinstance(value, dict):
        found = {str(c) for c in value.get("data_categories", [])}
        return found.union(*(_categories_in(v, "") for v in value.values()))
    if isinstance(value, list):
        return set().union(*(_categories_in(item, "") for item in value))
    return set()


def _dataset_added(raw: RawChange, context: Materiality) -> Verdict | None:
    held = _categories_in(raw.after, raw.shape)
    if not held:
        return None
    new = sorted(held - context.held_before)
    if new:
        return Verdict(True, f"datasets now hold a new data category: {', '.join(new)}")
    return Verdict(False, "holds only data categories the programme already held")


# --- retention ----------------------------------------------------------------------------


def _limit(rule: RetentionRule) -> Duration | None:
    """The longest period the rule allows (its period or a customer's choice), if any."""
    periods = [rule.period] if rule.period else []
    limits = [Duration.parse(text) for text in [*periods, *rule.choices]]
    return max(limits) if limits else None


def compare_retention(old: RetentionRule | None, new: RetentionRule | None) -> tuple[bool, str]:
    """Whether going from ``old`` to ``new`` retention is material (NT-1), and why.

    Longer is material, shorter editorial, by the order of :class:`Duration` (calendar
    months rank by the fewest days they can last: ``30d`` to ``1m`` is shorter, ``12m`` to
    ``1y`` the same); a period replaced by a criterion (or the reverse) cannot be compared
    and counts as material, as does a different trigger event.
    """
    if new is None:
        return (old is not None, "retention limit removed" if old else "no retention stated")
    if old is None:
        return (False, f"retention now stated: {_retention_text(new)}")
    before, after = _limit(old), _limit(new)
    if before is not None and after is not None and before != after:
        longer = after > before
        verb = "longer" if longer else "shorter"
        return (longer, f"{verb} retention: {_retention_text(old)} → {_retention_text(new)}")
    if (before is None) != (after is None):
        return (True, "a retention period and a criterion cannot be compared (treated as longer)")
    if before is None and old.criterion != new.criterion:
        return (True, "retention criterion changed (no period to compare)")
    if old.trigger != new.trigger:
        return (True, f"retention now counts from {new.trigger} instead of {old.trigger}")
    return (False, "same retention")


def _retention_text(rule: RetentionRule) -> str:
    if rule.period:
        return f"{rule.period} after {rule.trigger}"
    return rule.criterion or rule.name


def _compared(old: RetentionRule | None, new: RetentionRule | None) -> Verdict:
    material, reason = compare_retention(old, new)
    return Verdict(material, reason)


def _rule(programme: Programme, key: Any) -> RetentionRule | None:
    return next((rule for rule in programme.retention if rule.key == key), None)


def _retention_rule_changed(raw: RawChange, context: Materiality) -> Verdict:
    key = raw.key()
    return _compared(_rule(context.old, key), _rule(context.new, key))


def _retention_reference(raw: RawChange, context: Materiality) -> Verdict:
    return _compared(_rule(context.old, raw.before), _rule(context.new, raw.after))


# --- recipients and transfers ---------------------------------------------------------------


def _third_countries(countries: Sequence[str]) -> list[str]:
    places = packaged_jurisdictions()
    return [country for country in countries if not places.in_eea(country)]


def _recipient_added(raw: RawChange, context: Materiality) -> Verdict:
    reason = f"new recipient: {raw.after.get('name')} (Art. 13(1)(e))"
    outside = _third_countries(raw.after.get("countries", []))
    if outside:
        reason += f"; new transfer to {', '.join(outside)} (Chapter V)"
    return Verdict(True, reason)


def _recipient_country(raw: RawChange, context: Materiality) -> Verdict:
    if _third_countries([raw.after]):
        return Verdict(True, f"new transfer to {raw.after}, outside the EEA (Chapter V)")
    return Verdict(True, f"recipient in a new country: {raw.after}")


_STRENGTH = {"derogation": 1}
"""Chapter V tools by strength: adequacy and Art. 46 tools 2, Art. 49 derogations 1, none 0."""


def _transfer_strength(recipient: Recipient) -> int:
    safeguard = recipient.safeguard
    if safeguard is None:
        return 2 if recipient.dpf_certified else 0
    lapsed_dpf = "US" in recipient.countries and not recipient.dpf_certified
    if safeguard.mechanism == "adequacy" and lapsed_dpf:
        return 0
    return _STRENGTH.get(safeguard.mechanism, 2)


def _transfer_tool(recipient: Recipient) -> str:
    if recipient.safeguard is None:
        return "DPF certification" if recipient.dpf_certified else "no safeguard"
    return recipient.safeguard.mechanism


def _safeguard(raw: RawChange, context: Materiality) -> Verdict | None:
    old = next((r for r in context.old.recipients if r.key == raw.key()), None)
    new = next((r for r in context.new.recipients if r.key == raw.key()), None)
    if old is None or new is None:
        return None
    outside = _third_countries(new.countries)
    if not outside:
        return Verdict(False, "safeguard details changed; no country outside the EEA involved")
    if _transfer_strength(new) < _transfer_strength(old):
        return Verdict(
            True,
            f"weaker safeguard for the transfer to {', '.join(outside)}: "
            f"{_transfer_tool(old)} → {_transfer_tool(new)} (Arts. 44-49)",
        )
    if raw.kind == "removed" and raw.path[-1][0] == "supplementary_measures":
        return Verdict(True, f"supplementary measure dropped for a transfer to {outside[0]}")
    return Verdict(False, "safeguard details changed; not weaker")


def _hosting(raw: RawChange, context: Materiality) -> Verdict:
    if _third_countries([raw.after]):
        return Verdict(True, f"system now hosted in {raw.after}, outside the EEA: a new transfer")
    return Verdict(False, f"system moved from {raw.before} to {raw.after}, inside the EEA")


def _system_role(raw: RawChange, context: Materiality) -> Verdict:
    if raw.after == "controller":
        return Verdict(True, "the organisation now decides why this system's data is processed")
    return Verdict(False, "the system now processes data only for other controllers")


def _cookie_lifetime(duration: str) -> Duration | None:
    """A cookie's lifetime (``session`` lasts no time at all), None when it is free text."""
    if duration.strip().lower() == "session":
        return Duration(0, "hour")
    try:
        return Duration.parse(duration)
    except ValueError:
        return None


def _cookie_added(raw: RawChange, context: Materiality) -> Verdict:
    if raw.after.get("category") == "necessary":
        return Verdict(False, "new strictly necessary cookie (exempt from consent)")
    return Verdict(True, "new cookie that needs consent (ePD Art. 5(3))")


def _cookie_duration(raw: RawChange, context: Materiality) -> Verdict:
    before, after = _cookie_lifetime(raw.before), _cookie_lifetime(raw.after)
    if before is not None and after is not None and after <= before:
        return Verdict(False, "shorter or equal cookie lifetime")
    return Verdict(True, "longer cookie lifetime (or one that cannot be compared)")


_RULES: tuple[_Rule, ...] = (
    _Rule("statement*", _ANY, _editorial("statement metadata (version, dates, change log)")),
    _Rule(
        "purposes[]", _ADDED, _material("new purpose: tell subjects before it starts (Art. 13(3))")
    ),
    _Rule("purposes[]", _REMOVED, _editorial("purpose removed: the processing stops")),
    _Rule("purposes[].legal_basis", _ANY, _legal_basis),
    _Rule("purposes[].consent", _REMOVED, _material("the purpose no longer rests on consent")),
    _Rule("purposes[].subjects[]", _ADDED, _material("the purpose covers new data subjects")),
    _Rule("purposes[].data_uses[]", _ADDED, _material("the purpose extends to a new data use")),
    _Rule("purposes[].sources[]", _ADDED, _purpose_source),
    _Rule("purposes[].retention", _ANY, _retention_reference),
    _Rule("purposes[].profiling", _ADDED, _profiling_added),
    _Rule("purposes[].profiling.profiling", _CHANGED, _switched_on("profiling")),
    _Rule("purposes[].profiling.automated_decision", _CHANGED, _switched_on("automated decision")),
    _Rule("categories[]", _ADDED, _material("new data category in the programme's extensions")),
    _Rule("sources[]", _ADDED, _source_added),
    _Rule("sources[].kind", _CHANGED, _source_kind),
    _Rule("retention[].period", _ANY, _retention_rule_changed),
    _Rule("retention[].criterion", _ANY, _retention_rule_changed),
    _Rule("retention[].trigger", _ANY, _retention_rule_changed),
    _Rule("retention[].choices[]", _ANY, _retention_rule_changed),
    _Rule("recipients[]", _ADDED, _recipient_added),
    _Rule("recipients[]", _REMOVED, _editorial("recipient removed: no more disclosure to it")),
    _Rule("recipients[].kind", _CHANGED, _material("the recipient's category changed")),
    _Rule("recipients[].countries[]", _ADDED, _recipient_country),
    _Rule(
        "recipients[].purposes[]", _ADDED, _material("the recipient gets data for a new purpose")
    ),
    _Rule("recipients[].safeguard*", _ANY, _safeguard),
    _Rule("recipients[].dpf_certified", _CHANGED, _safeguard),
    _Rule("recipients[].supplementary_measures[]", _REMOVED, _safeguard),
    _Rule("systems[].hosting_country", _CHANGED, _hosting),
    _Rule("systems[].role", _CHANGED, _system_role),
    _Rule("systems[].retention", _ANY, _retention_reference),
    _Rule("systems[]*", _ADDED, _dataset_added),
    _Rule("*categories[]", _ADDED, _material("new data category disclosed or collected")),
    _Rule("cookies[]", _ADDED, _cookie_added),
    _Rule("cookies[].duration", _CHANGED, _cookie_duration),
)
"""Judging rules, first match wins; a judge returning None passes to the next rule."""
