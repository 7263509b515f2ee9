"""Cookie rules: non-exempt storage and access on a device needs consent (ePD Art. 5(3))."""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.programme.models import Cookie, LegalBasis


def _non_necessary(context: CheckContext) -> Iterator[tuple[int, Cookie]]:
    for index, cookie in enumerate(context.programme.cookies):
        if cookie.category != "necessary":
            yield index, cookie


@rule(
    "cookies/no-consent-purpose",
    severity="error",
    title="Non-necessary cookie without a consent purpose",
    source="ePD Art. 5(3); C-673/17 Planet49; WP194; GDPR.md CK-1, CK-2",
)
def no_consent_purpose(context: CheckContext) -> Iterator[Violation]:
    """A cookie that is not strictly necessary is set only under a consent purpose (CK-1)."""
    for index, cookie in _non_necessary(context):
        if cookie.purpose is None:
            yield Violation(
                ("cookies", index, "purpose"),
                f"{cookie.category} cookie '{cookie.name}' ({cookie.provider}) names no purpose",
                "set purpose to a consent-based purpose that the cookie banner asks for",
            )


@rule(
    "cookies/purpose-not-consent",
    severity="error",
    title="Non-necessary cookie whose purpose is not consent-based",
    source="ePD Art. 5(3); EDPB-53; GDPR.md CK-1, CK-3",
)
def purpose_not_consent(context: CheckContext) -> Iterator[Violation]:
    """Only consent lifts the ePD 5(3) ban for non-exempt cookies, whatever the GDPR basis."""
    for index, cookie in _non_necessary(context):
        purpose = context.purpose(cookie.purpose) if cookie.purpose else None
        if purpose is not None and purpose.legal_basis is not LegalBasis.CONSENT:
            basis = purpose.legal_basis.value if purpose.legal_basis else "none"
            yield Violation(
                ("cookies", index, "purpose"),
                f"{cookie.category} cookie '{cookie.name}' serves purpose '{purpose.key}' on "
                f"basis '{basis}', not consent",
                "link the cookie to a consent purpose, or recategorise it as necessary only if "
                "it is strictly necessary for a service the user asked for (WP194)",
            )


RULES: tuple[Rule, ...] = (no_consent_purpose, purpose_not_consent)
"""The cookie rules, in documentation order."""
