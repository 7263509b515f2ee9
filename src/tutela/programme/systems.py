"""Systems and their datasets: where personal data lives, how tutela reaches it, how it is erased.

Part of :mod:`tutela.programme.models` (which re-exports every name); Art. 30(1)(c)-(d),
Art. 28 (processor terms), Art. 17 (erasure strategies, ER-1).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, field_validator, model_validator

from tutela.programme.types import CountryCode, EnvName, Key, Label, Model, ShortText, Text

# --- identities ----------------------------------------------------------------------------

IdentityKind = Literal["email", "phone", "exact"]
NormaliseStep = Literal["trim", "lower"]
_PHONE_WORDS = ("phone", "mobile", "msisdn")


class Identity(Model):
    """An identity a request may give, and how its values are written before they compare.

    ``email``: trimmed and lower-cased, and the column compared lower-cased;
    ``phone``: E.164 (``+32470123456``), ``region`` reading numbers written
    without ``+`` (default: the organisation's ``establishment_country``);
    ``exact``: trimmed, then ``normalise`` (``[trim, lower]``, or ``none``).
    Without a declaration an identity is inferred from its key (see :meth:`inferred`).
    Identifying the subject from what they write is ID-3 (Art. 12(2)).
    """

    key: Key
    kind: IdentityKind = "exact"
    normalise: list[NormaliseStep] | Literal["none"] | None = None
    region: CountryCode | None = None
    description: Text | None = None

    @model_validator(mode="after")
    def _fits_kind(self) -> Identity:
        if self.normalise is not None and self.kind != "exact":
            raise ValueError("`normalise` is for kind `exact`: e-mail and phone have their own")
        if self.region is not None and self.kind != "phone":
            raise ValueError("`region` is for kind `phone`")
        return self

    @classmethod
    def inferred(cls, key: str) -> Identity:
        """The identity ``key`` is taken to be when undeclared: by the words in its name.

        ``email`` in the key: an e-mail; ``phone``, ``mobile`` or ``msisdn``: a
        phone number; anything else (``customer_id``): exact.
        """
        if "email" in key or "e_mail" in key:
            return cls(key=key, kind="email")
        if any(word in key for word in _PHONE_WORDS):
            return cls(key=key, kind="phone")
        return cls(key=key)

    @property
    def lower(self) -> bool:
        """Whether values compare lower-cased (on both sides)."""
        if self.kind == "exact":
            return isinstance(self.normalise, list) and "lower" in self.normalise
        return self.kind == "email"


# --- systems and datasets -----------------------------------------------------------------

Provenance = Literal["provided", "observed", "derived", "third_party"]
MaskingStrategy = Key
"""An erasure strategy's name: a built-in (``null``, ``fixed``, ``hash``, ``random``,
``delete``) or an installed plug-in's; :mod:`tutela.programme.references` checks it
against the installed strategies when the programme loads (``tutela plugins list``)."""


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
    """A column, with the personal-data categories it holds.

    ``rectifiable`` lets a data subject set the field through a rectification
    request (RE-1, Art. 16). Keys, references, identities, restriction flags and
    fields retained under a legal obligation are never rectifiable, flag or not
    (:mod:`tutela.programme.rectification`; ``tutela check`` reports the flag there).
    ``about_others`` says the field holds other people's data (a gift message's
    recipient): access withholds it, giving this text as the reason (Art. 15(4)).
    """

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
    masking_domain: Key | None = None
    length: int | None = Field(default=None, ge=1, le=1_000_000)
    nullable: bool = True
    rectifiable: bool = False
    about_others: ShortText | None = None


class Collection(Model):
    """A table (or file, or API resource) of a dataset.

    ``retention_from`` names the field holding the date each row's retention
    counts from (the trigger of its retention rule, such as the invoice date):
    a field kept under a legal obligation is kept per row until that date plus
    the period, and erased once it has passed (ER-2). Retention sweeps count from it
    too (issue 18). It may name a field of a collection this one references,
    ``scan.completed_at``: the period then counts from that event, and the sweep
    proves its work per event.

    ``customer_field`` names the field (or ``collection.field`` through a reference)
    holding the processor customer each row belongs to: its value is the customer's
    ``account`` in the DPA register.
    """

    name: ShortText
    description: Text | None = None
    fields: list[DatasetField] = Field(min_length=1)
    restriction_flag: ShortText | None = None
    erase: Literal["mask", "delete"] = "mask"
    purposes: list[Key] = Field(default_factory=list)
    retention_from: ShortText | None = None
    customer_field: ShortText | None = None


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


class ConsentWebhook(Model):
    """Where a system is told of consent and objection changes (CO-3, OB-2; issue 17).

    tutela POSTs each change to ``url`` as JSON in the shape of a Ketch forwarder
    payload, signed with HMAC-SHA256 under the secret held by the environment variable
    ``secret_env``, and retries until delivered. ``purposes`` limits the changes pushed
    to those purposes (default: the system's own ``purposes``).
    """

    url: ShortText
    secret_env: EnvName
    purposes: list[Key] = Field(default_factory=list)

    @field_validator("url")
    @classmethod
    def _secure_url(cls, value: str) -> str:
        from tutela.programme.recipients import webhook_url_problem  # it imports this module

        problem = webhook_url_problem(value)
        if problem:
            raise ValueError(f"`url`: {problem}")
        return value


class System(Model):
    """A system (application, database, SaaS tool) holding personal data."""

    key: Key
    name: Label
    description: Text | None = None
    owner: ShortText
    role: Literal["controller", "processor"] = "controller"
    controller: Label | None = None
    controller_contact: ShortText | None = None
    dpa: ProcessingAgreement | None = None
    hosting_country: CountryCode
    hosting_provider: Key | None = None
    purposes: list[Key] = Field(default_factory=list)
    processing_activities: list[ShortText] = Field(default_factory=list)
    retention: Key | None = None
    connector: ConnectorSettings | None = None
    datasets: list[Dataset] = Field(default_factory=list)
    security_measures: list[Label] = Field(default_factory=list)
    consent_webhook: ConsentWebhook | None = None


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
