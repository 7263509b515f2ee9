"""Direct-marketing and cookie rules of issue 14, with the two false alarms they no longer raise.

ePD Art. 5(3), 13(1)-(2); GDPR Recital 47; WP194 §3.6; GDPR.md MK-1, CK-1, CK-2
(see conftest.py for the case format).
"""

from __future__ import annotations

from typing import Any

import pytest
from checkcases import COOKIE, LIA, Case, Edit, add, both, findings_of, set_

from tutela.checks.known_cookies import known_category, known_cookies

MARKETING = "purposes.1.direct_marketing"
BASIS_RULE = "marketing/basis-not-consent-or-soft-opt-in"
SOFT_RULE = "marketing/soft-opt-in-not-applicable"
PROSPECT = {"key": "prospect", "name": "Prospects", "taxonomy": ["prospect"]}


def on_legitimate_interests(**marketing: Any) -> Edit:
    """The newsletter on legitimate interests, with ``marketing`` as its direct_marketing."""
    block = {"channels": ["email"], "unsubscribe": "Link in every message.", **marketing}
    return both(
        set_("purposes.1.legal_basis", "legitimate_interests"),
        set_("purposes.1.legitimate_interest", LIA),
        set_("purposes.1.consent", None),
        set_(MARKETING, block),
    )


SOFT_OPT_IN = {"soft_opt_in": True, "products": "own_similar"}


def cookie(**fields: Any) -> Edit:
    return add("cookies", {**COOKIE, **fields})


LANGUAGE_COOKIE = {
    "name": "site_lang",
    "provider": "example.test",
    "category": "preferences",
    "duration": "12 months",
    "purpose": "supply_services",
}

CASES: list[Case] = [
    (
        "MK-1-soft-opt-in",
        SOFT_RULE,
        on_legitimate_interests(soft_opt_in=True),
        on_legitimate_interests(**SOFT_OPT_IN),
    ),
    (
        "CK-2-known",
        "cookies/known-tracker-declared-exempt",
        cookie(category="necessary", purpose="supply_services"),
        cookie(purpose="newsletter"),
    ),
]


# --- MK-1: the soft opt-in is narrow --------------------------------------------------------


def test_MK_1_soft_opt_in_to_prospects_is_not_allowed() -> None:
    edit = both(
        add("subjects", PROSPECT),
        add("purposes.1.subjects", "prospect"),
        on_legitimate_interests(**SOFT_OPT_IN),
    )
    found = findings_of(SOFT_RULE, edit)
    assert len(found) == 1 and "'prospect' (prospect)" in found[0].message


@pytest.mark.parametrize("channels", [["phone"], ["post"], ["email", "push"]])
def test_MK_1_soft_opt_in_is_for_email_and_sms_only(channels: list[str]) -> None:
    found = findings_of(SOFT_RULE, on_legitimate_interests(**SOFT_OPT_IN, channels=channels))
    assert len(found) == 1 and "not electronic mail" in found[0].message


def test_MK_1_soft_opt_in_by_sms_to_customers_for_similar_products_passes() -> None:
    edit = on_legitimate_interests(**SOFT_OPT_IN, channels=["sms", "email"])
    assert findings_of(SOFT_RULE, edit) == []
    assert findings_of(BASIS_RULE, edit) == []


@pytest.mark.parametrize("products", ["own_other", "third_party"])
def test_MK_1_soft_opt_in_covers_only_the_controllers_similar_products(products: str) -> None:
    edit = on_legitimate_interests(soft_opt_in=True, products=products)
    found = findings_of(SOFT_RULE, edit)
    assert len(found) == 1 and products in found[0].message


def test_MK_1_a_subject_without_a_type_cannot_be_shown_to_be_a_customer() -> None:
    edit = both(set_("subjects.0.taxonomy", []), on_legitimate_interests(**SOFT_OPT_IN))
    assert len(findings_of(SOFT_RULE, edit)) == 1


# --- MK-1: consent only for electronic channels (false alarm removed) ------------------------


