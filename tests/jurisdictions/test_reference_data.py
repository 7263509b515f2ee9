"""The reference data behind the transfer and complaint rules (GDPR.md §6, §10)."""

from __future__ import annotations

from datetime import date

from tutela.jurisdictions import adequacy, eea, supervisory_authorities

EU27 = {
    *("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE"),
    *("IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"),
}


def test_TR_1_eea_is_the_eu_27_plus_iceland_liechtenstein_norway() -> None:
    data = eea()
    assert set(data.eu) == EU27
    assert set(data.efta) == {"IS", "LI", "NO"}
    assert data.contains("EL") and data.contains("GR")
    assert not data.contains("CH") and not data.contains("GB") and not data.contains("US")


def test_TR_2_adequacy_list_matches_gdpr_md_section_6() -> None:
    countries = set(adequacy().countries)
    assert countries == {
        *("AD", "AR", "BR", "CA", "CH", "FO", "GB", "GG", "IL", "IM", "JE", "JP", "KR", "NZ"),
        *("US", "UY"),
    }
    assert "european-patent-organisation" in adequacy().organisations


def test_TR_3_us_adequacy_requires_dpf_certification() -> None:
    us = adequacy().countries["US"]
    assert us.requires == "dpf"
    assert "2023/1795" in us.decision
    assert "DPF" in us.scope


def test_TR_2_scope_caveats_are_recorded() -> None:
    assert "PIPEDA" in adequacy().countries["CA"].scope
    assert adequacy().countries["GB"].valid_until == date(2031, 12, 27)
    assert adequacy().decision("GB", date(2032, 1, 1)) is None


def test_CP_1_every_eea_country_has_a_supervisory_authority() -> None:
    authorities = supervisory_authorities().authorities
    assert set(authorities) == EU27 | {"IS", "LI", "NO"}
    assert "APD/GBA" in authorities["BE"].name
    assert all(a.domains for a in authorities.values())


def test_reference_data_is_dated_and_sourced() -> None:
    for data in (eea(), adequacy(), supervisory_authorities()):
        assert data.checked >= date(2026, 1, 1)
        assert data.source
