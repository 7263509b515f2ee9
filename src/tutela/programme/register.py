"""What the programme states about itself and its processor customers.

:class:`Assumption` marks a fact the programme states where its source (the published
statement it was written from) is silent, so a reviewer can confirm it
(``tutela statement render --show-assumptions``). :class:`ControllerCustomer` is one
entry of the DPA register: a customer for whom the organisation processes personal data
as a processor under a data processing agreement (Art. 28(3), Art. 30(2)(a)).
Re-exported by :mod:`tutela.programme.models`; this module must not import it.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from tutela.programme.durations import DurationText
from tutela.programme.types import CountryCode, Key, Model, Note, ShortText


class Assumption(Model):
    """A fact the programme states without a source: where it is, and why it was chosen.

    ``path`` is a dotted path into the programme, items of keyed lists named by key:
    ``retention.crm_contacts.period``, ``recipients.aws.countries``,
    ``organisation.establishments``.
    """

    path: ShortText
    note: Note


class ControllerCustomer(Model):
    """A controller the organisation processes for (Art. 28(3), Art. 30(2)(a)).

    ``systems`` are the programme's systems that hold this customer's data as a
    processor; ``scan_retention`` is the customer's choice for scan data (seed §9:
    deleted 24 or 48 hours after the scan, or kept); ``account`` is the customer's
    identifier in those systems (the value of a collection's ``customer_field``).
    """

    key: Key
    name: ShortText
    contact: ShortText
    country: CountryCode
    representative: ShortText | None = None
    dpo: ShortText | None = None
    dpa_reference: ShortText
    signed: date | None = None
    systems: list[Key] = Field(default_factory=list)
    scan_retention: DurationText | None = None
    account: ShortText | None = None


__all__ = ["Assumption", "ControllerCustomer"]
