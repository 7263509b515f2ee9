"""Cookie rules: non-exempt storage and access on a device needs consent (ePD Art. 5(3)).

A cookie is exempt from consent when it is ``necessary`` (strictly necessary for a service
the user asked for, or for transmitting a communication) or when it is a ``preferences``
cookie that records the WP194 exemption it relies on (``exemption: ui_customisation`` for
a language cookie, WP194 §3.6). Statistics and marketing cookies are never exempt
(GDPR.md CK-2), whatever their ``exemption`` says.
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.known_cookies import known_category
from tutela.programme.models import Cookie, LegalBasis

NEVER_EXEMPT = ("statistics", "marketing")
"""Categories no WP194 exemption covers: analytics, advertising, tracking (CK-2)."""


def exempt(cookie: Cookie) -> bool:
    """True if ePD Art. 5(3) lets the cookie be set without consent (WP194; CK-2)."""
    if cookie.category == "necessary":
        return True
    return cookie.category not in NEVER_EXEMPT and cookie.exemption is not None


def _needing_consent(context: CheckContext) -> Iterator[tuple[int, Cookie]]:
    for index, cookie in enumerate(context.programme.cookies):
        if not exempt(cookie):
            yield index, cookie


@rule(
    "cookies/no-consent-purpose",
    severity="error",
    title="Non-necessary cookie without a consent purpose",
    source="ePD Art. 5(3); C-673/17 Planet49; WP194; GDPR.md CK-1, CK-2",
)
def no_consent_purpose(context: CheckContext) -> Iterator[Violation]:
    """A cookie that is not strictly necessary is set only under a consent purpose (CK-1).

    Preferences cookies that record a WP194 exemption (``exemption: ui_customisation``)
    are exempt (ePD Art. 5(3); CK-2).
    """
    for index, cookie in _needing_consent(context):
        if cookie.purpose is None:
            yield Violation(
                ("cookies", index, "purpose"),
                f"{cookie.category} cookie '{cookie.name}' ({cookie.provider}) names no purpose",
                "set purpose to a consent-based purpose that the cookie banner asks for; a "
                "preferences cookie that only remembers a UI choice may instead record "
                "exemption: ui_customisation (WP194)",
            )


@rule(
    "cookies/purpose-not-consent",
    severity="error",
    title="Non-necessary cookie whose purpose is not consent-based",
    source="ePD Art. 5(3); EDPB-53; GDPR.md CK-1, CK-3",
)
def purpose_not_consent(context: CheckContext) -> Iterator[Violation]:
    """Only consent lifts the ePD 5(3) ban for non-exempt cookies, whatever the GDPR basis."""
    for index, cookie in _needing_consent(context):
        purpose = context.purpose(cookie.purpose) if cookie.purpose else None
        if purpose is not None and purpose.legal_basis is not LegalBasis.CONSENT:
            basis = purpose.legal_basis.value if purpose.legal_basis else "none"
            yield Violation(
                ("cookies", index, "purpose"),
                f"{cookie.category} cookie '{cookie.name}' serves purpose '{purpose.key}' on "
                f"basis '{basis}', not consent",
                "link the cookie to a consent purpose, or recategorise it as necessary only if "
                "it is strictly necessary for a service the user asked for (WP194); a "
                "preferences cookie that only remembers a UI choice may record exemption: "
                "ui_customisation",
            )


@rule(
    "cookies/known-tracker-declared-exempt",
    severity="error",
    title="Well-known analytics or marketing cookie declared exempt from consent",
    source="ePD Art. 5(3); WP194; EDPB-53; GDPR.md CK-1, CK-2",
)
def known_tracker_declared_exempt(context: CheckContext) -> Iterator[Violation]:
    """A cookie known to serve analytics or advertising is never exempt (ePD 5(3); CK-2).

    The known cookies and their real categories are tutela's data file
    ``checks/data/known_cookies.yml`` (``_ga``, ``_fbp``, ``bcookie``, ``hubspotutk``...).
    """
    for index, cookie in enumerate(context.programme.cookies):
        known = known_category(cookie.name)
        if known is None or known.category not in NEVER_EXEMPT:
            continue
        if cookie.category == "necessary" or cookie.exemption is not None:
            declared = cookie.category if cookie.exemption is None else cookie.exemption
            yield Violation(
                ("cookies", index, "category"),
                f"cookie '{cookie.name}' is a {known.category} cookie of {known.provider}, "
                f"but the programme declares it exempt from consent ({declared})",
                f"declare it category: {known.category} (no exemption) and link it to a "
                "consent purpose the cookie banner asks for",
            )


RULES: tuple[Rule, ...] = (no_consent_purpose, purpose_not_consent, known_tracker_declared_exempt)
"""The cookie rules, in documentation order."""
