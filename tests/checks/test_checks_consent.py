"""Consent and retention-wording rules of issue 14: an affirmative act, an easy withdrawal.

GDPR Arts. 4(11), 7(3), 13(2)(a), Recital 32; C-673/17 Planet49; EDPB-CON; WP260;
GDPR.md CO-1, CO-3, RT-1 (see conftest.py for the case format).
"""

from __future__ import annotations

import pytest
from checkcases import Case, Edit, both, findings_of, nothing, set_

CONSENT = "purposes.1.consent"


def consent_by(given: list[str], withdrawn: list[str]) -> Edit:
    return both(set_(f"{CONSENT}.given_by", given), set_(f"{CONSENT}.withdrawn_by", withdrawn))


def vague(criterion: str | dict[str, str]) -> Edit:
    """Retention rule ``two_years`` with only ``criterion``."""
    return both(set_("retention.1.period", None), set_("retention.1.criterion", criterion))


CASES: list[Case] = [
    (
        "CO-1",
        "consent/not-an-affirmative-act",
        set_(f"{CONSENT}.given_by", ["pre_ticked_checkbox"]),
        set_(f"{CONSENT}.given_by", ["checkbox"]),
    ),
    (
        "CO-3",
        "consent/withdrawal-harder-than-giving",
        consent_by(["checkbox"], ["registered_letter"]),
        consent_by(["checkbox"], ["one_click"]),
    ),
    (
        "RT-1-WP260",
        "retention/criterion-not-concrete",
        vague("As long as necessary for the purposes for which it was collected."),
        vague("Until you unsubscribe; afterwards only a keyed hash of the address is kept."),
    ),
]


# --- CO-1: a clear affirmative act -----------------------------------------------------------


@pytest.mark.parametrize(
    "act", ["pre_ticked_checkbox", "continued_browsing", "scrolling", "silence", "inactivity"]
)
def test_CO_1_each_non_act_is_reported_where_it_is_written(act: str) -> None:
    found = findings_of("consent/not-an-affirmative-act", set_(f"{CONSENT}.given_by", [act]))
    assert [f.path for f in found] == [("purposes", 1, "consent", "given_by", 0)]


def test_CO_1_consent_bundled_with_terms_is_not_specific() -> None:
    edit = set_(f"{CONSENT}.given_by", ["checkbox", "bundled_with_terms"])
    assert len(findings_of("consent/not-an-affirmative-act", edit)) == 1


@pytest.mark.parametrize(
    "method",
    [
        "Pre-ticked box in the sign-up form",
        "case pré-cochée",
        "vooraf aangevinkt vakje",
        "vorausgewähltes Kästchen",
        "silence",
        "scrolling",
    ],
)
def test_CO_1_known_invalid_methods_are_read_in_four_languages(method: str) -> None:
    found = findings_of("consent/not-an-affirmative-act", set_(f"{CONSENT}.methods", [method]))
    assert [f.path for f in found] == [("purposes", 1, "consent", "methods", 0)]


@pytest.mark.parametrize(
    "notice",
    [
        "By continuing to browse this site you accept our newsletter.",
        "En poursuivant votre navigation, vous acceptez notre lettre d'information.",
        "Door verder te surfen gaat u akkoord met onze nieuwsbrief.",
        "Durch die weitere Nutzung stimmen Sie dem Newsletter zu.",
        "If you do not object within 14 days, we will send you our newsletter.",
    ],
)
def test_CO_1_a_notice_that_infers_consent_is_reported(notice: str) -> None:
    found = findings_of("consent/not-an-affirmative-act", set_(f"{CONSENT}.notice", notice))
    assert [f.path for f in found] == [("purposes", 1, "consent", "notice")]


def test_CO_1_every_language_of_a_translated_notice_is_read() -> None:
    notice = {
        "en": "Tick the box to receive our newsletter.",
        "fr": "En poursuivant votre navigation, vous recevrez notre lettre d'information.",
    }
    found = findings_of("consent/not-an-affirmative-act", set_(f"{CONSENT}.notice", notice))
    assert len(found) == 1 and "poursuivant" in found[0].message


@pytest.mark.parametrize(
    "method",
    [
        "unticked checkbox",
        "Tick the box",
        "double opt-in e-mail",
        "cookie banner",
        "a box that is never pre-ticked",
        "case à cocher non précochée",
        "case non-précochée",
        "nicht vorangekreuztes Kontrollkästchen",
        "niet vooraf aangevinkt vakje",
    ],
)
def test_CO_1_affirmative_methods_pass(method: str) -> None:
    assert findings_of("consent/not-an-affirmative-act", set_(f"{CONSENT}.methods", [method])) == []


# --- CO-3: withdrawal as easy as giving ---------------------------------------------------


def test_CO_3_a_registered_letter_with_an_id_copy_in_words_is_reported() -> None:
    text = "Send a registered letter with a copy of your ID card to our head office."
    found = findings_of(
        "consent/withdrawal-harder-than-giving", set_(f"{CONSENT}.withdrawal", text)
    )
    assert len(found) == 1 and found[0].path == ("purposes", 1, "consent", "withdrawal")


@pytest.mark.parametrize(
    "text",
    [
        "Envoyez une lettre recommandée à notre siège.",
        "Stuur een aangetekende brief naar ons kantoor.",
        "Schicken Sie uns ein Einschreiben.",
        "Joignez une copie de votre carte d'identité à votre e-mail.",
        "Stuur een e-mail met een kopie van uw identiteitskaart.",
        "Write to us enclosing a copy of your passport.",
    ],
)
def test_CO_3_burdens_are_read_in_four_languages(text: str) -> None:
    edit = set_(f"{CONSENT}.withdrawal", text)
    assert len(findings_of("consent/withdrawal-harder-than-giving", edit)) == 1


def test_CO_3_an_email_to_withdraw_a_click_is_harder() -> None:
    found = findings_of("consent/withdrawal-harder-than-giving", consent_by(["button"], ["email"]))
    assert len(found) == 1 and "'email'" in found[0].message and "button" in found[0].message


def test_CO_3_paper_consent_may_be_withdrawn_by_letter() -> None:
    edit = consent_by(["signed_form"], ["letter"])
    assert findings_of("consent/withdrawal-harder-than-giving", edit) == []


def test_CO_3_the_easiest_route_counts() -> None:
    edit = consent_by(["checkbox"], ["letter", "one_click"])
    assert findings_of("consent/withdrawal-harder-than-giving", edit) == []


def test_CO_3_an_unstructured_withdrawal_by_link_passes() -> None:
    assert findings_of("consent/withdrawal-harder-than-giving", nothing) == []


# --- RT-1: concrete retention criteria ---------------------------------------------------


@pytest.mark.parametrize(
    "criterion",
    [
        "aussi longtemps que nécessaire pour la finalité",
        "zo lang als nodig voor het doel",
        "solange es für den Zweck erforderlich ist",
        {"en": "Until the account is closed.", "nl": "Niet langer dan nodig."},
    ],
)
def test_RT_1_vague_criteria_are_read_in_four_languages(criterion: str | dict[str, str]) -> None:
    found = findings_of("retention/criterion-not-concrete", vague(criterion))
    assert [f.path for f in found] == [("retention", 1, "criterion")]
    assert "13(2)(a)" in found[0].message


def test_RT_1_a_period_makes_a_vague_criterion_harmless() -> None:
    edit = set_("retention.1.criterion", "As long as necessary, and at most the period.")
    assert findings_of("retention/criterion-not-concrete", edit) == []
