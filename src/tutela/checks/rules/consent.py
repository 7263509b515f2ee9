"""Consent and direct-marketing rules (GDPR Art. 7, 21; ePD Art. 13)."""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.sites import uses_any
from tutela.programme.models import LegalBasis, Purpose

MARKETING_USES = ("marketing.communications",)
"""Data uses that are direct marketing messages (fideslang keys)."""


def is_direct_marketing(purpose: Purpose) -> bool:
    """True if the purpose sends direct marketing (a direct_marketing block or data use)."""
    return purpose.direct_marketing is not None or uses_any(purpose, *MARKETING_USES)


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


def _marketing_basis_allowed(purpose: Purpose) -> bool:
    if purpose.legal_basis is LegalBasis.CONSENT:
        return True
    soft_opt_in = purpose.direct_marketing is not None and purpose.direct_marketing.soft_opt_in
    return soft_opt_in and purpose.legal_basis is LegalBasis.LEGITIMATE_INTERESTS


@rule(
    "marketing/basis-not-consent-or-soft-opt-in",
    severity="error",
    title="Direct marketing on a basis other than consent or the soft opt-in",
    source="ePD Art. 13(1)-(2); GDPR Art. 6(1), Recital 47; GDPR.md MK-1",
)
def basis_not_consent_or_soft_opt_in(context: CheckContext) -> Iterator[Violation]:
    """Marketing messages need consent or the existing-customer soft opt-in (ePD 13; MK-1)."""
    for index, purpose in enumerate(context.programme.purposes):
        if purpose.legal_basis is None or not is_direct_marketing(purpose):
            continue
        if not _marketing_basis_allowed(purpose):
            yield Violation(
                ("purposes", index, "legal_basis"),
                f"purpose '{purpose.key}' sends direct marketing on basis "
                f"'{purpose.legal_basis.value}'",
                "use legal_basis: consent, or for existing customers legitimate_interests with "
                "direct_marketing.soft_opt_in: true",
            )


@rule(
    "marketing/no-unsubscribe",
    severity="error",
    title="Direct marketing without an unsubscribe route",
    source="ePD Art. 13(2), 13(4); GDPR Art. 21(2)-(3); GDPR.md MK-2, OB-2",
)
def no_unsubscribe(context: CheckContext) -> Iterator[Violation]:
    """Every marketing message carries a working unsubscribe (ePD 13(4); MK-2)."""
    rights = context.programme.rights
    programme_route = rights.unsubscribe if rights is not None else None
    for index, purpose in enumerate(context.programme.purposes):
        if not is_direct_marketing(purpose):
            continue
        marketing = purpose.direct_marketing
        if (marketing is None or marketing.unsubscribe is None) and programme_route is None:
            yield Violation(
                ("purposes", index, "direct_marketing"),
                f"purpose '{purpose.key}' sends direct marketing without an unsubscribe route",
                "set direct_marketing.unsubscribe (e.g. 'one-click link in every e-mail') or "
                "rights.unsubscribe",
            )


RULES: tuple[Rule, ...] = (
    no_notice_or_withdrawal,
    basis_not_consent_or_soft_opt_in,
    no_unsubscribe,
)
"""The consent and marketing rules, in documentation order."""
