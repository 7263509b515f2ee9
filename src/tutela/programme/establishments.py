"""Where the controller is established, and which establishment decides (Arts. 3, 4(16), 27, 56).

Facts the checks, the statement and the records all derive from ``organisation``: an
establishment in the EEA means the GDPR applies under Art. 3(1) and no Art. 27
representative is needed; a main establishment (Art. 4(16)(a)) is the EEA establishment
that decides purposes and means, and only it makes a lead supervisory authority
(Art. 56(1); EDPB Guidelines 8/2022).
"""

from __future__ import annotations

from tutela.jurisdictions import Jurisdictions
from tutela.programme.legal import Organisation


def established_in_eea(organisation: Organisation, places: Jurisdictions) -> bool:
    """An establishment in the EEA (Art. 3(1)); without a list, ``establishment_country``."""
    if organisation.establishments:
        return any(places.in_eea(e.country) for e in organisation.establishments)
    return places.in_eea(organisation.establishment_country)


def main_establishment_countries(organisation: Organisation, places: Jurisdictions) -> set[str]:
    """EEA countries whose establishment decides purposes and means (Art. 4(16)(a)).

    Without a list of establishments, ``establishment_country`` is the main establishment
    when it is in the EEA (what the field always meant).
    """
    if not organisation.establishments:
        country = organisation.establishment_country
        return {places.code(country)} if places.in_eea(country) else set()
    return {
        places.code(e.country)
        for e in organisation.establishments
        if e.decides_purposes_and_means and places.in_eea(e.country)
    }


__all__ = ["established_in_eea", "main_establishment_countries"]
