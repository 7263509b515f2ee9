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

from tutela.programme.durations import DurationText
from tutela.programme.types import Key, Label, Model, Note, ShortText, Text

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
    necessity: Note
    balancing: Note
    reference: ShortText | None = None
    assessed_on: date | None = None


class ConsentNotice(Model):
    """How consent is asked and withdrawn (CO-1..CO-3)."""

    notice: Text
    notice_version: ShortText | None = None
    methods: list[Label] = Field(min_length=1)
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
    name: Label
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
    name: Label
    description: Text | None = None
    period: DurationText | None = None
    criterion: Text | None = None
    trigger: ShortText = "collection"
    choices: list[DurationText] = Field(default_factory=list)
    action: Literal["delete", "anonymise"] = "delete"
    legal_basis: Text | None = None


__all__ = [
    "Art9Condition",
    "ConsentNotice",
    "DirectMarketing",
    "LegalBasis",
    "LegitimateInterestAssessment",
    "Profiling",
    "Purpose",
    "RetentionRule",
]
