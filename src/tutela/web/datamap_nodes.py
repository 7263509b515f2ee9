"""The nodes of the console's data map, worded: names, subtitles and details as table cells.

:class:`Facts` gathers what the nodes need from the programme once (names, category
groups, the purposes of each dataset, the jurisdictions); one function per kind
(:func:`purpose_node`, :func:`system_node`, :func:`dataset_node`, :func:`category_node`,
:func:`recipient_node`) builds a :class:`Node` with its :class:`Cell` list, the same
for the tables and the side panel. A country outside the EEA (Chapter V, TR-1) is said in
words, with the safeguard the transfer relies on (Arts. 45-49, TR-2). Call inside
``i18n.language``: the wording is translated when the node is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutela.i18n import N_, _, country_name, ngettext
from tutela.jurisdictions import Jurisdictions, packaged_jurisdictions
from tutela.taxonomy.labels import group_of
from tutela.taxonomy.vocabulary import Vocabulary
from tutela.web.datamap_transfers import safeguard_lines, safeguard_short

if TYPE_CHECKING:
    from tutela.programme.models import Dataset, Programme, Purpose, Recipient, System

LONGEST_NAME, LONGEST_SUBTITLE = 24, 30
"""Characters of a name and of a subtitle drawn in a node; the accessible name keeps all."""

KIND_NAMES: dict[str, str] = {
    "purpose": N_("Purpose"),
    "system": N_("System"),
    "dataset": N_("Dataset"),
    "category": N_("Data category"),
    "recipient": N_("Recipient"),
}
RECIPIENT_KINDS: dict[str, str] = {
    "processor": N_("Processor"),
    "controller": N_("Third party (controller)"),
    "joint_controller": N_("Joint controller"),
    "public_authority": N_("Public authority"),
    "affiliate": N_("Affiliate"),
}
LEGAL_BASES: dict[str, str] = {
    "consent": N_("Consent (Art. 6(1)(a))"),
    "contract": N_("Contract (Art. 6(1)(b))"),
    "legal_obligation": N_("Legal obligation (Art. 6(1)(c))"),
    "vital_interests": N_("Vital interests (Art. 6(1)(d))"),
    "public_task": N_("Public task (Art. 6(1)(e))"),
    "legitimate_interests": N_("Legitimate interests (Art. 6(1)(f))"),
}


@dataclass(frozen=True)
class Cell:
    """One detail of a node: a column header and its lines (at least one)."""

    header: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class Node:
    """A box of the map: its kind, key, worded name and details, and its place.

    ``purposes`` and ``categories`` are the purpose keys and category groups the node
    relates to (what the filter matches); ``outside_eea`` says it reaches a country
    outside the EEA (a hosting country or a recipient's country, TR-1).
    """

    kind: str
    key: str
    name: str
    subtitle: str
    cells: tuple[Cell, ...]
    purposes: frozenset[str]
    categories: frozenset[str]
    outside_eea: bool = False
    x: int = 0
    y: int = 0

    @property
    def id(self) -> str:
        """``kind:key``, unique in the map (the value of a filter and of an edge's end)."""
        return f"{self.kind}:{self.key}"

    @property
    def anchor(self) -> str:
        """The id of the node's row in the tables (the node links to it)."""
        return f"{self.kind}-{self.key}"

    @property
    def label(self) -> str:
        """The accessible name: the kind, the name and the subtitle in full."""
        return f"{_(KIND_NAMES[self.kind])}: {self.name}. {self.subtitle}"

    @property
    def short_name(self) -> str:
        """The name as drawn, cut to :data:`LONGEST_NAME` characters."""
        return _shorten(self.name, LONGEST_NAME)

    @property
    def short_subtitle(self) -> str:
        """The subtitle as drawn, cut to :data:`LONGEST_SUBTITLE` characters."""
        return _shorten(self.subtitle, LONGEST_SUBTITLE)

    def matches(self, focus: str) -> bool:
        """True if the filter ``focus`` (``purpose:KEY`` or ``category:GROUP``) keeps the node."""
        kind, _sep, key = focus.partition(":")
        return key in (self.purposes if kind == "purpose" else self.categories)


@dataclass(frozen=True)
class Facts:
    """What the nodes need from the programme, gathered once."""

    programme: Programme
    vocabulary: Vocabulary
    places: Jurisdictions
    parents: dict[str, str | None]
    names: dict[str, str]
    groups: tuple[str, ...]
    dataset_categories: dict[str, tuple[str, ...]]
    dataset_groups: dict[str, tuple[str, ...]]
    dataset_purposes: dict[str, tuple[str, ...]]
    system_categories: dict[str, frozenset[str]]

    @classmethod
    def of(cls, programme: Programme) -> Facts:
        """The facts of ``programme``."""
        extensions = [
            (c.key, c.name, c.parent, c.special, c.criminal) for c in programme.categories
        ]
        parents = {c.key: c.parent for c in programme.categories}
        held = {d.key: _unique(_fields_categories(d)) for _s, d in programme.datasets()}
        groups_of = {key: _unique(group_of(c, parents) for c in held[key]) for key in held}
        vocabulary = Vocabulary.with_extensions(extensions)
        groups = _unique(
            [g for key in groups_of for g in groups_of[key]]
            + [group_of(c, parents) for r in programme.recipients for c in r.categories]
            + [group_of(c, parents) for p in programme.purposes for c in p.categories]
        )
        return cls(
            programme=programme,
            vocabulary=vocabulary,
            places=packaged_jurisdictions(),
            parents=parents,
            names=_names(programme, vocabulary, groups),
            groups=groups,
            dataset_categories=held,
            dataset_groups=groups_of,
            dataset_purposes={
                d.key: _unique(p for c in d.collections for p in c.purposes)
                for _s, d in programme.datasets()
            },
            system_categories={
                s.key: frozenset(g for d in s.datasets for g in groups_of[d.key])
                for s in programme.systems
            },
        )

    def groups_of(self, categories: Iterable[str]) -> frozenset[str]:
        """The category groups of ``categories``."""
        return frozenset(group_of(category, self.parents) for category in categories)

    def category_text(self, key: str) -> str:
        """A detailed category as ``Name (key)``."""
        return f"{self.vocabulary.category_name(key)} ({key})"

    def country_text(self, code: str) -> str:
        """A country by name and code, with ``outside the EEA`` when it is (TR-1)."""
        named = f"{country_name(code, self.places.country(code))} ({code})"
        if self.places.in_eea(code):
            return named
        return _("%(country)s, outside the EEA") % {"country": named}

    def outside(self, countries: Iterable[str]) -> tuple[str, ...]:
        """The codes of ``countries`` outside the EEA."""
        return tuple(code for code in countries if not self.places.in_eea(code))


@dataclass(frozen=True)
class Links:
    """The edges as pairs of node ids, to name the nodes each node is linked to."""

    edges_of: tuple[tuple[str, str], ...]
    names: dict[str, str]

    def near(self, node: str, kind: str) -> tuple[str, ...]:
        """The names of the nodes of ``kind`` linked to ``node``, either way, in edge order."""
        prefix = f"{kind}:"
        found = [b for a, b in self.edges_of if a == node and b.startswith(prefix)]
        found += [a for a, b in self.edges_of if b == node and a.startswith(prefix)]
        return _unique(self.names[other] for other in found)


# --- one function per kind ------------------------------------------------------------------


def purpose_node(purpose: Purpose, facts: Facts, links: Links) -> Node:
    """A purpose: its legal basis, the systems, datasets and recipients it uses."""
    basis = _(LEGAL_BASES[purpose.legal_basis]) if purpose.legal_basis else ""
    me = f"purpose:{purpose.key}"
    receiving = [r.name for r in facts.programme.recipients if purpose.key in r.purposes]
    used = [key for key, uses in facts.dataset_purposes.items() if purpose.key in uses]
    return Node(
        "purpose",
        purpose.key,
        purpose.name,
        basis or _("No legal basis recorded"),
        (
            Cell(_("Legal basis"), _lines([basis])),
            Cell(_("Systems"), _lines(links.near(me, "system"))),
            Cell(_("Datasets"), _lines(links.near(me, "dataset"))),
            Cell(_("Recipients"), _lines(receiving)),
            Cell(_("Data categories"), _lines(facts.category_text(c) for c in purpose.categories)),
        ),
        frozenset({purpose.key}),
        facts.groups_of(purpose.categories).union(*(facts.dataset_groups[key] for key in used)),
    )


def system_node(system: System, facts: Facts, links: Links) -> Node:
    """A system: its role, hosting country (outside the EEA said), purposes and datasets."""
    me = f"system:{system.key}"
    outside = facts.outside([system.hosting_country])
    hosted = _("Hosted in %(country)s") % {"country": system.hosting_country}
    if outside:
        hosted = _("Hosted outside the EEA: %(country)s") % {"country": system.hosting_country}
    provider = facts.names.get(f"recipient:{system.hosting_provider}", "")
    role = _("Processor (for a customer)") if system.role == "processor" else _("Controller")
    own = set(system.purposes).union(*(facts.dataset_purposes[d.key] for d in system.datasets))
    return Node(
        "system",
        system.key,
        system.name,
        hosted,
        (
            Cell(_("Role"), (role,)),
            Cell(_("Hosted in"), (facts.country_text(system.hosting_country),)),
            Cell(_("Hosting provider"), _lines([provider])),
            Cell(_("Purposes"), _lines(links.near(me, "purpose"))),
            Cell(_("Datasets"), _lines(links.near(me, "dataset"))),
            Cell(_("Sends to"), _lines(links.near(me, "recipient"))),
            Cell(_("Owner"), (system.owner,)),
        ),
        frozenset(own),
        facts.system_categories[system.key],
        outside_eea=bool(outside),
    )


def dataset_node(system: System, dataset: Dataset, facts: Facts, links: Links) -> Node:
    """A dataset: its system, collections, detailed categories and purposes."""
    me = f"dataset:{dataset.key}"
    return Node(
        "dataset",
        dataset.key,
        dataset.name,
        _("In %(system)s") % {"system": system.name},
        (
            Cell(_("System"), (system.name,)),
            Cell(_("Collections"), _lines(c.name for c in dataset.collections)),
            Cell(
                _("Data categories"),
                _lines(facts.category_text(c) for c in facts.dataset_categories[dataset.key]),
            ),
            Cell(_("Purposes"), _lines(links.near(me, "purpose"))),
        ),
        frozenset(system.purposes).union(facts.dataset_purposes[dataset.key]),
        frozenset(facts.dataset_groups[dataset.key]),
    )


def category_node(group: str, facts: Facts, links: Links) -> Node:
    """A category group: its detailed categories, the datasets holding them, who gets them."""
    programme = facts.programme
    details = _unique(
        [c for key in facts.dataset_categories for c in facts.dataset_categories[key]]
        + [c for r in programme.recipients for c in r.categories]
        + [c for p in programme.purposes for c in p.categories]
    )
    mine = sorted(c for c in details if group_of(c, facts.parents) == group)
    receiving = [r.name for r in programme.recipients if group in facts.groups_of(r.categories)]
    declaring = [p for p in programme.purposes if group in facts.groups_of(p.categories)]
    holding = [key for key, groups in facts.dataset_groups.items() if group in groups]
    count = ngettext("%(num)d detailed category", "%(num)d detailed categories", len(mine))
    return Node(
        "category",
        group,
        facts.names[f"category:{group}"],
        count % {"num": len(mine)},
        (
            Cell(_("Detailed categories"), _lines(facts.category_text(c) for c in mine)),
            Cell(_("Held in datasets"), _lines(links.near(f"category:{group}", "dataset"))),
            Cell(_("Purposes"), _lines(p.name for p in declaring)),
            Cell(_("Received by"), _lines(receiving)),
        ),
        frozenset(p.key for p in declaring).union(
            *(facts.dataset_purposes[key] for key in holding)
        ),
        frozenset({group}),
    )


def recipient_node(recipient: Recipient, facts: Facts, links: Links) -> Node:
    """A recipient: its kind, countries, transfer outside the EEA and safeguard (TR-2)."""
    outside = facts.outside(recipient.countries)
    kind = _(RECIPIENT_KINDS[recipient.kind])
    codes = ", ".join(recipient.countries) or _("country not recorded")
    subtitle = f"{kind}, {codes}"
    transfer = _("No transfer outside the EEA")
    if outside:
        subtitle = _("Outside the EEA: %(countries)s, %(safeguard)s") % {
            "countries": ", ".join(outside),
            "safeguard": safeguard_short(recipient),
        }
        named = ", ".join(facts.country_text(code) for code in outside)
        transfer = _("Transfer outside the EEA to %(countries)s") % {"countries": named}
    purposes = [facts.names.get(f"purpose:{key}", key) for key in recipient.purposes]
    return Node(
        "recipient",
        recipient.key,
        recipient.name,
        subtitle,
        (
            Cell(_("Kind"), (kind,)),
            Cell(_("Countries"), _lines(facts.country_text(c) for c in recipient.countries)),
            Cell(_("Transfer"), (transfer,)),
            Cell(_("Safeguard"), safeguard_lines(recipient, bool(outside))),
            Cell(
                _("Receives from systems"),
                _lines(links.near(f"recipient:{recipient.key}", "system")),
            ),
            Cell(_("Purposes"), _lines(purposes)),
            Cell(
                _("Data categories"), _lines(facts.category_text(c) for c in recipient.categories)
            ),
        ),
        frozenset(recipient.purposes),
        facts.groups_of(recipient.categories),
        outside_eea=bool(outside),
    )


# --- helpers ----------------------------------------------------------------------------------


def _names(programme: Programme, vocabulary: Vocabulary, groups: Iterable[str]) -> dict[str, str]:
    names = {f"purpose:{p.key}": p.name for p in programme.purposes}
    names.update({f"system:{s.key}": s.name for s in programme.systems})
    names.update({f"dataset:{d.key}": d.name for _s, d in programme.datasets()})
    names.update({f"category:{g}": vocabulary.category_name(g) for g in groups})
    names.update({f"recipient:{r.key}": r.name for r in programme.recipients})
    return names


def _fields_categories(dataset: Dataset) -> list[str]:
    return [c for coll in dataset.collections for f in coll.fields for c in f.data_categories]


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


def _lines(items: Iterable[str]) -> tuple[str, ...]:
    """The non-empty ``items`` without repeats; ``None`` (in words) when there is none."""
    return _unique(items) or (_("None"),)


def _shorten(text: str, longest: int) -> str:
    return text if len(text) <= longest else text[: longest - 1].rstrip() + "…"
