"""Request types and regimes against GDPR.md §1-§2, and the choice of regime per subject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest

from tutela.errors import RequestError
from tutela.programme import legal
from tutela.requests.types import (
    RESTRICTION_ENDS,
    TYPES,
    ObjectionGround,
    PortabilityDestination,
    RectificationMode,
    Regime,
    RegimeError,
    RequestType,
    RestrictionGround,
    RestrictionLift,
    Verification,
    applicable_regimes,
    objection_type,
    offered_regimes,
    reaching,
    regime_for,
    request_type,
    residence,
)
from tutela.rights.requests import REQUEST_TYPES as INTAKE_TYPES

T = RequestType
GDPR_TYPES = {T.ACCESS, T.ERASURE, T.RECTIFICATION, T.RESTRICTION, T.OBJECTION, T.PORTABILITY}
GDPR_TYPES |= {T.OBJECTION_DIRECT_MARKETING, T.CONSENT_WITHDRAWAL, T.COMPLAINT}
CCPA_TYPES = {T.KNOW, T.DELETE, T.CORRECT, T.OPT_OUT_SALE_SHARING, T.LIMIT_SENSITIVE}


# --- the types as data -------------------------------------------------------------------


def test_every_type_has_one_spec_and_one_regime() -> None:
    assert set(TYPES) == set(RequestType)
    assert {t for t, s in TYPES.items() if s.regime is Regime.GDPR} == GDPR_TYPES
    assert {t for t, s in TYPES.items() if s.regime is Regime.CCPA} == CCPA_TYPES
    assert set(Regime.GDPR.rights) == GDPR_TYPES
    assert set(Regime.CCPA.rights) == CCPA_TYPES


def test_names_match_the_programme_regimes_and_the_rights_intake() -> None:
    assert {r.value for r in Regime} == set(get_args(legal.Regime))
    assert all(TYPES[request_type(name)].regime is Regime.GDPR for name in INTAKE_TYPES)


def test_every_source_cites_the_law() -> None:
    for kind, spec in TYPES.items():
        if spec.regime is Regime.GDPR:
            assert "Art. " in spec.source, kind
        else:
            assert "Civ. §" in spec.source and "CCR §" in spec.source, kind


def test_AC_1_access_Art_15_is_answered_with_a_data_package() -> None:
    spec = TYPES[T.ACCESS]
    assert "Art. 15" in spec.source and "AC-1" in spec.source
    assert spec.data_package and not spec.needs_approval and spec.refusable
    assert spec.verification is Verification.PROPORTIONATE and spec.identity_step


def test_ER_1_erasure_Art_17_has_an_identity_step_and_no_package() -> None:
    spec = TYPES[T.ERASURE]
    assert "Art. 17" in spec.source and "ER-1" in spec.source
    assert spec.identity_step and not spec.data_package and not spec.needs_approval


def test_RE_1_rectification_Art_16_includes_a_supplementary_statement() -> None:
    spec = TYPES[T.RECTIFICATION]
    assert "Art. 16" in spec.source and "RE-1" in spec.source
    assert spec.identity_step and not spec.data_package and not spec.needs_approval
    modes = {"correct", "complete", "supplementary_statement"}
    assert {m.value for m in RectificationMode} == modes


def test_RS_1_restriction_Art_18_has_the_four_grounds_each_with_an_end() -> None:
    spec = TYPES[T.RESTRICTION]
    assert "Art. 18" in spec.source and spec.identity_step and not spec.data_package
    assert [g.value for g in RestrictionGround] == [f"18(1)({x})" for x in "abcd"]
    assert set(RESTRICTION_ENDS) == set(RestrictionGround)
    assert all(end.strip() for end in RESTRICTION_ENDS.values())
    assert "21(1)" in RESTRICTION_ENDS[RestrictionGround.OBJECTION_PENDING]


NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_RS_3_lift_with_notice_before_is_accepted() -> None:
    assert RestrictionLift(RestrictionGround.ACCURACY_CONTESTED, NOW - timedelta(days=1), NOW)


@pytest.mark.parametrize(
    "notified_at, lifts_at",
    [
        (None, NOW),  # never told
        (NOW, NOW),  # told at the same moment: not before
        (NOW + timedelta(seconds=1), NOW),  # told afterwards
        (datetime(2026, 3, 1, 9, 0), NOW),  # naive notice
        (NOW - timedelta(days=1), datetime(2026, 3, 2, 9, 0)),  # naive lift
    ],
)
def test_RS_3_lift_without_prior_notice_is_refused(
    notified_at: datetime | None, lifts_at: datetime
) -> None:
    with pytest.raises(RequestError, match=r"Art\. 18\(3\), RS-3"):
        RestrictionLift(RestrictionGround.LEGAL_CLAIMS, notified_at, lifts_at)


def test_OB_1_objection_on_legitimate_interests_or_public_task_needs_staff_weighing() -> None:
    spec = TYPES[T.OBJECTION]
    assert "Art. 21(1)" in spec.source and "OB-1" in spec.source
    assert spec.needs_approval and spec.identity_step and spec.refusable
    assert objection_type(ObjectionGround.LEGITIMATE_INTERESTS) is T.OBJECTION
    assert objection_type("public_task") is T.OBJECTION


def test_OB_2_objection_to_direct_marketing_is_absolute_and_immediate() -> None:
    spec = TYPES[T.OBJECTION_DIRECT_MARKETING]
    assert "21(2)" in spec.source and "OB-2" in spec.source
    assert not spec.needs_approval and not spec.identity_step
    assert spec.verification is Verification.CHANNEL
    assert objection_type("direct_marketing") is T.OBJECTION_DIRECT_MARKETING


@pytest.mark.parametrize(
    "ground", ["consent", "contract", "legal_obligation", "", "DIRECT_MARKETING", None, 7, []]
)
def test_OB_1_no_objection_on_other_bases(ground: object) -> None:
    with pytest.raises(RequestError, match="no right to object"):
        objection_type(ground)  # type: ignore[arg-type]


def test_PO_3_portability_Art_20_is_a_data_package_to_the_subject_or_a_controller() -> None:
    spec = TYPES[T.PORTABILITY]
    assert "Art. 20" in spec.source and "PO-1" in spec.source
    assert spec.data_package and spec.identity_step and not spec.needs_approval
    assert PortabilityDestination().endpoint is None
    url = "https://import.example.com:8443/v1/portability?batch=1"
    assert PortabilityDestination(url).endpoint == url
    assert PortabilityDestination("HTTPS://controller.example/in").endpoint


NOT_HTTPS = ["http://c.example/in", "ftp://c.example/in", "javascript:alert(1)", "https://"]
MALFORMED = ["https:///in", "https://c.example:99999/", "https://c.example:x/", "https://[::1/"]
CREDENTIALS = ["https://user:secret@c.example/in", "https://user@c.example/in"]
SPACES = ["https://c.example/a b", " https://c.example/in", "https://c.example/in\n"]
LOCAL = ["https://localhost/in", "https://api.localhost/in", "https://127.0.0.1/in"]
PRIVATE = ["https://10.0.0.8/in", "https://169.254.169.254/latest", "https://[::1]/in"]
NOT_TEXT = ["", 42, b"https://c.example/in", "https://c.example/" + "a" * 2100]
NON_ASCII = ["https://contrôleur.example/in"]  # write the host in punycode
BAD_ENDPOINTS = (
    NOT_HTTPS + MALFORMED + CREDENTIALS + SPACES + LOCAL + PRIVATE + NOT_TEXT + NON_ASCII
)


@pytest.mark.parametrize("endpoint", BAD_ENDPOINTS)
def test_PO_3_portability_endpoint_must_be_a_public_https_url(endpoint: object) -> None:
    with pytest.raises(RequestError, match="portability endpoint"):
        PortabilityDestination(endpoint)  # type: ignore[arg-type]


def test_CO_3_consent_withdrawal_Art_7_3_is_as_easy_as_giving() -> None:
    spec = TYPES[T.CONSENT_WITHDRAWAL]
    assert "Art. 7(3)" in spec.source and "CO-3" in spec.source
    assert spec.verification is Verification.CHANNEL and not spec.identity_step
    assert not spec.refusable and not spec.needs_approval and not spec.data_package


def test_CP_1_complaint_seed_14_has_no_identity_step_and_is_always_answered() -> None:
    spec = TYPES[T.COMPLAINT]
    assert "§14" in spec.source and "Art. 77" in spec.source and "CP-1" in spec.source
    assert spec.verification is Verification.NONE and not spec.identity_step
    assert not spec.refusable and not spec.needs_approval and not spec.data_package


V = Verification
CCPA_EXPECTED = [
    (T.KNOW, V.REASONABLY_HIGH, True, "CCR §7062"),  # specific pieces: 3 points + declaration
    (T.DELETE, V.REASONABLE, False, "CCR §7062"),
    (T.CORRECT, V.REASONABLE, False, "CCR §§7023, 7062"),
    (T.OPT_OUT_SALE_SHARING, V.NONE, False, "CCR §7026"),  # need not be verified
    (T.LIMIT_SENSITIVE, V.NONE, False, "CCR §7027"),
]


@pytest.mark.parametrize("kind, level, package, section", CCPA_EXPECTED)
def test_ccpa_verification_and_package(kind: T, level: V, package: bool, section: str) -> None:
    spec = TYPES[kind]
    assert section in spec.source and spec.verification is level
    assert spec.data_package is package and spec.identity_step is (level > V.CHANNEL)
    assert not spec.needs_approval and spec.refusable


def test_ID_2_verification_is_proportionate_to_the_request() -> None:
    weakest_heavy = min(TYPES[k].verification for k in (T.ACCESS, T.ERASURE, T.KNOW, T.DELETE))
    light = (T.OBJECTION_DIRECT_MARKETING, T.OPT_OUT_SALE_SHARING, T.CONSENT_WITHDRAWAL)
    strongest_light = max(TYPES[k].verification for k in light)
    assert weakest_heavy > strongest_light
    assert all(TYPES[k].identity_step for k, s in TYPES.items() if s.data_package)


@pytest.mark.parametrize("value", ["", "ACCESS", " access", "erase", None, 3, ["access"]])
def test_unknown_request_types_are_refused(value: object) -> None:
    with pytest.raises(RequestError, match="unknown request type"):
        request_type(value)
    with pytest.raises(RequestError, match="unknown request type"):
        regime_for(value, ["gdpr"], "BE")


# --- which regime reaches a subject --------------------------------------------------------


@pytest.mark.parametrize("country", ["BE", "be", " de ", "EL", "GR", "NO", "IS", "LI"])
def test_eea_subject_gets_gdpr_even_without_an_eea_controller(country: str) -> None:
    assert applicable_regimes(["gdpr"], country, controller_in_eea=False) == {Regime.GDPR}
    assert regime_for("access", ["gdpr", "ccpa"], country) is Regime.GDPR


@pytest.mark.parametrize(
    "country, state", [("US", "CA"), ("us", "ca"), ("US-CA", None), ("US", "US-CA")]
)
def test_california_subject_gets_ccpa(country: str, state: str | None) -> None:
    assert residence(country, state) == ("US", "CA")
    assert applicable_regimes(["ccpa"], country, state) == {Regime.CCPA}
    assert regime_for("know", ["ccpa"], country, state) is Regime.CCPA
    assert applicable_regimes(["gdpr", "ccpa"], country, state, controller_in_eea=False) == {
        Regime.CCPA
    }


def test_california_subject_of_an_eea_controller_gets_both_regimes() -> None:
    both = applicable_regimes(["gdpr", "ccpa"], "US", "CA")
    assert both == {Regime.GDPR, Regime.CCPA}
    assert reaching("US", "CA") == both
    assert regime_for("access", ["gdpr", "ccpa"], "US", "CA") is Regime.GDPR


@pytest.mark.parametrize("country, state", [("JP", None), ("US", "NY"), ("GB", None), ("US", None)])
def test_elsewhere_the_programme_decides(country: str, state: str | None) -> None:
    assert applicable_regimes(["gdpr", "ccpa"], country, state) == {Regime.GDPR}
    with pytest.raises(RegimeError, match="no regime the programme offers"):
        applicable_regimes(["gdpr", "ccpa"], country, state, controller_in_eea=False)
    with pytest.raises(RegimeError, match="no regime the programme offers"):
        applicable_regimes(["ccpa"], country, state)
    with pytest.raises(RegimeError, match=r"California residents only"):
        regime_for("delete", ["gdpr", "ccpa"], country, state)


def test_ccpa_type_for_a_subject_in_belgium_is_refused() -> None:
    with pytest.raises(RegimeError, match=r"know is a CCPA request; .*California.*not BE"):
        regime_for("know", ["gdpr", "ccpa"], "BE")


def test_a_regime_the_programme_does_not_offer_is_refused() -> None:
    with pytest.raises(RegimeError, match="the programme offers no ccpa"):
        regime_for("opt_out_sale_sharing", ["gdpr"], "US", "CA")
    with pytest.raises(RegimeError, match="the programme offers no gdpr"):
        regime_for("erasure", ["ccpa"], "FR")
    with pytest.raises(RegimeError, match=r"\(ccpa\) reaches a subject in FR"):
        applicable_regimes(["ccpa"], "FR")
    with pytest.raises(RegimeError, match=r"GDPR reaches the EEA.*not JP"):
        regime_for("access", ["gdpr"], "JP", controller_in_eea=False)


NOT_CODES = [("",), ("B",), ("BEL",), ("B1",), ("b e",), (None,), (32,), ("US-",), ("-CA",)]
LOOKALIKE = [("ΒΕ",)]  # Greek capitals that look like BE
BAD_STATES = [("US-CA", "NY"), ("BE", "CA"), ("US", "ZZ"), ("US", ""), ("US", "California")]
HOSTILE = [(*c, None) for c in NOT_CODES + LOOKALIKE] + BAD_STATES + [("US", 6)]


@pytest.mark.parametrize("country, state", HOSTILE)
def test_hostile_residences_are_refused(country: object, state: object) -> None:
    with pytest.raises(RegimeError):
        applicable_regimes(["gdpr", "ccpa"], country, state)
    with pytest.raises(RegimeError):
        regime_for("access", ["gdpr", "ccpa"], country, state)


@pytest.mark.parametrize(
    "offered", [[], (), ["GDPR"], ["gdpr", "hipaa"], None, 1, [["gdpr"]], {"gdpr": 1}]
)
def test_hostile_programme_regimes_are_refused(offered: object) -> None:
    with pytest.raises(RegimeError, match=r"rights\.regimes"):
        offered_regimes(offered)
    with pytest.raises(RegimeError, match=r"rights\.regimes"):
        regime_for("access", offered, "BE")
    assert issubclass(RegimeError, RequestError)
