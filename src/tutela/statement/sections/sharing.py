"""Statement sections on who gets the data: recipients, transfers, anonymous data.

Recipients are named where the programme names them, by kind otherwise (GDPR
Art. 13(1)(e), AC-3); each transfer outside the EEA is shown with its country and
Chapter V safeguard (Art. 13(1)(f), TR-2, TR-4, TR-5, TR-6); anonymised releases
say what, how and to whom (Recital 26, AN-1).
"""

from __future__ import annotations

from tutela.i18n import _
from tutela.programme.models import AnonymisedRelease, Recipient, Safeguard
from tutela.statement import wording
from tutela.statement.context import StatementContext, safeguard_kind
from tutela.statement.phrases import (
    ANONYMISATION_METHODS,
    RECIPIENT_KINDS,
    SAFEGUARD_ARTICLES,
    SAFEGUARDS,
    SCC_MODULES,
)
from tutela.statement.view import Block, Fact, Facts, Paragraph, Table

_ART46_TOOLS = frozenset({"scc", "bcr", "certification", "code_of_conduct", "ad_hoc"})
_DEFAULT_SCC_DECISION = "Implementing Decision (EU) 2021/914"


def recipients(context: StatementContext) -> tuple[Block, ...]:
    """Who receives personal data, what they do and where they are."""
    all_recipients = context.programme.recipients
    if not all_recipients:
        return (
            Paragraph(
                _("We do not share your personal data with anyone outside {we}.").format(
                    we=context.we
                )
            ),
        )
    columns = (_("Recipient"), _("Role"), _("What they do"), _("Located in"))
    named = tuple(_recipient_row(context, r) for r in all_recipients if r.named)
    unnamed = tuple(_recipient_row(context, r) for r in all_recipients if not r.named)
    blocks: list[Block] = [Paragraph(_sharing_intro(all_recipients))]
    if named:
        blocks.append(Table(columns, named))
    if unnamed:
        blocks.append(
            Paragraph(_("We name these recipients by category; you can ask us for their names:"))
        )
        blocks.append(Table(columns, unnamed))
    return tuple(blocks)


def _sharing_intro(all_recipients: list[Recipient]) -> str:
    text = _("We share personal data only where a purpose needs it.")
    if any(recipient.kind == "processor" for recipient in all_recipients):
        text += " " + _("Processors act only on our instructions, under a contract (Art. 28 GDPR).")
    return text


def _recipient_row(context: StatementContext, recipient: Recipient) -> tuple[str, ...]:
    name = recipient.name
    what = [wording.sentence(context.text(recipient.description))] if recipient.description else []
    if recipient.privacy_statement_url:
        what.append(_("Privacy statement: {url}").format(url=recipient.privacy_statement_url))
    return (
        name,
        _(RECIPIENT_KINDS[recipient.kind]),
        " ".join(what) or "—",
        context.countries(recipient.countries) or "—",
    )


def transfers(context: StatementContext) -> tuple[Block, ...]:
    """Each recipient outside the EEA with its countries and safeguard (Chapter V GDPR)."""
    abroad = [r for r in context.programme.recipients if _third_countries(context, r)]
    if not abroad:
        return (
            Paragraph(
                _("We do not transfer your personal data outside the European Economic Area.")
            ),
        )
    rows = tuple(_transfer_row(context, recipient) for recipient in abroad)
    blocks: list[Block] = [
        Paragraph(
            _(
                "We transfer data outside the European Economic Area (EEA) only with a safeguard"
                " of Chapter V GDPR:"
            )
        ),
        Table((_("Recipient"), _("Country"), _("Safeguard"), _("Extra measures")), rows),
    ]
    blocks.append(Paragraph(_legal_grounds(abroad)))
    if any(r.safeguard and r.safeguard.mechanism in _ART46_TOOLS for r in abroad):
        blocks.append(Paragraph(_assessment_text(context)))
    return tuple(blocks)


