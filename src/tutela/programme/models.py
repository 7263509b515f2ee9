"""The privacy programme as typed, immutable models.

A programme is a folder of YAML files; each file holds one or more of the
top-level sections of :class:`Programme`. Every model forbids unknown keys, so a
mistyped key is an error, not a silently ignored setting. Cross-references
between sections (a purpose naming a category, a reference naming a collection)
are checked by :mod:`tutela.programme.references` after the models validate.
The legal sections live in :mod:`tutela.programme.legal`, purposes and retention in
:mod:`tutela.programme.purposes`, recipients and transfers in
:mod:`tutela.programme.recipients`, systems in :mod:`tutela.programme.systems`;
this module re-exports them all.

Legal anchors: Art. 13/14 (what the statement says), Art. 30 (records),
Arts. 44-49 (transfers), Art. 28 (processor terms). Rule ids refer to GDPR.md.
"""

from __future__ import annotations

from typing import Literal, Protocol, TypeVar

from pydantic import Field

from tutela.programme.accountability import ChildConsent, Dpia, JointArrangement, PriorConsultation
from tutela.programme.durations import Duration, DurationText
from tutela.programme.legal import (
    ALL_RIGHTS,
    Address,
    ChangeLogEntry,
    Complaints,
    Contact,
    Establishment,
    Organisation,
    Regime,
    RightName,
    Rights,
    Statement,
)
from tutela.programme.purposes import (
    Art9Condition,
    ConsentNotice,
    DirectMarketing,
    LegalBasis,
    LegitimateInterestAssessment,
    Profiling,
    Purpose,
    RetentionCover,
    RetentionRule,
)
from tutela.programme.recipients import Recipient, Safeguard, TransferImpactAssessment
from tutela.programme.register import Assumption, ControllerCustomer
from tutela.programme.releases import Algorithm, Diversity, Hierarchy, Metric, ReleaseSource
from tutela.programme.systems import (
    Collection,
    ConnectorSettings,
    ConsentWebhook,
    Dataset,
    DatasetField,
    Identity,
    IdentityKind,
    Masking,
    MaskingRule,
    MaskingStrategy,
    ProcessingAgreement,
    Provenance,
    Reference,
    System,
)
from tutela.programme.translations import Translation
from tutela.programme.types import (
    CountryCode,
    EnvName,
    Key,
    Label,
    LocalText,
    Model,
    Note,
    ShortText,
    Text,
)

# --- vocabulary: subjects, categories, sources -----------------------------------------


class DataSubject(Model):
    """A category of data subjects (customers' contacts, website visitors, applicants).

    ``children`` says the category includes children (Art. 8, Recital 38).
    ``categories`` are the data categories that concern these subjects (Art. 13(1),
    14(1)(d)): the statement pairs a purpose's or a source's categories with these
    subjects only where listed here, falling back to every pair when it is empty.
    """

    key: Key
    name: Label
    description: Text | None = None
    taxonomy: list[Key] = Field(default_factory=list)
    children: bool = False
    categories: list[Key] = Field(default_factory=list)


class DataCategory(Model):
    """A data category the programme adds to the fideslang default taxonomy."""

    key: Key
    name: Label
    description: Text | None = None
    parent: Key | None = None
    special: bool = False
    criminal: bool = False


SourceKind = Literal["subject", "observed", "third_party", "derived"]


class Source(Model):
    """Where data comes from (Art. 13 vs Art. 14; Art. 14(2)(f))."""

    key: Key
    name: Label
    kind: SourceKind
    description: Text | None = None
    provider: Label | None = None
    categories: list[Key] = Field(default_factory=list)
    subjects: list[Key] = Field(default_factory=list)
    notice: Text | None = None
    notice_within: DurationText | None = None
    art14_exemption: Text | None = None


# --- cookies and anonymisation --------------------------------------------------------


CookieExemption = Literal[
    "transmission",
    "user_input",
    "authentication",
    "security",
    "multimedia_player",
    "load_balancing",
    "ui_customisation",
    "social_plugin",
]
"""The ePD Art. 5(3) exemptions a cookie may rely on (WP194 §3-4; GDPR.md CK-2)."""


class Cookie(Model):
    """A cookie or similar technology (ePD Art. 5(3), CK-1..CK-3).

    ``exemption`` names the WP194 exemption a ``preferences`` (or ``necessary``) cookie
    relies on to be set without consent, e.g. ``ui_customisation`` for a language cookie.
    """

    name: ShortText
    provider: Label
    category: Literal["necessary", "preferences", "statistics", "marketing"]
    duration: Label
    description: Text | None = None
    purpose: Key | None = None
    third_party: bool = False
    exemption: CookieExemption | None = None


