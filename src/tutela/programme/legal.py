"""The legal sections of a programme: organisation, statement, rights and complaints.

What the statement and the records need and the DSR engine does not (see
:data:`tutela.programme.models.LEGAL_SECTIONS`). Re-exported by
:mod:`tutela.programme.models`; this module must not import it.

Legal anchors: Art. 13(1)(a) (the controller), Arts. 3, 4(16), 27, 37, 56 (its
establishments, representative, DPO and lead authority), Arts. 12, 15-22 (rights), Art. 77
(complaints).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from tutela.programme.types import CountryCode, Label, Model, Note, ShortText, Text

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


class Establishment(Model):
    """A stable arrangement through which the controller acts in a country (Recital 22).

    ``decides_purposes_and_means`` marks the establishment that takes the decisions on the
    purposes and means of the processing and can have them implemented: in the EEA, that
    is the main establishment (Art. 4(16)(a)) whose authority leads (Art. 56(1)).
    """

    name: ShortText
    country: CountryCode
    address: Address | None = None
    description: Text | None = None
    decides_purposes_and_means: bool = False


class Organisation(Model):
    """The controller: who decides why and how personal data is processed (Art. 13(1)(a)).

    ``establishments`` decide whether it is established in the EEA (Art. 3(1)) and which
    one is the main establishment (Art. 4(16)(a)); without them, ``establishment_country``
    is taken as the main establishment. ``lead_supervisory_authority`` is left out where
    there is no main establishment in the EEA (no one-stop shop, EDPB Guidelines 8/2022).
    """

    legal_name: ShortText
    trading_name: ShortText | None = None
    legal_form: Label | None = None
    registration_number: ShortText
    registered_address: Address
    website: ShortText | None = None
    privacy_email: ShortText
    privacy_postal_address: Address
    dpo: Contact | None = None
    eu_representative: Contact | None = None
    representative_exemption: Note | None = None
    lead_supervisory_authority: CountryCode | None = None
    establishment_country: CountryCode
    establishments: list[Establishment] = Field(default_factory=list)
    public_authority: bool = False
    timezone: ShortText = "UTC"
    affiliates: list[Label] = Field(default_factory=list)
    security_measures: list[Label] = Field(default_factory=list)

    @property
    def known_as(self) -> str:
        """The name the organisation goes by: its trading name, else its legal name."""
        return str(self.trading_name or self.legal_name)


class ChangeLogEntry(Model):
    """One published version of the statement."""

    version: ShortText
    date: date
    summary: Text
    material: bool = False


class Statement(Model):
    """Metadata of the rendered privacy statement (NT-1: versioned and dated)."""

    title: Label
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

    channels: list[Label] = Field(min_length=1)
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


__all__ = [
    "ALL_RIGHTS",
    "Address",
    "ChangeLogEntry",
    "Complaints",
    "Contact",
    "Establishment",
    "Organisation",
    "Regime",
    "RightName",
    "Rights",
    "Statement",
]
