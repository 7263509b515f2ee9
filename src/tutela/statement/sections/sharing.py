"""Statement sections on who gets the data: recipients, transfers, anonymous data.

Recipients are named where the programme names them, by kind otherwise (GDPR
Art. 13(1)(e), AC-3); each transfer outside the EEA is shown with its country and
Chapter V safeguard (Art. 13(1)(f), TR-2, TR-4, TR-5, TR-6); anonymised releases
say what, how and to whom (Recital 26, AN-1).
"""

from __future__ import annotations

from tutela.programme.models import AnonymisedRelease, Recipient, Safeguard
from tutela.statement import wording
from tutela.statement.context import StatementContext
from tutela.statement.view import Block, Fact, Facts, Paragraph, Table

_ART46_TOOLS = frozenset({"scc", "bcr", "certification", "code_of_conduct", "ad_hoc"})
_DEFAULT_SCC_DECISION = "Implementing Decision (EU) 2021/914"
_DPF = (
    "the EU-U.S. Data Privacy Framework, under which the recipient is certified"
    " (adequacy decision, Implementing Decision (EU) 2023/1795)"
)


def recipients(context: StatementContext) -> tuple[Block, ...]:
    """Who receives personal data, why, which data and where they are."""
    all_recipients = context.programme.recipients
    if not all_recipients:
        return (Paragraph(f"We do not share your personal data with anyone outside {context.we}."),)
    blocks: list[Block] = [Paragraph(_sharing_intro(all_recipients))]
    rows = tuple(_recipient_row(context, recipient) for recipient in all_recipients)
    blocks.append(Table(("Recipient", "Role", "Why", "Personal data", "Located in"), rows))
    if any(not recipient.named for recipient in all_recipients):
        blocks.append(
            Paragraph(
                "Where we name a category of recipients rather than a recipient, you can ask us"
                f" for their names at {context.programme.organisation.privacy_email}."
            )
        )
    statements = tuple(
        Fact(r.name, r.privacy_statement_url) for r in all_recipients if r.privacy_statement_url
    )
    if statements:
        blocks.append(Paragraph("For how they process personal data, see their own statements:"))
        blocks.append(Facts(statements))
    return tuple(blocks)


def _sharing_intro(all_recipients: list[Recipient]) -> str:
    text = (
        "We share personal data only where the purposes described above need it. Recipients"
        " may use it only for their task."
    )
    if any(recipient.kind == "processor" for recipient in all_recipients):
        text += (
            " Processors act only on our documented instructions, under a data processing"
            " agreement (Art. 28 GDPR)."
        )
    return text


def _recipient_row(context: StatementContext, recipient: Recipient) -> tuple[str, ...]:
    name = recipient.name if recipient.named else f"{recipient.name} (category of recipients)"
    why = [wording.sentence(recipient.description)] if recipient.description else []
    if recipient.purposes:
        why.append(f"For: {context.purposes(recipient.purposes)}.")
    return (
        name,
        wording.RECIPIENT_KINDS[recipient.kind],
        " ".join(why),
        context.categories(recipient.categories),
        context.countries(recipient.countries),
    )


def transfers(context: StatementContext) -> tuple[Block, ...]:
    """Each recipient outside the EEA with its countries and safeguard (Chapter V GDPR)."""
    abroad = [r for r in context.programme.recipients if _third_countries(context, r)]
    if not abroad:
        return (
            Paragraph(
                "We do not transfer your personal data outside the European Economic Area (EEA)."
            ),
        )
    rows = tuple(_transfer_row(context, recipient) for recipient in abroad)
    blocks: list[Block] = [
        Paragraph(
            "Some recipients are located outside the European Economic Area (EEA), in countries"
            " whose laws may not protect personal data as well as EU law. We transfer personal"
            " data to them only with one of the safeguards of Chapter V GDPR:"
        ),
        Table(("Recipient", "Country", "Safeguard", "Supplementary measures"), rows),
    ]
    if any(r.safeguard and r.safeguard.mechanism in _ART46_TOOLS for r in abroad):
        blocks.append(Paragraph(_assessment_text(context)))
    return tuple(blocks)


