"""Recipients of personal data and the safeguards of their transfers.

Who receives the data (Art. 13(1)(e), AC-3) and, for a recipient outside the EEA,
the Chapter V tool the transfer relies on (Arts. 44-49, TR-2, TR-4, TR-5).
Re-exported by :mod:`tutela.programme.models`; this module must not import it.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from tutela.programme.accountability import JointArrangement
from tutela.programme.systems import ProcessingAgreement
from tutela.programme.types import CountryCode, Key, Label, Model, ShortText, Text

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
    occasional: bool = False
    reference: ShortText | None = None


class Recipient(Model):
    """Who receives personal data (Art. 13(1)(e), AC-3: named where possible)."""

    key: Key
    name: Label
    kind: Literal["processor", "controller", "joint_controller", "public_authority", "affiliate"]
    description: Text | None = None
    named: bool = True
    purposes: list[Key] = Field(default_factory=list)
    categories: list[Key] = Field(default_factory=list)
    countries: list[CountryCode] = Field(default_factory=list)
    dpf_certified: bool = False
    dpf_expires: date | None = None
    subject_to: list[ShortText] = Field(default_factory=list)
    safeguard: Safeguard | None = None
    supplementary_measures: list[Label] = Field(default_factory=list)
    privacy_statement_url: ShortText | None = None
    dpa: ProcessingAgreement | None = None
    arrangement: JointArrangement | None = None


__all__ = ["Recipient", "Safeguard", "TransferImpactAssessment"]
