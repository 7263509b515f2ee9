"""The words of a transfer outside the EEA on the console's data map: its safeguard.

:func:`safeguard_lines` says which Chapter V tool a recipient's transfer relies on
(Arts. 45-49, GDPR.md TR-2), with its details (SCC module and decision, signature, the
transfer impact assessment of TR-5, the EU-US Data Privacy Framework certification), or
why there is none. Call inside ``i18n.language``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutela.i18n import N_, _

if TYPE_CHECKING:
    from tutela.programme.models import Recipient, Safeguard

MECHANISMS: dict[str, str] = {
    "adequacy": N_("Adequacy decision (Art. 45)"),
    "scc": N_("Standard contractual clauses (Art. 46(2)(c))"),
    "bcr": N_("Binding corporate rules (Art. 47)"),
    "certification": N_("Certification (Art. 46(2)(f))"),
    "code_of_conduct": N_("Code of conduct (Art. 46(2)(e))"),
    "ad_hoc": N_("Ad hoc clauses authorised by the supervisory authority (Art. 46(3)(a))"),
    "derogation": N_("Derogation (Art. 49(1))"),
}
"""The Chapter V tool of a transfer, in words (GDPR.md TR-2)."""
SHORT_MECHANISMS: dict[str, str] = {
    "adequacy": N_("adequacy"),
    "scc": N_("SCCs"),
    "bcr": N_("BCRs"),
    "certification": N_("certification"),
    "code_of_conduct": N_("code of conduct"),
    "ad_hoc": N_("ad hoc clauses"),
    "derogation": N_("derogation"),
}
"""The same tools in a few words, for the map's boxes."""


def safeguard_lines(recipient: Recipient, outside: bool) -> tuple[str, ...]:
    """The Chapter V tool of ``recipient``'s transfer in words, or why there is none."""
    safeguard = recipient.safeguard
    dpf = _dpf_line(recipient)
    if safeguard is None and not outside:
        return (_("Not needed: every country is in the EEA"),)
    if safeguard is None:
        return (dpf,) if dpf else (_("No safeguard recorded"),)
    return _lines([_(MECHANISMS[safeguard.mechanism]), *_safeguard_details(safeguard), dpf])


def safeguard_short(recipient: Recipient) -> str:
    """The tool of ``recipient``'s transfer in a few words (``SCCs``), or ``no safeguard``."""
    if recipient.safeguard is not None:
        return _(SHORT_MECHANISMS[recipient.safeguard.mechanism])
    return _("EU-US Data Privacy Framework") if recipient.dpf_certified else _("no safeguard")


def _safeguard_details(safeguard: Safeguard) -> list[str]:
    details = [
        _("Module %(module)s") % {"module": safeguard.scc_module} if safeguard.scc_module else "",
        safeguard.scc_decision or "",
        safeguard.derogation or "",
        _("Signed on %(day)s") % {"day": safeguard.signed.isoformat()} if safeguard.signed else "",
        safeguard.reference or "",
    ]
    tia = safeguard.tia
    if tia is not None:
        review = tia.review_on.isoformat() if tia.review_on else _("not planned")
        details.append(
            _("Transfer impact assessment %(reference)s of %(day)s, next review %(review)s")
            % {"reference": tia.reference, "day": tia.assessed_on.isoformat(), "review": review}
        )
    return details


def _dpf_line(recipient: Recipient) -> str:
    if not recipient.dpf_certified:
        return ""
    if recipient.dpf_expires is None:
        return _("Certified under the EU-US Data Privacy Framework")
    return _("Certified under the EU-US Data Privacy Framework until %(day)s") % {
        "day": recipient.dpf_expires.isoformat()
    }


def _lines(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))
