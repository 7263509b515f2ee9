"""Direct-marketing rules (ePD Art. 13; GDPR Art. 21(2)-(3), Recital 47; GDPR.md MK-1, MK-2).

ePD Art. 13(1) asks for prior consent for marketing by electronic mail (e-mail and SMS, ePD
Art. 2(h)), by automated calling systems and by fax; tutela also treats push notifications
as such electronic messages. The only exception is the soft opt-in of Art. 13(2): existing
customers, the controller's own similar products, electronic mail. Post and calls made by a
person are outside Art. 13(1)-(2): legitimate interests may cover them (Recital 47), with
the objection of Art. 21(2) (and any national opt-out register, Art. 13(3), not checked).
"""

from __future__ import annotations

from collections.abc import Iterator

from tutela.checks.findings import CheckContext, Rule, Violation, rule
from tutela.checks.sites import uses_any
from tutela.programme.models import DirectMarketing, LegalBasis, Purpose

MARKETING_USES = ("marketing.communications",)
"""Data uses that are direct marketing messages (fideslang keys)."""

ELECTRONIC_MAIL = frozenset({"email", "sms"})
"""Electronic mail in the sense of ePD Art. 2(h): the only channels of the soft opt-in."""

CONSENT_CHANNELS = ELECTRONIC_MAIL | {"push", "automated_call"}
"""Channels that need consent or the soft opt-in (ePD Art. 13(1)).

``automated_call`` is ``phone`` with ``automated_calls: true``."""

SOFT_OPT_IN_SUBJECTS = frozenset({"customer"})
"""Subject types (fideslang) the soft opt-in reaches: existing customers (ePD Art. 13(2))."""


def is_direct_marketing(purpose: Purpose) -> bool:
    """True if the purpose sends direct marketing (a direct_marketing block or data use)."""
    return purpose.direct_marketing is not None or uses_any(purpose, *MARKETING_USES)


def marketing_channels(purpose: Purpose) -> set[str]:
    """The channels of a marketing purpose; e-mail when only a generic data use says so."""
    marketing = purpose.direct_marketing
    if marketing is not None:
        channels: set[str] = set(marketing.channels)
        if marketing.automated_calls and "phone" in channels:
            channels = (channels - {"phone"}) | {"automated_call"}
        return channels
    found = {c for c in ("email", "sms") if uses_any(purpose, f"marketing.communications.{c}")}
    return found or {"email"}


def needs_consent(purpose: Purpose) -> bool:
    """True if ePD Art. 13(1) asks consent (or the soft opt-in) for the purpose's channels."""
    return bool(marketing_channels(purpose) & CONSENT_CHANNELS)


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
    """Electronic marketing needs consent or the existing-customer soft opt-in (ePD 13; MK-1).

    Post and calls made by a person are outside ePD Art. 13(1): legitimate interests may
    cover them (Recital 47), so they are not reported.
    """
    for index, purpose in enumerate(context.programme.purposes):
        if purpose.legal_basis is None or not is_direct_marketing(purpose):
            continue
        if needs_consent(purpose) and not _marketing_basis_allowed(purpose):
            channels = ", ".join(sorted(marketing_channels(purpose) & CONSENT_CHANNELS))
            yield Violation(
                ("purposes", index, "legal_basis"),
                f"purpose '{purpose.key}' sends direct marketing by {channels} on basis "
                f"'{purpose.legal_basis.value}'",
                "use legal_basis: consent, or for existing customers legitimate_interests with "
                "direct_marketing.soft_opt_in: true; post and calls by a person may stay on "
                "legitimate interests (split them into their own purpose)",
            )


def _soft_opt_in_faults(
    context: CheckContext, purpose: Purpose, marketing: DirectMarketing
) -> list[str]:
    faults = []
    other = sorted(marketing_channels(purpose) - ELECTRONIC_MAIL)
    if other:
        faults.append(f"it also uses {', '.join(other)}, not electronic mail")
    for key in purpose.subjects:
        subject = next((s for s in context.programme.subjects if s.key == key), None)
        taxonomy = set(subject.taxonomy) if subject is not None else set()
        if not taxonomy or not taxonomy <= SOFT_OPT_IN_SUBJECTS:
            kinds = ", ".join(sorted(taxonomy)) or "no subject type"
            faults.append(f"it reaches '{key}' ({kinds}), not only existing customers")
    if marketing.products != "own_similar":
        offered = marketing.products or "not stated"
        faults.append(f"what it offers is {offered}, not the controller's own similar products")
    return faults


@rule(
    "marketing/soft-opt-in-not-applicable",
    severity="error",
    title="Soft opt-in claimed outside existing customers, similar products or electronic mail",
    source="ePD Art. 13(2); GDPR.md MK-1",
)
def soft_opt_in_not_applicable(context: CheckContext) -> Iterator[Violation]:
    """The soft opt-in covers only customers, own similar products, e-mail/SMS (ePD 13(2)).

    Existing customers are subjects whose ``taxonomy`` is ``customer`` only; prospects and
    visitors need consent. The messages offer ``products: own_similar``. The channels are
    e-mail or SMS: post and calls by a person need no soft opt-in (Recital 47), and push or
    automated calls need consent.
    """
    for index, purpose in enumerate(context.programme.purposes):
        marketing = purpose.direct_marketing
        if marketing is None or not marketing.soft_opt_in:
            continue
        faults = _soft_opt_in_faults(context, purpose, marketing)
        if faults:
            yield Violation(
                ("purposes", index, "direct_marketing", "soft_opt_in"),
                f"purpose '{purpose.key}' claims the soft opt-in, but " + "; ".join(faults),
                "keep the soft opt-in to existing customers (subjects with taxonomy "
                "[customer]), products: own_similar and channels email or sms; ask consent "
                "for the rest, and put post or calls by a person in a purpose of their own",
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
    basis_not_consent_or_soft_opt_in,
    soft_opt_in_not_applicable,
    no_unsubscribe,
)
"""The marketing rules, in documentation order."""
