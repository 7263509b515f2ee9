"""The wording of record cells: addresses, contacts, recipients, transfers, retention.

Pure text helpers for :mod:`tutela.records.build`: each turns part of the programme into
the plain string of one cell of the Art. 30 records. Multi-valued cells hold one item a
line (:func:`cell_lines`), and an empty one reads :data:`NONE`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from tutela.jurisdictions import packaged_jurisdictions
from tutela.programme.establishments import established_in_eea
from tutela.programme.models import (
    Address,
    Contact,
    LegalBasis,
    Organisation,
    Purpose,
    Recipient,
    RetentionRule,
    Safeguard,
    System,
)

NONE = "None"


def cell_lines(items: Iterable[str]) -> str:
    """The distinct non-empty ``items``, one a line; :data:`NONE` when there is none."""
    kept = [item for item in dict.fromkeys(items) if item]
    return "\n".join(kept) if kept else NONE


def address_text(address: Address) -> str:
    """``address`` on one line: street, postal code and city, region, country."""
    place = " ".join(part for part in (address.postal_code, address.city) if part)
    return ", ".join(
        part for part in (address.street, place, address.region, address.country) if part
    )


def organisation_text(organisation: Organisation) -> str:
    """The organisation's legal name, registered address, privacy contact and website."""
    lines = [organisation.legal_name, address_text(organisation.registered_address)]
    lines.append(f"Privacy contact: {organisation.privacy_email}")
    if organisation.website:
        lines.append(organisation.website)
    return "\n".join(lines)


def contact_text(contact: Contact) -> str:
    """A contact's name, e-mail, phone and address, one a line."""
    parts = [contact.name, contact.email, contact.phone]
    if contact.address:
        parts.append(address_text(contact.address))
    return "\n".join(part for part in parts if part)


def representative_text(organisation: Organisation) -> str:
    """The EU representative (Art. 27), or why there is none."""
    if organisation.eu_representative:
        return contact_text(organisation.eu_representative)
    if established_in_eea(organisation, packaged_jurisdictions()):
        return "Not required (established in the EEA, Art. 27)"
    if organisation.representative_exemption:
        return f"Not required (Art. 27(2)): {organisation.representative_exemption}"
    return "None designated"


def security_text(organisation: Organisation, systems: Iterable[System]) -> str:
    """The organisation's security measures, then those of ``systems``."""
    system_measures = [m for system in systems for m in system.security_measures]
    return cell_lines([*organisation.security_measures, *system_measures])


def source_text(name: str, kind: str, provider: str | None) -> str:
    """A source's name with its kind and, when named, its provider."""
    via = f", {provider}" if provider else ""
    return f"{name} ({kind.replace('_', ' ')}{via})"


def third_countries(recipient: Recipient) -> list[str]:
    """The recipient's countries outside the EEA."""
    places = packaged_jurisdictions()
    return [country for country in recipient.countries if not places.in_eea(country)]


def recipient_text(recipient: Recipient) -> str:
    """A recipient's name, kind and countries, naming any third country."""
    outside = third_countries(recipient)
    where = ", ".join(recipient.countries) or "country not recorded"
    third = f"; third country: {', '.join(outside)}" if outside else ""
    return f"{recipient.name} ({recipient.kind.replace('_', ' ')}; {where}{third})"


def transfers_text(recipients: Iterable[Recipient]) -> str:
    """The transfers of ``recipients`` outside the EEA with their safeguards."""
    texts = [transfer_text(r) for r in recipients if third_countries(r)]
    return cell_lines(texts) if texts else "None (no recipient outside the EEA)"


def transfer_text(recipient: Recipient) -> str:
    """One recipient's transfer: third countries, safeguard, supplementary measures."""
    head = f"{recipient.name} → {', '.join(third_countries(recipient))}: "
    text = head + safeguard_text(recipient.safeguard, recipient)
    if recipient.supplementary_measures:
        text += f"; supplementary measures: {', '.join(recipient.supplementary_measures)}"
    return text


def hosting_transfer_text(system: System, on: date) -> str:
    """A system hosted outside the EEA as a transfer (Art. 30(2)(c)), with its adequacy.

    Only an adequacy decision in force ``on`` that asks nothing of the importer (Art. 45)
    covers a hosting country by itself; otherwise the safeguard is the hosting provider's.
    """
    places = packaged_jurisdictions()
    code = places.code(system.hosting_country)
    head = f"{system.name} → {places.country(code)} ({code}, hosting): "
    decision = places.adequacy_in_force(code, on)
    if decision is not None and decision.requires is None:
        return head + f"{_TOOLS['adequacy']}, {decision.decision}"
    return head + "the hosting provider's safeguard (see sub-processors)"


def compelling_interests(safeguard: Safeguard) -> bool:
    """Whether a transfer rests on Art. 49(1) second subparagraph (compelling interests).

    Such a transfer is recorded with "the documentation of suitable safeguards"
    (Art. 30(1)(e), 30(2)(c)); the derogation's text names the ground.
    """
    ground = (safeguard.derogation or "").lower()
    return safeguard.mechanism == "derogation" and (
        "second subparagraph" in ground or "compelling" in ground
    )