def test_MK_1_postal_marketing_on_legitimate_interests_passes() -> None:
    assert findings_of(BASIS_RULE, on_legitimate_interests(channels=["post"])) == []


def test_MK_1_calls_by_a_person_on_legitimate_interests_pass() -> None:
    assert findings_of(BASIS_RULE, on_legitimate_interests(channels=["phone", "post"])) == []


@pytest.mark.parametrize(
    ("marketing", "named"),
    [
        ({"channels": ["email"]}, "email"),
        ({"channels": ["sms", "post"]}, "sms"),
        ({"channels": ["push"]}, "push"),
        ({"channels": ["phone"], "automated_calls": True}, "automated_call"),
    ],
)
def test_MK_1_electronic_channels_need_consent(marketing: dict[str, Any], named: str) -> None:
    found = findings_of(BASIS_RULE, on_legitimate_interests(**marketing))
    assert len(found) == 1 and named in found[0].message


def test_MK_1_a_marketing_data_use_without_a_block_is_taken_as_electronic() -> None:
    edit = both(on_legitimate_interests(), set_(MARKETING, None))
    found = findings_of(BASIS_RULE, edit)
    assert len(found) == 1 and "email" in found[0].message


# --- CK-2: exempt cookies (false alarm removed) and well-known trackers ---------------------


def test_CK_2_a_language_cookie_declared_ui_customisation_needs_no_consent() -> None:
    edit = add("cookies", {**LANGUAGE_COOKIE, "exemption": "ui_customisation"})
    assert findings_of("cookies/purpose-not-consent", edit) == []
    without_purpose = add(
        "cookies", {**LANGUAGE_COOKIE, "purpose": None, "exemption": "ui_customisation"}
    )
    assert findings_of("cookies/no-consent-purpose", without_purpose) == []


def test_CK_2_a_preferences_cookie_without_an_exemption_still_needs_consent() -> None:
    found = findings_of("cookies/purpose-not-consent", add("cookies", LANGUAGE_COOKIE))
    assert len(found) == 1 and "ui_customisation" in found[0].hint


@pytest.mark.parametrize("category", ["statistics", "marketing"])
def test_CK_2_an_exemption_never_covers_statistics_or_marketing(category: str) -> None:
    edit = add(
        "cookies",
        {**LANGUAGE_COOKIE, "name": "x", "category": category, "exemption": "ui_customisation"},
    )
    assert len(findings_of("cookies/purpose-not-consent", edit)) == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"name": "_ga_X1Y2Z3", "category": "necessary"},
        {"name": "_fbp", "category": "necessary"},
        {"name": "bcookie", "category": "preferences", "exemption": "social_plugin"},
        {"name": "_hjSessionUser_123", "category": "preferences", "exemption": "user_input"},
    ],
)
def test_CK_1_well_known_trackers_declared_exempt_are_reported(fields: dict[str, Any]) -> None:
    found = findings_of("cookies/known-tracker-declared-exempt", cookie(**fields))
    assert len(found) == 1 and fields["name"] in found[0].message


@pytest.mark.parametrize("name", ["li_gc", "site_lang", "ARRAffinity"])
def test_CK_2_unknown_or_necessary_cookies_may_be_necessary(name: str) -> None:
    edit = cookie(name=name, category="necessary", purpose="supply_services")
    assert findings_of("cookies/known-tracker-declared-exempt", edit) == []


def test_CK_1_the_known_cookie_list_is_dated_sourced_and_categorised() -> None:
    data = known_cookies()
    assert data.checked and "linkedin.com" in data.source
    names = {known.name for known in data.cookies}
    assert {"_ga", "_ga_*", "_gid", "_gcl_au", "_fbp", "hubspotutk", "MUID", "YSC"} <= names
    assert known_category("_ga") is not None and known_category("_ga").category == "statistics"
    assert (
        known_category("li_sugr") is not None and known_category("li_sugr").category == "marketing"
    )
    assert known_category("_GA") is None  # cookie names are case-sensitive