def _third_countries(context: StatementContext, recipient: Recipient) -> list[str]:
    return [code for code in recipient.countries if not context.places.in_eea(code)]


def _transfer_row(context: StatementContext, recipient: Recipient) -> tuple[str, ...]:
    countries = _third_countries(context, recipient)
    measures = wording.join_words(recipient.supplementary_measures) or "None needed"
    return (
        recipient.name,
        context.countries(countries),
        _safeguard(context, recipient, countries),
        measures,
    )


def _safeguard(context: StatementContext, recipient: Recipient, countries: list[str]) -> str:
    if recipient.dpf_certified:
        return f"Transfers rely on {_DPF}."
    safeguard = recipient.safeguard
    if safeguard is None:
        return "No safeguard recorded yet."
    name, article = wording.SAFEGUARDS[safeguard.mechanism]
    details = [*_safeguard_details(context, safeguard, countries), article]
    text = f"Transfers rely on {name} ({'; '.join(details)})"
    if safeguard.tia:
        assessed = wording.format_date(safeguard.tia.assessed_on)
        text += f", with a transfer impact assessment carried out on {assessed}"
    return text + "."


def _safeguard_details(
    context: StatementContext, safeguard: Safeguard, countries: list[str]
) -> list[str]:
    if safeguard.mechanism == "adequacy":
        decisions = (context.places.adequacy_decision(c) for c in countries)
        return list(wording.unique(d.decision for d in decisions if d is not None and d.decision))
    if safeguard.mechanism == "scc":
        module = wording.SCC_MODULES.get(safeguard.scc_module or "")
        return [safeguard.scc_decision or _DEFAULT_SCC_DECISION, *([module] if module else [])]
    if safeguard.mechanism == "derogation" and safeguard.derogation:
        return [wording.one_line(safeguard.derogation)]
    return []


def _assessment_text(context: StatementContext) -> str:
    return (
        "For every transfer relying on standard contractual clauses, binding corporate rules, a"
        " certification, a code of conduct or authorised clauses, we assess whether the law and"
        " practice of the destination country could impair the safeguard (transfer impact"
        " assessment) and add supplementary measures where needed. You can obtain a copy of"
        f" these safeguards by writing to {context.programme.organisation.privacy_email}."
    )


def anonymous_data(context: StatementContext) -> tuple[Block, ...]:
    """Anonymised releases: what is released, how it is anonymised, to whom (AN-1..AN-3)."""
    releases = context.programme.anonymisation
    if not releases:
        return (
            Paragraph(
                "We do not produce or share anonymised data derived from your personal data."
            ),
        )
    facts = tuple(_release(context, release) for release in releases)
    return (
        Paragraph(
            "We may turn personal data into anonymous data, which no longer allows anyone to"
            " identify you and is therefore not personal data. We share such data only as"
            " follows, including for statistical purposes:"
        ),
        Facts(facts),
    )


def _release(context: StatementContext, release: AnonymisedRelease) -> Fact:
    parts = [wording.sentence(release.description)]
    method = wording.ANONYMISATION_METHODS[release.method]
    measures = [f"k = {release.k}" if release.k else "", f"l = {release.l}" if release.l else ""]
    if release.min_cell:
        measures.append(f"groups of fewer than {release.min_cell} people suppressed")
    detail = wording.join_words(m for m in measures if m)
    parts.append(f"Method: {method}{f' ({detail})' if detail else ''}.")
    if release.source_purposes:
        parts.append(f"Derived from: {context.purposes(release.source_purposes)}.")
    shared = wording.join_words(release.recipients) or "nobody outside us"
    parts.append(f"Shared with: {shared}.")
    return Fact(release.name, " ".join(parts))
