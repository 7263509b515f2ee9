"""The privacy programme as typed, immutable models.

A programme is a folder of YAML files; each file holds one or more of the
top-level sections of :class:`Programme`. Every model forbids unknown keys, so a
mistyped key is an error, not a silently ignored setting. Cross-references
between sections (a purpose naming a category, a reference naming a collection)
are checked by :mod:`tutela.programme.references` after the models validate.

Legal anchors: Art. 13/14 (what the statement says), Art. 30 (records),
Arts. 44-49 (transfers), Art. 28 (processor terms). Rule ids refer to GDPR.md.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal, Protocol, TypeVar

from pydantic import Field

from tutela.programme.durations import Duration, DurationText
from tutela.programme.systems import (
    Collection,
    ConnectorSettings,
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
from tutela.programme.types import CountryCode, EnvName, Key, Model, ShortText, Text

# --- organisation, contacts, statement -------------------------------------------------


class Address(Model):
    """A postal address."""

    street: ShortText
    city: ShortText
    postal_code: ShortText | None = None
    region: ShortText | None = None
    country: CountryCode


class Contact(Model):
    """A person or office that can be contacted (DPO, EU representative)."""

    name: ShortText
    email: ShortText | None = None
    phone: ShortText | None = None
    address: Address | None = None


class Organisation(Model):
    """The controller: who decides why and how personal data is processed (Art. 13(1)(a))."""

    legal_name: ShortText
    trading_name: ShortText | None = None
    legal_form: ShortText | None = None
    registration_number: ShortText
    registered_address: Address
    website: ShortText | None = None
    privacy_email: ShortText
    privacy_postal_address: Address
    dpo: Contact | None = None
    eu_representative: Contact | None = None
    lead_supervisory_authority: CountryCode
    establishment_country: CountryCode
    timezone: ShortText = "UTC"
    affiliates: list[ShortText] = Field(default_factory=list)
    security_measures: list[ShortText] = Field(default_factory=list)


class ChangeLogEntry(Model):
    """One published version of the statement."""

    version: ShortText
    date: date
    summary: Text
    material: bool = False


class Statement(Model):
    """Metadata of the rendered privacy statement (NT-1: versioned and dated)."""

    title: ShortText
    version: ShortText | None = None
    effective_date: date | None = None
    languages: list[ShortText] = Field(default_factory=lambda: ["en"])
    url: ShortText | None = None
    scope: Text | None = None
    change_notice: Text | None = None
    links_policy: Text | None = None
    community_policy: Text | None = None
    security: Text | None = None
    change_log: list[ChangeLogEntry] = Field(default_factory=list)


# --- rights and complaints ---------------------------------------------------------------

RightName = Literal["access", "rectification", "erasure", "restriction", "objection", "portability"]


ALL_RIGHTS: tuple[RightName, ...] = (
    "access",
    "rectification",
    "erasure",
    "restriction",
    "objection",
    "portability",
)
Regime = Literal["gdpr", "ccpa"]


def _all_rights() -> list[RightName]:
    return list(ALL_RIGHTS)


def _gdpr_only() -> list[Regime]:
    return ["gdpr"]


class Rights(Model):
    """How data subjects exercise their rights (Arts. 12, 15-22)."""

    channels: list[ShortText] = Field(min_length=1)
    offered: list[RightName] = Field(default_factory=_all_rights)
    regimes: list[Regime] = Field(default_factory=_gdpr_only)
    identity_verification: Text
    fees: Text
    refusals: Text
    unsubscribe: Text | None = None
    response_time: ShortText = "1 month"


class Complaints(Model):
    """Where a dissatisfied subject can turn (CP-1, Art. 77)."""

    contact_email: ShortText
    postal_address: Address | None = None
    authorities: list[CountryCode] = Field(min_length=1)
    notes: Text | None = None


# --- vocabulary: subjects, categories, sources -----------------------------------------


class DataSubject(Model):
    """A category of data subjects (customers' contacts, website visitors, applicants)."""

    key: Key
    name: ShortText
    description: Text | None = None
    taxonomy: list[Key] = Field(default_factory=list)


class DataCategory(Model):
    """A data category the programme adds to the fideslang default taxonomy."""

    key: Key
    name: ShortText
    description: Text | None = None
    parent: Key | None = None
    special: bool = False
    criminal: bool = False


SourceKind = Literal["subject", "observed", "third_party", "derived"]


class Source(Model):
    """Where data comes from (Art. 13 vs Art. 14; Art. 14(2)(f))."""

    key: Key
    name: ShortText
    kind: SourceKind
    description: Text | None = None
    provider: ShortText | None = None
    categories: list[Key] = Field(default_factory=list)
    subjects: list[Key] = Field(default_factory=list)
    notice: Text | None = None
    art14_exemption: Text | None = None


# --- purposes -----------------------------------------------------------------------------


class LegalBasis(StrEnum):
    """The six bases of Art. 6(1)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


class Art9Condition(StrEnum):
    """Conditions of Art. 9(2) that lift the ban on special categories."""

    EXPLICIT_CONSENT = "explicit_consent"
    EMPLOYMENT = "employment"
    VITAL_INTERESTS = "vital_interests"
    NOT_FOR_PROFIT = "not_for_profit"
    MADE_PUBLIC = "made_public"
    LEGAL_CLAIMS = "legal_claims"
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial_public_interest"
    HEALTH_CARE = "health_care"
    PUBLIC_HEALTH = "public_health"
    ARCHIVING_RESEARCH = "archiving_research"


class LegitimateInterestAssessment(Model):
    """The three-step test of Art. 6(1)(f) (LB-2)."""

    interest: Text
    necessity: Text
    balancing: Text
    reference: ShortText | None = None
    assessed_on: date | None = None


class ConsentNotice(Model):
    """How consent is asked and withdrawn (CO-1..CO-3)."""

    notice: Text
    notice_version: ShortText | None = None
    methods: list[ShortText] = Field(min_length=1)
    withdrawal: Text
    expires_after: DurationText | None = None


class DirectMarketing(Model):
    """Direct marketing details (MK-1, MK-2, OB-2)."""

    channels: list[Literal["email", "sms", "phone", "post", "push"]] = Field(min_length=1)
    soft_opt_in: bool = False
    unsubscribe: Text | None = None


class Profiling(Model):
    """Profiling and automated decisions (Art. 13(2)(f), Art. 22, AD-1)."""

    profiling: bool = True
    automated_decision: bool = False
    logic: Text | None = None
    significance: Text | None = None
    consequences: Text | None = None
    human_review: Text | None = None


class Purpose(Model):
    """Why data is processed, on which basis, about whom, for how long (LB-1)."""

    key: Key
    name: ShortText
    description: Text
    data_uses: list[Key] = Field(default_factory=list)
    legal_basis: LegalBasis | None = None
    legitimate_interest: LegitimateInterestAssessment | None = None
    consent: ConsentNotice | None = None
    legal_obligation: Text | None = None
    special_category_condition: Art9Condition | None = None
    categories: list[Key] = Field(default_factory=list)
    subjects: list[Key] = Field(default_factory=list)
    sources: list[Key] = Field(default_factory=list)
    profiling: Profiling | None = None
    direct_marketing: DirectMarketing | None = None
    notice_at_collection: Text | None = None
    retention: Key | None = None
    anonymised_output: bool = False


# --- retention -----------------------------------------------------------------------------


class RetentionRule(Model):
    """How long data is kept: a period after a trigger, or a stated criterion (RT-1)."""

    key: Key
    name: ShortText
    description: Text | None = None
    period: DurationText | None = None
    criterion: Text | None = None
    trigger: ShortText = "collection"
    choices: list[DurationText] = Field(default_factory=list)
    action: Literal["delete", "anonymise"] = "delete"
    legal_basis: Text | None = None


# --- recipients and transfers -------------------------------------------------------------


class TransferImpactAssessment(Model):
    """A transfer impact assessment (TR-5): reference, date and review date."""

    reference: ShortText
    assessed_on: date
    review_on: date | None = None


class Safeguard(Model):
    """The Chapter V tool for a transfer outside the EEA (TR-2, TR-4)."""

    mechanism: Literal[
        "adequacy", "scc", "bcr", "certification", "code_of_conduct", "ad_hoc", "derogation"
    ]
    scc_module: Literal["M1", "M2", "M3", "M4"] | None = None
    scc_decision: ShortText | None = None
    signed: date | None = None
    tia: TransferImpactAssessment | None = None
    derogation: ShortText | None = None
    reference: ShortText | None = None


class Recipient(Model):
    """Who receives personal data (Art. 13(1)(e), AC-3: named where possible)."""

    key: Key
    name: ShortText
    kind: Literal["processor", "controller", "joint_controller", "public_authority", "affiliate"]
    description: Text | None = None
    named: bool = True
    purposes: list[Key] = Field(default_factory=list)
    categories: list[Key] = Field(default_factory=list)
    countries: list[CountryCode] = Field(default_factory=list)
    dpf_certified: bool = False
    dpf_expires: date | None = None
    safeguard: Safeguard | None = None
    supplementary_measures: list[ShortText] = Field(default_factory=list)
    privacy_statement_url: ShortText | None = None
    dpa: ProcessingAgreement | None = None


# --- cookies and anonymisation --------------------------------------------------------


class Cookie(Model):
    """A cookie or similar technology (ePD Art. 5(3), CK-1..CK-3)."""

    name: ShortText
    provider: ShortText
    category: Literal["necessary", "preferences", "statistics", "marketing"]
    duration: ShortText
    description: Text | None = None
    purpose: Key | None = None
    third_party: bool = False


class AnonymisedRelease(Model):
    """Anonymised data shared for statistics (Recital 26, AN-1..AN-3)."""

    key: Key
    name: ShortText
    description: Text
    source_purposes: list[Key] = Field(default_factory=list)
    recipients: list[ShortText] = Field(default_factory=list)
    method: Literal["aggregation", "k_anonymity", "l_diversity", "differential_privacy"]
    quasi_identifiers: list[ShortText] = Field(default_factory=list)
    k: int | None = Field(default=None, ge=2)
    l: int | None = Field(default=None, ge=2)  # noqa: E741 - l-diversity's own name
    min_cell: int | None = Field(default=None, ge=2)


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
    "ChangeLogEntry",
    "Collection",
    "Complaints",
    "ConnectorSettings",
    "ConsentNotice",
    "Contact",
    "Cookie",
    "CountryCode",
    "DataCategory",
    "DataSubject",
    "Dataset",
    "DatasetField",
    "DirectMarketing",
    "Duration",
    "DurationText",
    "EnvName",
    "Identity",
    "IdentityKind",
    "Key",
    "LegalBasis",
    "LegitimateInterestAssessment",
    "Masking",
    "MaskingRule",
    "MaskingStrategy",
    "Model",
    "Organisation",
    "ProcessingAgreement",
    "Profiling",
    "Programme",
    "Provenance",
    "Purpose",
    "Recipient",
    "Reference",
    "Regime",
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
]
