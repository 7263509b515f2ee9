"""The Art. 15 facts of an access answer for one subject (GDPR.md AC-1, AC-2, AC-3, AC-9, CP-1)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from tutela.jurisdictions import packaged_jurisdictions
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.requests.disclosure import ARTICLES, Disclosure, disclose
from tutela.taxonomy.vocabulary import covers

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
EMAIL = "user.contact.email"


@cache
def _programme() -> Programme:
    return load_programme(EXAMPLE)


@cache
def _email() -> Disclosure:
    return disclose(_programme(), [EMAIL], {EMAIL: ["crm.contacts", "support.tickets"]})


def _about(keys: list[str], key: str = EMAIL) -> bool:
    return any(covers(k, key) or covers(key, k) for k in keys)


def test_ac1_confirms_processing_and_names_the_category() -> None:
    answer = _email()
    assert answer.processed
    (category,) = answer.categories
    assert category.label == "e-mail address" and category.article == "Art. 15(1)(b)"
    assert category.found_in == ("crm.contacts", "support.tickets")


def test_ac2_purposes_are_exactly_those_using_the_category() -> None:
    programme, answer = _programme(), _email()
    expected = {p.key for p in programme.purposes if _about(p.categories)}
    assert {p.key for p in answer.purposes} == expected
    assert len(expected) < len(programme.purposes)  # not every purpose of the programme
    assert "analytics" not in expected and "website_statistics" not in expected
    assert all(
        p.article == "Art. 15(1)(a)" and p.categories == ("e-mail address",)
        for p in answer.purposes
    )


def test_ac2_legal_basis_and_legitimate_interest_where_relied_on() -> None:
    by_key = {p.key: p for p in _email().purposes}
    support, security = by_key["customer_support"], by_key["security_fraud"]
    assert (support.legal_basis, support.basis_article) == ("contract", "Art. 6(1)(b)")
    assert support.legitimate_interest is None
    assert (security.legal_basis, security.basis_article) == (
        "legitimate_interests",
        "Art. 6(1)(f)",
    )
    assert security.legitimate_interest == "Preventing fraud and protecting our systems."
    assert by_key["direct_marketing"].basis_article == "Art. 6(1)(a)"


def test_ac3_recipients_receiving_the_category_named_where_possible() -> None:
    programme, answer = _programme(), _email()
    names = {r.key: r for r in answer.recipients}
    assert {"stripe", "cleverbridge", "linkedin", "indeed"} <= set(names)
    assert names["stripe"].named and names["stripe"].name == "Stripe"
    assert all(r.article == "Art. 15(1)(c)" for r in answer.recipients)
    not_email = [r.key for r in programme.recipients if r.categories and not _about(r.categories)]
    assert not_email and not set(not_email) & set(names)


def test_ac2_retention_per_category_with_period_or_criterion() -> None:
    answer = _email()
    rules = {r.purpose: r for r in answer.retention}
    assert set(rules) == {p.key for p in answer.purposes}
    tax = rules["legal_compliance"]
    assert (tax.category, tax.rule, tax.period) == (EMAIL, "tax_records", "10y")
    assert "10 years" in tax.wording and tax.article == "Art. 15(1)(d)"
    assert all(r.wording for r in answer.retention)


def test_ac2_transfers_outside_eea_carry_their_safeguard() -> None:
    answer, places = _email(), packaged_jurisdictions()
    received = {r.key for r in answer.recipients}
    assert answer.transfers and all(t.recipient in received for t in answer.transfers)
    assert all(not places.in_eea(t.country) and t.article == "Art. 15(2)" for t in answer.transfers)
    stripe = next(t for t in answer.transfers if t.recipient == "stripe")
    assert (stripe.country, stripe.mechanism) == ("US", "adequacy") and stripe.reference
    indeed = next(t for t in answer.transfers if t.recipient == "indeed")
    assert indeed.mechanism == "scc"
    assert all(t.mechanism for t in answer.transfers)
    assert not any(t.country == "IE" for t in answer.transfers)


def test_ac2_sources_rights_and_complaint_route() -> None:
    answer = _email()
    sources = {s.key: s for s in answer.sources}
    assert sources["from_you"].from_subject and not sources["stripe"].from_subject
    assert "product_telemetry" not in sources  # no e-mail address from telemetry
    assert "erasure" in answer.rights.offered and "privacy@cloudockit.com" in answer.rights.channels
    (authority,) = answer.complaint.authorities
    assert authority.country == "BE" and "APD/GBA" in authority.name
    assert answer.complaint.article == "Art. 15(1)(f)"


def test_ac9_profiling_with_logic_and_significance_only_where_relevant() -> None:
    answer = _email()
    assert [a.purpose for a in answer.automated] == ["relationship_management"]
    (lead,) = answer.automated
    assert lead.profiling and not lead.automated_decision
    assert lead.logic and "lead score" in lead.logic and lead.significance
    usage = disclose(_programme(), ["user.behavior.product_usage"])
    assert "end_user_analytics" in [a.purpose for a in usage.automated]


def test_ac2_covers_every_item_of_article_15() -> None:
    answer = _email()
    assert (*(f"Art. 15(1)({c})" for c in "abcdefgh"), "Art. 15(2)") == ARTICLES
    items = answer.by_article()
    assert tuple(items) == ARTICLES
    for article, facts in items.items():
        assert facts, article
        assert all(vars(f)["article"] == article for f in facts)


@pytest.mark.parametrize(
    "found",
    [["user.nope", EMAIL], ["<script>", 3, None, ["x"], {"a": 1}, EMAIL, EMAIL], EMAIL],
)
def test_ac1_hostile_input_unknown_keys_reported(found: object) -> None:
    answer = disclose(_programme(), found, collections={EMAIL: "crm"})  # type: ignore[arg-type]
    assert [(c.key, c.found_in) for c in answer.categories] == [(EMAIL, ("crm",))]
    if isinstance(found, list):
        assert set(answer.unknown) == {repr(k) if not isinstance(k, str) else k for k in found} - {
            EMAIL
        }


def test_ac1_no_data_found_is_still_an_answer() -> None:
    answer = disclose(_programme(), [])
    assert not answer.processed and answer.purposes == () and answer.recipients == ()
    assert answer.complaint.authorities  # the rights and complaint route are always given


def test_ac2_known_category_no_purpose_uses_is_reported() -> None:
    answer = disclose(_programme(), ["user.biometric"])
    assert answer.without_purpose == ("user.biometric",) and answer.purposes == ()