_TOOLS = {
    "adequacy": "adequacy decision (Art. 45)",
    "scc": "standard contractual clauses (Art. 46(2)(c))",
    "bcr": "binding corporate rules (Art. 47)",
    "certification": "certification (Art. 46(2)(f))",
    "code_of_conduct": "code of conduct (Art. 46(2)(e))",
    "ad_hoc": "ad hoc clauses authorised by the SA (Art. 46(3)(a))",
    "derogation": "derogation (Art. 49(1))",
}


def safeguard_text(safeguard: Safeguard | None, recipient: Recipient) -> str:
    """The Chapter V tool of a transfer, or the recipient's DPF certification."""
    if safeguard is None:
        dpf = dpf_text(recipient)
        return dpf or "no safeguard recorded"
    parts = [_TOOLS[safeguard.mechanism]]
    if safeguard.scc_module:
        parts.append(f"module {safeguard.scc_module}")
    parts += [safeguard.scc_decision or "", safeguard.derogation or "", dpf_text(recipient)]
    if safeguard.signed:
        parts.append(f"signed {safeguard.signed.isoformat()}")
    if safeguard.tia:
        review = (
            f", review {safeguard.tia.review_on.isoformat()}" if safeguard.tia.review_on else ""
        )
        parts.append(f"TIA {safeguard.tia.reference} of {safeguard.tia.assessed_on}{review}")
    if compelling_interests(safeguard):
        parts.append(_documentation_text(safeguard))
    elif safeguard.reference:
        parts.append(f"ref. {safeguard.reference}")
    return ", ".join(part for part in parts if part)


def _documentation_text(safeguard: Safeguard) -> str:
    if safeguard.reference:
        return f"suitable safeguards documented in {safeguard.reference} (Art. 49(1) 2nd subpara.)"
    return "documentation of suitable safeguards NOT RECORDED (Art. 49(1) 2nd subpara.)"


def dpf_text(recipient: Recipient) -> str:
    """The recipient's EU-US Data Privacy Framework certification, or ``""``."""
    if not recipient.dpf_certified:
        return ""
    until = f" until {recipient.dpf_expires.isoformat()}" if recipient.dpf_expires else ""
    return f"EU-US Data Privacy Framework certified{until}"


def retention_text(rule: RetentionRule, *, counted_from: str | None = None) -> str:
    """How long a retention rule keeps data, and what happens then.

    ``counted_from`` names the field holding each row's trigger date
    (``collection.field``, a collection's ``retention_from``).
    """
    trigger = rule.trigger.replace("_", " ")
    if counted_from:
        trigger += f" (each row's {counted_from})"
    if rule.period:
        text = f"{rule.period} after {trigger}"
        text += f" (as chosen: {', '.join(rule.choices)})" if rule.choices else ""
    else:
        text = f"{rule.criterion or rule.name} (from {trigger})"
    action = {"anonymise": "then anonymised", "archive": "then moved to an archive"}.get(
        rule.action, "then deleted"
    )
    return f"{text}, {action} - {rule.name}"


def profiling_text(purpose: Purpose) -> str:
    """Whether the purpose profiles or decides automatically (Art. 22), and how."""
    profiling = purpose.profiling
    if profiling is None or not (profiling.profiling or profiling.automated_decision):
        return "No"
    kind = "Automated decision (Art. 22)" if profiling.automated_decision else "Profiling"
    return f"{kind}: {profiling.logic}" if profiling.logic else kind


_BASIS_POINTS = dict(zip(LegalBasis, "abcdef", strict=True))
"""Art. 6(1) point of each basis (the enum lists them in the article's order)."""


def legal_basis_text(purpose: Purpose) -> str:
    """The purpose's Art. 6(1) basis with its point, interest, obligation, Art. 9(2) condition."""
    if purpose.legal_basis is None:
        return "Not recorded"
    basis, point = purpose.legal_basis, _BASIS_POINTS[purpose.legal_basis]
    lines = [f"{basis.value.replace('_', ' ').capitalize()} (Art. 6(1)({point}))"]
    if purpose.legitimate_interest:
        lines.append(f"Interest: {purpose.legitimate_interest.interest}")
    if purpose.legal_obligation:
        lines.append(f"Obligation: {purpose.legal_obligation}")
    if purpose.special_category_condition:
        lines.append(f"Art. 9(2): {purpose.special_category_condition.value.replace('_', ' ')}")
    return "\n".join(lines)


def agreement_text(system: System) -> str:
    """The system's processing agreement (Art. 28(3)) and when it was signed."""
    if system.dpa is None:
        return "Not recorded"
    signed = f", signed {system.dpa.signed.isoformat()}" if system.dpa.signed else ""
    return f"{system.dpa.reference}{signed}"
