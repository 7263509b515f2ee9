"""What the programme records to show its processing is lawful and governed.

:class:`Dpia` is a data protection impact assessment (GDPR Art. 35) with its outcome and,
where the residual risk stays high, the prior consultation of the supervisory authority
(Art. 36). :class:`JointArrangement` is the arrangement between joint controllers and
the essence of it that is made available to data subjects (Art. 26(1)-(2)).
:class:`ChildConsent` is how a consent purpose that reaches children applies the age of
digital consent of each member state and obtains the parents' authorisation (Art. 8).
Re-exported by :mod:`tutela.programme.models`; this module must not import it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import Field

from tutela.programme.types import CountryCode, Key, Model, Note, ShortText, Text

Age = Annotated[int, Field(ge=0, le=21)]
"""An age in years, as a programme applies it (Art. 8(1) ages are 13 to 16)."""


class PriorConsultation(Model):
    """The consultation of the supervisory authority before processing (Art. 36(1))."""

    authority: CountryCode
    consulted_on: date
    reference: ShortText | None = None
    advice: Note | None = None


class Dpia(Model):
    """A data protection impact assessment (Art. 35(7)) and the purposes it covers.

    ``residual_high_risk`` says the assessment found a high risk that the measures do not
    bring down: Art. 36(1) then requires consulting the authority first.
    """

    reference: ShortText
    purposes: list[Key] = Field(min_length=1)
    assessed_on: date
    outcome: Note | None = None
    residual_high_risk: bool = False
    prior_consultation: PriorConsultation | None = None
    dpo_advice: Note | None = None
    review_on: date | None = None


class JointArrangement(Model):
    """The arrangement of joint controllers (Art. 26(1)) and its essence for subjects (26(2))."""

    reference: ShortText
    signed: date | None = None
    essence: Text | None = None
    contact_point: ShortText | None = None


class ChildConsent(Model):
    """How a consent purpose that reaches children meets Art. 8.

    ``countries`` are the member states where the service is offered to children (none:
    every EEA state); ``age_threshold`` is the age applied everywhere and ``age_thresholds``
    the age per member state where it differs; below it, ``parental_authorisation`` says how
    the holder of parental responsibility gives or authorises consent and how that is
    verified (Art. 8(2)).
    """

    countries: list[CountryCode] = Field(default_factory=list)
    age_threshold: Age | None = None
    age_thresholds: dict[CountryCode, Age] = Field(default_factory=dict)
    parental_authorisation: Text | None = None


__all__ = ["ChildConsent", "Dpia", "JointArrangement", "PriorConsultation"]