class AnonymisedRelease(Model):
    """Anonymised data shared for statistics (Recital 26, AN-1..AN-3)."""

    key: Key
    name: Label
    description: Text
    source_purposes: list[Key] = Field(default_factory=list)
    recipients: list[Label] = Field(default_factory=list)
    method: Literal[
        "aggregation", "k_anonymity", "l_diversity", "t_closeness", "differential_privacy"
    ]
    quasi_identifiers: list[ShortText] = Field(default_factory=list)
    k: int | None = Field(default=None, ge=2)
    l: int | None = Field(default=None, ge=2)  # noqa: E741 - l-diversity's own name
    min_cell: int | None = Field(default=None, ge=2)
    # how `tutela anonymise` makes it (tutela.programme.releases)
    source: ReleaseSource | None = None
    hierarchies: dict[ShortText, Hierarchy] = Field(default_factory=dict)
    sensitive: list[ShortText] = Field(default_factory=list)
    diversity: Diversity = "distinct"
    t: float | None = Field(default=None, gt=0, le=1)
    max_suppression: float = Field(default=0.0, ge=0, le=0.5)
    metric: Metric = "gcp"
    algorithm: Algorithm = "auto"
    keep: list[ShortText] = Field(default_factory=list)


# --- the programme --------------------------------------------------------------------------


class Programme(Model):
    """A whole privacy programme, merged from the YAML files of one folder.

    The legal sections (:data:`LEGAL_SECTIONS`: ``organisation``, ``statement``,
    ``rights``, ``complaints``) are optional here: the DSR engine needs only systems
    and datasets. ``tutela check`` reports a missing legal section as an error, and
    the statement and the records take a :class:`tutela.programme.published.PublishedProgramme`,
    which has them all.
    """

    organisation: Organisation | None = None
    statement: Statement | None = None
    rights: Rights | None = None
    complaints: Complaints | None = None
    subjects: list[DataSubject] = Field(default_factory=list)
    categories: list[DataCategory] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    purposes: list[Purpose] = Field(default_factory=list)
    retention: list[RetentionRule] = Field(default_factory=list)
    systems: list[System] = Field(default_factory=list)
    recipients: list[Recipient] = Field(default_factory=list)
    cookies: list[Cookie] = Field(default_factory=list)
    anonymisation: list[AnonymisedRelease] = Field(default_factory=list)
    masking: Masking = Field(default_factory=Masking)
    identities: list[Identity] = Field(default_factory=list)
    dpa_register: list[ControllerCustomer] = Field(default_factory=list)
    assumptions: list[Assumption] = Field(default_factory=list)
    dpias: list[Dpia] = Field(default_factory=list)
    translations: list[Translation] = Field(default_factory=list)

    def purpose(self, key: str) -> Purpose:
        """The purpose with ``key``; KeyError if there is none."""
        return _by_key(self.purposes, key)

    def recipient(self, key: str) -> Recipient:
        """The recipient with ``key``; KeyError if there is none."""
        return _by_key(self.recipients, key)

    def retention_rule(self, key: str) -> RetentionRule:
        """The retention rule with ``key``; KeyError if there is none."""
        return _by_key(self.retention, key)

    def system(self, key: str) -> System:
        """The system with ``key``; KeyError if there is none."""
        return _by_key(self.systems, key)

    def identity(self, key: str) -> Identity:
        """Identity ``key`` as ``identities`` declares it, else inferred from the key."""
        for identity in self.identities:
            if identity.key == key:
                return identity
        return Identity.inferred(key)

    def datasets(self) -> list[tuple[System, Dataset]]:
        """Every dataset of every system, with the system that holds it."""
        return [(system, dataset) for system in self.systems for dataset in system.datasets]


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...


K = TypeVar("K", bound=_Keyed)


def _by_key(items: list[K], key: str) -> K:
    for item in items:
        if item.key == key:
            return item
    raise KeyError(key)


SECTIONS: tuple[str, ...] = tuple(Programme.model_fields)
"""The top-level keys a programme file may hold."""

LEGAL_SECTIONS: tuple[str, ...] = ("organisation", "statement", "rights", "complaints")
"""The sections the statement and the records need, and the DSR engine does not."""

__all__ = [
    "ALL_RIGHTS",
    "LEGAL_SECTIONS",
    "SECTIONS",
    "Address",
    "AnonymisedRelease",
    "Art9Condition",
    "Assumption",
    "ChangeLogEntry",
    "ChildConsent",
    "Collection",
    "Complaints",
    "ConnectorSettings",
    "ConsentNotice",
    "ConsentWebhook",
    "Contact",
    "ControllerCustomer",
    "Cookie",
    "CountryCode",
    "DataCategory",
    "DataSubject",
    "Dataset",
    "DatasetField",
    "DirectMarketing",
    "Dpia",
    "Duration",
    "DurationText",
    "EnvName",
    "Establishment",
    "Identity",
    "IdentityKind",
    "JointArrangement",
    "Key",
    "Label",
    "LegalBasis",
    "LegitimateInterestAssessment",
    "LocalText",
    "Masking",
    "MaskingRule",
    "MaskingStrategy",
    "Model",
    "Note",
    "Organisation",
    "PriorConsultation",
    "ProcessingAgreement",
    "Profiling",
    "Programme",
    "Provenance",
    "Purpose",
    "Recipient",
    "Reference",
    "Regime",
    "RetentionCover",
    "RetentionRule",
    "RightName",
    "Rights",
    "Safeguard",
    "ShortText",
    "Source",
    "SourceKind",
    "Statement",
    "System",
    "Text",
    "TransferImpactAssessment",
    "Translation",
]
