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

import re
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal, Protocol, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

Key = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]*$", min_length=1, max_length=120)
]
"""A programme key: lower-case letters, digits, ``_``, ``-`` and dots (dotted keys nest)."""

CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
"""ISO 3166-1 alpha-2 country code, upper case (``BE``, ``US``)."""

Text = Annotated[str, StringConstraints(min_length=1, max_length=20_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500)]
EnvName = Annotated[str, StringConstraints(pattern=r"^[A-Z_][A-Z0-9_]*$", max_length=200)]


class Model(BaseModel):
    """Base of every programme model: immutable and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# --- durations ---------------------------------------------------------------------------

_DURATION = re.compile(
    r"^\s*(?P<n>\d{1,6})\s*(?P<unit>h|hours?|d|days?|w|weeks?|m|months?|y|years?)\s*$",
    re.IGNORECASE,
)
_HOURS_PER_UNIT = {"h": 1, "d": 24, "w": 24 * 7, "m": 24 * 30, "y": 24 * 365}


def duration_hours(text: str) -> int:
    """Approximate length of a duration like ``24h``, ``30 days``, ``7y`` in hours.

    Used to compare retention periods (a longer period is a material change);
    raises ValueError for text that is not a duration.
    """
    match = _DURATION.match(text)
    if not match:
        raise ValueError(
            f"{text!r} is not a duration; write a number and a unit, e.g. 24h, 30d, 6m, 7y"
        )
    return int(match["n"]) * _HOURS_PER_UNIT[match["unit"][0].lower()]


def _check_duration(value: str | None) -> str | None:
    if value is not None:
        duration_hours(value)
    return value


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
    expires_after: ShortText | None = None

    _duration = field_validator("expires_after")(_check_duration)


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
    period: ShortText | None = None
    criterion: Text | None = None
    trigger: ShortText = "collection"
    choices: list[ShortText] = Field(default_factory=list)
    action: Literal["delete", "anonymise"] = "delete"
    legal_basis: Text | None = None

    _period = field_validator("period")(_check_duration)

    @field_validator("choices")
    @classmethod
    def _choices_are_durations(cls, values: list[str]) -> list[str]:
        for value in values:
            duration_hours(value)
        return values


# --- systems and datasets -----------------------------------------------------------------

Provenance = Literal["provided", "observed", "derived", "third_party"]
MaskingStrategy = Literal["null", "fixed", "hash", "random", "delete"]


class Reference(Model):
    """A link from this field to a field of another collection (``collection.field``).

    ``to`` may be ``collection.field`` within the same dataset or
    ``dataset.collection.field`` across datasets of the programme.
    ``direction: none`` documents a link that requests never follow, such as a
    contact's employer in B2B data: the company record is not the contact's data.
    """

    to: ShortText
    direction: Literal["to", "from", "both", "none"] = "both"


class DatasetField(Model):
    """A column, with the personal-data categories it holds."""

    name: ShortText
    description: Text | None = None
    type: ShortText | None = None
    data_categories: list[Key] = Field(default_factory=list)
    identity: Key | None = None
    primary_key: bool = False
    references: list[Reference] = Field(default_factory=list)
    provenance: Provenance = "provided"
    masking: MaskingStrategy | None = None
    masking_value: ShortText | None = None
    length: int | None = Field(default=None, ge=1, le=1_000_000)
    nullable: bool = True


class Collection(Model):
    """A table (or file, or API resource) of a dataset."""

    name: ShortText
    description: Text | None = None
    fields: list[DatasetField] = Field(min_length=1)
    restriction_flag: ShortText | None = None
    erase: Literal["mask", "delete"] = "mask"
    purposes: list[Key] = Field(default_factory=list)


class Dataset(Model):
    """A described database or store of a system: its collections and their links."""

    key: Key
    name: ShortText
    description: Text | None = None
    collections: list[Collection] = Field(min_length=1)


class ConnectorSettings(Model):
    """How tutela reaches a system. Secrets come from the environment, never from YAML."""

    type: Key = "sql"
    url: ShortText | None = None
    url_env: EnvName | None = None
    password_env: EnvName | None = None
    options: dict[str, str | int | bool | float] = Field(default_factory=dict)


class ProcessingAgreement(Model):
    """A data processing agreement under Art. 28(3) (PR-1)."""

    reference: ShortText
    signed: date | None = None
    terms: list[
        Literal[
            "documented_instructions",
            "confidentiality",
            "security",
            "sub_processors",
            "assist_data_subject_requests",
            "assist_security_and_dpia",
            "delete_or_return",
            "audits",
        ]
    ] = Field(default_factory=list)


class System(Model):
    """A system (application, database, SaaS tool) holding personal data."""

    key: Key
    name: ShortText
    description: Text | None = None
    owner: ShortText
    role: Literal["controller", "processor"] = "controller"
    controller: ShortText | None = None
    controller_contact: ShortText | None = None
    dpa: ProcessingAgreement | None = None
    hosting_country: CountryCode
    purposes: list[Key] = Field(default_factory=list)
    processing_activities: list[ShortText] = Field(default_factory=list)
    retention: Key | None = None
    connector: ConnectorSettings | None = None
    datasets: list[Dataset] = Field(default_factory=list)
    security_measures: list[ShortText] = Field(default_factory=list)


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


# --- cookies, anonymisation, masking --------------------------------------------------------


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


class MaskingRule(Model):
    """Default erasure strategy for a data category (fields may override)."""

    category: Key
    strategy: MaskingStrategy
    value: ShortText | None = None


class Masking(Model):
    """Erasure settings: strategies per category and where the hash key comes from."""

    hash_key_env: EnvName = "TUTELA_HASH_KEY"
    default: MaskingStrategy = "null"
    rules: list[MaskingRule] = Field(default_factory=list)


# --- the programme --------------------------------------------------------------------------


class Programme(Model):
    """A whole privacy programme, merged from the YAML files of one folder."""

    organisation: Organisation
    statement: Statement
    rights: Rights
    complaints: Complaints
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
