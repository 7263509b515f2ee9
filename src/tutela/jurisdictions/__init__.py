"""Countries, the EEA, adequacy decisions, supervisory authorities: one typed loader.

The data files in ``tutela/jurisdictions/data`` are read only by
:mod:`tutela.jurisdictions.loader`; every country question (EEA membership, adequacy in
force on a date, the authority of a country, a country's English name) goes through
:class:`Jurisdictions`, which resolves code aliases (``EL`` for ``GR``) in one place.
The age of digital consent per member state (Art. 8(1)) is here too. Holidays per country
(for request deadlines) are planned here too, not built yet.
"""

from tutela.jurisdictions.loader import (
    DATA_FILES,
    adequacy,
    clear_cache,
    digital_consent_ages,
    eea,
    other_countries,
    packaged_jurisdictions,
    supervisory_authorities,
)
from tutela.jurisdictions.models import (
    AdequacyDecision,
    AdequacyList,
    Authority,
    AuthorityList,
    ConsentAgeList,
    CountryList,
    EeaList,
    Jurisdictions,
)

__all__ = [
    "DATA_FILES",
    "AdequacyDecision",
    "AdequacyList",
    "Authority",
    "AuthorityList",
    "ConsentAgeList",
    "CountryList",
    "EeaList",
    "Jurisdictions",
    "adequacy",
    "clear_cache",
    "digital_consent_ages",
    "eea",
    "other_countries",
    "packaged_jurisdictions",
    "supervisory_authorities",
]
