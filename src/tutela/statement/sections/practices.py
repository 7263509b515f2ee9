"""Statement sections on how data is kept: security, retention, cookies, links, changes.

Security (Art. 32), retention periods or criteria (Art. 13(2)(a), RT-1; processor
choices PR-3), cookies (ePD Art. 5(3), CK-3), links and community rules, and the
versioned change history (NT-1).
"""

from __future__ import annotations

from tutela.programme.models import Cookie, RetentionRule
from tutela.statement import wording
from tutela.statement.context import StatementContext, choices, retention_period
from tutela.statement.view import Block, BulletList, Fact, Facts, Paragraph, Table

_DEFAULT_LINKS = (
    "Our website may contain links to websites of other organisations. Those websites have"
    " their own privacy statements, which you should read when you visit them. We are not"
    " responsible for their content nor for how they process personal data."
)


def security(context: StatementContext) -> tuple[Block, ...]:
    """The security statement and the organisation's and systems' measures (Art. 32)."""
    programme = context.programme
    text = programme.statement.security
    blocks: list[Block] = [Paragraph(part) for part in wording.paragraphs(text or "")]
    measures = programme.organisation.security_measures
    if measures:
        blocks.append(Paragraph("Our measures include:"))
        blocks.append(BulletList(wording.unique(measures)))
    systems = tuple(
        Fact(system.name, "; ".join(wording.one_line(m) for m in system.security_measures))
        for system in programme.systems
        if system.security_measures
    )
    if systems:
        blocks.append(Paragraph("Our systems add their own measures:"))
        blocks.append(Facts(systems))
    if not blocks:
        email = programme.organisation.privacy_email
        blocks.append(
            Paragraph(
                "This statement does not describe our security measures yet; ask us at"
                f" {email} for details."
            )
        )
    return tuple(blocks)


def retention(context: StatementContext) -> tuple[Block, ...]:
    """Each retention rule: what it covers, how long, what happens at the end (RT-1)."""
    rules = context.programme.retention
    if not rules:
        return (
            Paragraph(
                "We have not set specific retention periods: we keep personal data only as long"
                " as necessary for the purposes described in this statement."
            ),
        )
    rows = tuple(_retention_row(context, rule) for rule in rules)
    blocks: list[Block] = [
        Paragraph(
            "We keep personal data only as long as necessary for the purpose for which it was"
            " collected and as legal, regulatory and internal requirements demand. At the end"
            " of the period we delete it or make it anonymous."
        ),
        Table(("What", "How long", "At the end", "Applies to"), rows),
    ]
    blocks += _processor_choices(context)
    return tuple(blocks)


def _retention_row(context: StatementContext, rule: RetentionRule) -> tuple[str, ...]:
    what = rule.name + (f": {wording.sentence(rule.description)}" if rule.description else "")
    period = retention_period(rule)
    if rule.legal_basis:
        period += f". Legal ground: {wording.sentence(rule.legal_basis)}"
    programme = context.programme
    users = [p.name for p in programme.purposes if p.retention == rule.key]
    users += [s.name for s in programme.systems if s.retention == rule.key]
    end = "Anonymised" if rule.action == "anonymise" else "Deleted"
    return what, period, end, wording.join_words(wording.unique(users))


def _processor_choices(context: StatementContext) -> list[Block]:
    blocks: list[Block] = []
    for system in context.programme.systems:
        rule = context.rule(system.retention)
        if system.role == "processor" and rule is not None and rule.choices:
            blocks.append(
                Paragraph(
                    f"For {system.name}, where we act as a processor, our customer chooses how"
                    f" long the data is kept: we delete it {choices(rule)} after"
                    f" {wording.event(rule.trigger)}."
                )
            )
    return blocks


def cookies(context: StatementContext) -> tuple[Block, ...]:
    """The cookie table: name, provider, category, duration, purpose (CK-3)."""
    all_cookies = context.programme.cookies
    if not all_cookies:
        return (Paragraph("We do not use cookies or similar technologies."),)
    website = context.programme.organisation.website
    where = f"Our website ({website})" if website else "Our website"
    rows = tuple(_cookie_row(context, cookie) for cookie in all_cookies)
    return (
        Paragraph(
            f"{where} uses cookies and similar technologies: small text files stored on your"
            " device when you visit a website. We place strictly necessary cookies without"
            " asking; we place all other cookies only with your consent, which you can withdraw"
            " at any time."
        ),
        Table(("Cookie", "Provider", "Category", "Duration", "Purpose"), rows),
    )


def _cookie_row(context: StatementContext, cookie: Cookie) -> tuple[str, ...]:
    provider = f"{cookie.provider} (third party)" if cookie.third_party else cookie.provider
    purpose = wording.one_line(cookie.description) if cookie.description else ""
    if not purpose and cookie.purpose:
        purpose = context.purposes([cookie.purpose])
    category = wording.COOKIE_CATEGORIES[cookie.category]
    return cookie.name, provider, category, wording.duration(cookie.duration), purpose


def links(context: StatementContext) -> tuple[Block, ...]:
    """The policy on links to other websites (a default text when the programme has none)."""
    text = context.programme.statement.links_policy or _DEFAULT_LINKS
    return tuple(Paragraph(part) for part in wording.paragraphs(text))


def community(context: StatementContext) -> tuple[Block, ...]:
    """Community and social-media moderation rules; empty (no section) when there are none."""
    text = context.programme.statement.community_policy or ""
    return tuple(Paragraph(part) for part in wording.paragraphs(text))


def modifications(context: StatementContext) -> tuple[Block, ...]:
    """Version, effective date, how changes are announced and the change log (NT-1)."""
    statement = context.programme.statement
    blocks: list[Block] = [Paragraph(version_sentence(context))]
    notice = statement.change_notice or _default_notice(context)
    blocks += [Paragraph(part) for part in wording.paragraphs(notice)]
    if statement.change_log:
        rows = tuple(
            (
                entry.version,
                wording.format_date(entry.date),
                wording.one_line(entry.summary),
                "Yes" if entry.material else "No",
            )
            for entry in statement.change_log
        )
        blocks.append(Table(("Version", "Date", "Changes", "Material change"), rows))
    return tuple(blocks)


def version_sentence(context: StatementContext) -> str:
    """The version and effective date as a sentence (NT-1: versioned and dated)."""
    statement = context.programme.statement
    since = statement.effective_date
    when = f", in effect since {wording.format_date(since)}" if since else ""
    if statement.version:
        return f"This is version {statement.version} of our privacy statement{when}."
    if since:
        return f"This privacy statement is in effect since {wording.format_date(since)}."
    return "This privacy statement has no version number or effective date yet."


def _default_notice(context: StatementContext) -> str:
    url = context.programme.statement.url or context.programme.organisation.website
    where = f" at {url}" if url else " on our website"
    return (
        "We may change this privacy statement to reflect changes in the law, in how we process"
        f" personal data or in our services. We publish every version{where} with its version"
        " number and date, and we tell you about material changes before they take effect."
    )