def _legal_grounds(abroad: list[Recipient]) -> str:
    """The article each safeguard in use rests on, and the SCC decision, said once."""
    used = {safeguard_kind(recipient) for recipient in abroad}
    grounds = [_(text) for key, text in SAFEGUARD_ARTICLES.items() if key in used]
    return _("Legal grounds: {grounds}.").format(grounds="; ".join(grounds))


def _third_countries(context: StatementContext, recipient: Recipient) -> list[str]:
    return [code for code in recipient.countries if not context.places.in_eea(code)]


def _transfer_row(context: StatementContext, recipient: Recipient) -> tuple[str, ...]:
    countries = _third_countries(context, recipient)
    measures = wording.listing(context.text(m) for m in recipient.supplementary_measures)
    return (
        recipient.name,
        context.countries(countries),
        _safeguard(context, recipient, countries),
        measures or "—",
    )


def _safeguard(context: StatementContext, recipient: Recipient, countries: list[str]) -> str:
    if recipient.dpf_certified:
        return _("EU-U.S. Data Privacy Framework; the recipient is certified.")
    safeguard = recipient.safeguard
    if safeguard is None:
        return _("No safeguard recorded yet.")
    details = _safeguard_details(context, safeguard, countries)
    text = _(SAFEGUARDS[safeguard.mechanism])
    if details:
        text = _("{safeguard}: {details}").format(safeguard=text, details="; ".join(details))
    if safeguard.tia:
        assessed = wording.format_date(safeguard.tia.assessed_on)
        text = _("{safeguard}; transfer impact assessed {day}").format(safeguard=text, day=assessed)
    return text + "."


def _safeguard_details(
    context: StatementContext, safeguard: Safeguard, countries: list[str]
) -> list[str]:
    if safeguard.mechanism == "adequacy":
        decisions = (context.places.adequacy_decision(c) for c in countries)
        return list(wording.unique(d.decision for d in decisions if d is not None and d.decision))
    if safeguard.mechanism == "scc":
        module = SCC_MODULES.get(safeguard.scc_module or "")
        decision = safeguard.scc_decision
        details = [decision] if decision and decision != _DEFAULT_SCC_DECISION else []
        return [*details, *([_(module)] if module else [])]
    if safeguard.mechanism == "derogation" and safeguard.derogation:
        return [wording.one_line(safeguard.derogation)]
    return []


def _assessment_text(context: StatementContext) -> str:
    return " ".join(
        (
            _(
                "For clauses and rules, we first assess the law of the destination and add"
                " extra measures where needed."
            ),
            _("Ask {email} for a copy of the safeguards.").format(
                email=context.programme.organisation.privacy_email
            ),
        )
    )


def anonymous_data(context: StatementContext) -> tuple[Block, ...]:
    """Anonymised releases: what is released, how it is anonymised, to whom (AN-1..AN-3)."""
    releases = context.programme.anonymisation
    if not releases:
        return (Paragraph(_("We do not produce or share anonymised data derived from your data.")),)
    facts = tuple(_release(context, release) for release in releases)
    return (
        Paragraph(
            _("We may anonymise personal data, so that it no longer identifies anyone.")
            + " "
            + _("We share anonymous data, including for statistics, only as follows:")
        ),
        Facts(facts),
    )


def _release(context: StatementContext, release: AnonymisedRelease) -> Fact:
    parts = [wording.sentence(context.text(release.description))]
    method = _(ANONYMISATION_METHODS[release.method])
    measures = [f"k = {release.k}" if release.k else "", f"l = {release.l}" if release.l else ""]
    measures.append(f"t = {release.t:g}" if release.t else "")
    if release.min_cell:
        measures.append(
            _("groups of fewer than {count} people suppressed").format(count=release.min_cell)
        )
    detail = wording.join_words(m for m in measures if m)
    if detail:
        method = _("{method} ({detail})").format(method=method, detail=detail)
    parts.append(_("Method: {method}.").format(method=method))
    shared = wording.join_words(context.text(r) for r in release.recipients)
    parts.append(
        _("Shared with: {recipients}.").format(recipients=shared or _("nobody outside us"))
    )
    return Fact(context.text(release.name), " ".join(parts))
