"""Purposes of processing and retention rules: the why and the how long.

A purpose states its legal basis (Art. 6(1)), any Art. 9(2) condition, the
legitimate-interest assessment or consent notice behind it, profiling and direct
marketing; a retention rule states how long data is kept (RT-1). Re-exported by
:mod:`tutela.programme.models`; this module must not import it.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import Field

from tutela.programme.accountability import ChildConsent
from tutela.programme.durations import DurationText
from tutela.programme.types import CountryCode, Key, Label, Model, Note, ShortText, Text

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
    """Conditions of Art. 9(2) that lift the ban on special categories, points (a) to (j).

    Some fit only some people: ``employment`` (b) employees and applicants, ``not_for_profit``
    (d) a body's members, ``health_care`` (h) patients and, for occupational medicine,
    employees (``tutela check``: ``lawfulness/art9-condition-does-not-fit-subjects``).
    """

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
    necessity: Note
    balancing: Note
    reference: ShortText | None = None
    assessed_on: date | None = None


ConsentAct = Literal[
    "checkbox",
    "button",
    "toggle",
    "cookie_banner",
    "double_opt_in",
    "email",
    "recorded_call",
    "signed_form",
    "pre_ticked_checkbox",
    "continued_browsing",
    "scrolling",
    "silence",
    "inactivity",
    "bundled_with_terms",
]
"""How a person gives consent. The last six are no clear affirmative act (Art. 4(11),
Recital 32, C-673/17 Planet49; CO-1): they load, and ``tutela check`` rejects them."""

WithdrawalRoute = Literal[
    "one_click",
    "settings",
    "email",
    "web_form",
    "phone",
    "letter",
    "registered_letter",
    "in_person",
]
"""How a person withdraws consent, from the easiest (one click) to the hardest (CO-3)."""


class ConsentNotice(Model):
    """How consent is asked and withdrawn (CO-1..CO-3).

    ``given_by`` and ``withdrawn_by`` say the same as ``methods`` and ``withdrawal`` in a
    form ``tutela check`` can compare: withdrawing is as easy as giving (Art. 7(3)).
    """

    notice: Text
    notice_version: ShortText | None = None
    methods: list[Label] = Field(min_length=1)
    given_by: list[ConsentAct] = Field(default_factory=list)
    withdrawal: Text
    withdrawn_by: list[WithdrawalRoute] = Field(default_factory=list)
    expires_after: DurationText | None = None


class DirectMarketing(Model):
    """Direct marketing details (MK-1, MK-2, OB-2).

    ``phone`` is calls made by a person; ``automated_calls`` says the calls are made by an
    automated calling system, which needs consent like e-mail (ePD Art. 13(1)).
    ``products`` says what the messages offer, which the soft opt-in limits to the
    controller's own similar products (ePD Art. 13(2)).
    """

    channels: list[Literal["email", "sms", "phone", "post", "push"]] = Field(min_length=1)
    automated_calls: bool = False
    soft_opt_in: bool = False
    products: Literal["own_similar", "own_other", "third_party"] | None = None
    unsubscribe: Text | None = None


class Profiling(Model):
    """Profiling and automated decisions (Art. 13(2)(f), Art. 22, AD-1)."""

    profiling: bool = True
    automated_decision: bool = False
    logic: Text | None = None
    significance: Text | None = None
    consequences: Text | None = None
    human_review: Text | None = None


Monitoring = Literal["systematic", "publicly_accessible_area"]
"""Regular and systematic monitoring of people (Art. 37(1)(b); WP243 §2.1.4), or the
systematic monitoring of a publicly accessible area (Art. 35(3)(c))."""


class Purpose(Model):
    """Why data is processed, on which basis, about whom, for how long (LB-1).

    ``law_of`` says whose law ``legal_obligation`` is (``EU`` or an EEA country code): an
    Art. 6(1)(c) obligation must be Union or Member State law (Art. 6(3)). ``large_scale``,
    ``monitoring`` and ``core_activity`` decide whether a DPIA (Art. 35(3)) and a DPO
    (Art. 37(1)) are required.
    """

    key: Key
    name: Label
    description: Text
    data_uses: list[Key] = Field(default_factory=list)
    legal_basis: LegalBasis | None = None
    legitimate_interest: LegitimateInterestAssessment | None = None
    consent: ConsentNotice | None = None
    legal_obligation: Text | None = None
    law_of: list[CountryCode] = Field(default_factory=list)
    special_category_condition: Art9Condition | None = None
    categories: list[Key] = Field(default_factory=list)
    subjects: list[Key] = Field(default_factory=list)
    sources: list[Key] = Field(default_factory=list)
    profiling: Profiling | None = None
    direct_marketing: DirectMarketing | None = None
    notice_at_collection: Text | None = None
    retention: Key | None = None
    anonymised_output: bool = False
    child_consent: ChildConsent | None = None
    large_scale: bool = False
    monitoring: Monitoring | None = None
    core_activity: bool = False


# --- retention -----------------------------------------------------------------------------


class RetentionCover(Model):
    """What a rule's sweeps enforce it on (issue 18, docs/retention.md).

    ``collections`` are ``dataset.collection`` addresses; ``categories`` and ``purposes``
    cover every collection holding a field of the category (or one under it) or listed
    for the purpose. Each covered collection names its time column (``retention_from``).
    """

    collections: list[ShortText] = Field(default_factory=list)
    categories: list[Key] = Field(default_factory=list)
    purposes: list[Key] = Field(default_factory=list)


class RetentionRule(Model):
    """How long data is kept: a period after a trigger, or a stated criterion (RT-1).

    With ``covers`` the rule is enforced: ``tutela retention run`` deletes the covered
    rows whose period has passed, anonymises their personal fields (with the erasure
    strategies), or moves them to the ``archive_to`` collection (``action``). With
    ``per_customer`` the period is each processor customer's own choice among
    ``choices`` (the DPA register's ``scan_retention`` or ``tutela retention
    scan-policy``); a customer without one is kept.
    """

    key: Key
    name: Label
    description: Text | None = None
    period: DurationText | None = None
    criterion: Text | None = None
    trigger: ShortText = "collection"
    choices: list[DurationText] = Field(default_factory=list)
    action: Literal["delete", "anonymise", "archive"] = "delete"
    legal_basis: Text | None = None
    covers: RetentionCover | None = None
    archive_to: ShortText | None = None
    per_customer: bool = False


__all__ = [
    "Art9Condition",
    "ConsentAct",
    "ConsentNotice",
    "DirectMarketing",
    "LegalBasis",
    "LegitimateInterestAssessment",
    "Profiling",
    "Purpose",
    "RetentionCover",
    "RetentionRule",
    "WithdrawalRoute",
]
