"""Consent rules: a clear affirmative act, and a withdrawal as easy as giving (GDPR Art. 4(11), 7).

The programme says how consent is given and withdrawn twice: in words for the statement
(``methods``, ``withdrawal``) and, optionally, as kinds tutela can compare (``given_by``,
``withdrawn_by``). The rules read both: the kinds, and known unlawful phrasings in the
words (:mod:`tutela.checks.phrases`), in every language the text is given in.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, ModelPath, Rule, Violation, rule
from tutela.checks.phrases import (
    IDENTITY_DOCUMENT,
    NOT_AN_AFFIRMATIVE_ACT,
    WITHDRAWAL_BURDEN,
    first_match,
)
from tutela.programme.models import ConsentNotice, LegalBasis

GIVING_EFFORT = {
    "checkbox": 1,
    "button": 1,
    "toggle": 1,
    "cookie_banner": 1,
    "double_opt_in": 1,
    "email": 2,
    "recorded_call": 2,
    "signed_form": 3,
}
"""How much a way of giving consent asks: 1 one online action, 2 a message or call, 3 paper."""

NOT_CONSENT = frozenset(
    {
        "pre_ticked_checkbox",
        "continued_browsing",
        "scrolling",
        "silence",
        "inactivity",
        "bundled_with_terms",
    }
)
"""Kinds of ``given_by`` that are no valid consent (Art. 4(11), 7(2), Recital 32; CO-1)."""

WITHDRAWAL_EFFORT = {
    "one_click": 1,
    "settings": 1,
    "email": 2,
    "web_form": 2,
    "phone": 2,
    "letter": 3,
    "registered_letter": 4,
    "in_person": 4,
}
"""How much a withdrawal route asks, on the scale of :data:`GIVING_EFFORT` (4: a visit)."""


@rule(
    "consent/no-notice-or-withdrawal",
    severity="error",
    title="Consent without a notice and a withdrawal route",
    source="GDPR Art. 4(11), 7(1), 7(3); GDPR.md CO-1, CO-2, CO-3",
)
def no_notice_or_withdrawal(context: CheckContext) -> Iterator[Violation]:
    """A consent purpose records how consent is asked and withdrawn (Art. 7(3); CO-3)."""
    for index, purpose in enumerate(context.programme.purposes):
        if purpose.legal_basis is LegalBasis.CONSENT and purpose.consent is None:
            yield Violation(
                ("purposes", index, "consent"),
                f"purpose '{purpose.key}' relies on consent but records no notice and no "
                "withdrawal route",
                "add consent: {notice, methods, withdrawal}; withdrawing must be as easy as "
                "giving consent",
            )


def _consents(context: CheckContext) -> Iterator[tuple[int, str, ConsentNotice]]:
    for index, purpose in enumerate(context.programme.purposes):
        if purpose.consent is not None:
            yield index, purpose.key, purpose.consent


def _not_affirmative(consent: ConsentNotice) -> tuple[str, ModelPath] | None:
    """The offending act or phrase and where it is written (under ``consent``), or None."""
    for position, act in enumerate(consent.given_by):
        if act in NOT_CONSENT:
            return act.replace("_", " "), ("given_by", position)
    for position, method in enumerate(consent.methods):
        found = first_match(NOT_AN_AFFIRMATIVE_ACT, [method])
        if found:
            return found, ("methods", position)
    found = first_match(NOT_AN_AFFIRMATIVE_ACT, [consent.notice])
    return (found, ("notice",)) if found else None


@rule(
    "consent/not-an-affirmative-act",
    severity="error",
    title="Consent inferred from a pre-ticked box, browsing, silence or inactivity",
    source="GDPR Art. 4(11), 7(2), Recital 32; C-673/17 Planet49; GDPR.md CO-1",
)
def not_an_affirmative_act(context: CheckContext) -> Iterator[Violation]:
    """Consent is a clear affirmative act: not a pre-ticked box, scrolling or silence (CO-1).

    Reads ``given_by`` and the words of ``methods`` and ``notice`` (Art. 4(11), Recital 32;
    C-673/17 Planet49); consent bundled with accepting terms is not specific (Art. 7(2)).
    """
    for index, key, consent in _consents(context):
        found = _not_affirmative(consent)
        if found is not None:
            what, where = found
            yield Violation(
                ("purposes", index, "consent", *where),
                f"purpose '{key}' takes '{what}' as consent, which is no clear affirmative act",
                "ask for an active choice the person makes for this purpose alone: an unticked "
                "checkbox, a button or a switch (given_by: [checkbox]); never infer consent "
                "from browsing, scrolling, silence or accepted terms",
            )


def _giving_effort(consent: ConsentNotice) -> tuple[int, str]:
    acts = [(GIVING_EFFORT[a], a) for a in consent.given_by if a in GIVING_EFFORT]
    return min(acts) if acts else (1, "one online action")


def _withdrawal_effort(consent: ConsentNotice) -> tuple[int, str] | None:
    if consent.withdrawn_by:
        return min((WITHDRAWAL_EFFORT[r], r) for r in consent.withdrawn_by)
    found = first_match(WITHDRAWAL_BURDEN, [consent.withdrawal])
    return (4, found) if found else None


def _harder_withdrawal(consent: ConsentNotice) -> str | None:
    """Why withdrawing asks more than giving, or None."""
    document = first_match(IDENTITY_DOCUMENT, [consent.withdrawal])
    if document:
        return f"withdrawing asks for '{document}', a step giving consent does not take"
    giving, act = _giving_effort(consent)
    withdrawing = _withdrawal_effort(consent)
    if withdrawing is not None and withdrawing[0] > giving:
        route = withdrawing[1].replace("_", " ")
        return f"withdrawing takes '{route}' while consent is given by {act.replace('_', ' ')}"
    return None


@rule(
    "consent/withdrawal-harder-than-giving",
    severity="error",
    title="Withdrawing consent is harder than giving it",
    source="GDPR Art. 7(3); EDPB-CON ¶¶113-114; GDPR.md CO-3",
)
def withdrawal_harder_than_giving(context: CheckContext) -> Iterator[Violation]:
    """Withdrawal is as easy as giving consent: same channel, no more steps (Art. 7(3); CO-3).

    Compares the easiest ``withdrawn_by`` route with the easiest ``given_by`` act (an
    online action when not stated), and reads ``withdrawal`` for registered letters,
    visits and copies of identity documents.
    """
    for index, key, consent in _consents(context):
        why = _harder_withdrawal(consent)
        if why is not None:
            yield Violation(
                ("purposes", index, "consent", "withdrawal"),
                f"purpose '{key}': {why}",
                "offer withdrawal through the channel consent was given in, with no more "
                "steps (an unsubscribe link or a switch for online consent: withdrawn_by: "
                "[one_click]) and no identity document; record given_by if consent is given "
                "on paper or by phone",
            )


RULES: tuple[Rule, ...] = (
    no_notice_or_withdrawal,
    not_an_affirmative_act,
    withdrawal_harder_than_giving,
)
"""The consent rules, in documentation order."""
