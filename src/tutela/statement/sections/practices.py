"""Statement sections on how data is kept: security, retention, cookies, links, changes.

Security (Art. 32), retention periods or criteria (Art. 13(2)(a), RT-1; processor
choices PR-3), cookies (ePD Art. 5(3), CK-3), links and community rules, and the
versioned change history (NT-1).
"""

from __future__ import annotations

from tutela.i18n import N_, _
from tutela.programme.models import Cookie, RetentionRule
from tutela.statement import wording
from tutela.statement.context import StatementContext, choices, retention_period
from tutela.statement.phrases import COOKIE_CATEGORIES
from tutela.statement.view import Block, BulletList, Fact, Facts, Paragraph, Table

_DEFAULT_LINKS = N_(
    "Our website may link to websites of other organisations, which have their own privacy"
    " statements. We are not responsible for their content or their processing of personal"
    " data."
)


def security(context: StatementContext) -> tuple[Block, ...]:
    """The security statement and the organisation's and systems' measures (Art. 32)."""
    programme = context.programme
    text = context.text(programme.statement.security or "")
    blocks: list[Block] = [Paragraph(part) for part in wording.paragraphs(text)]
    measures = [context.text(m) for m in programme.organisation.security_measures]
    if measures:
        blocks.append(Paragraph(_("Our measures include:")))
        blocks.append(BulletList(wording.unique(measures)))
    systems = tuple(
        Fact(system.name, "; ".join(wording.one_line(m) for m in system.security_measures))
        for system in programme.systems
        if system.security_measures
    )
    if systems:
        blocks.append(Paragraph(_("Some systems add:")))
        blocks.append(Facts(systems))
    if not blocks:
        blocks.append(
            Paragraph(
                _("This statement does not describe our security measures yet.")
                + " "
                + _("Ask us at {email} for details.").format(
                    email=programme.organisation.privacy_email
                )
            )
        )
    return tuple(blocks)


def retention(context: StatementContext) -> tuple[Block, ...]:
    """Each retention rule: what it covers, how long, what happens at the end (RT-1)."""
    rules = context.programme.retention
    if not rules:
        return (
            Paragraph(
                _("We have not set specific retention periods.")
                + " "
                + _("We keep personal data only as long as the purposes described here need it.")
            ),
        )
    rows = tuple(_retention_row(context, rule) for rule in rules)
    blocks: list[Block] = [
        Paragraph(_("We keep personal data only as long as its purpose and the law require.")),
        Table((_("Data"), _("How long"), _("Used for")), rows),
    ]
    blocks += _processor_choices(context)
    return tuple(blocks)


def _retention_row(context: StatementContext, rule: RetentionRule) -> tuple[str, ...]:
    what = context.text(rule.name)
    if rule.description:
        what = _("{name}: {description}").format(
            name=what, description=wording.sentence(context.text(rule.description))
        )
    criterion = context.text(rule.criterion) if rule.criterion else ""
    if rule.action == "anonymise":
        period = _("{period}, then anonymised.")
    elif rule.action == "archive":
        period = _("{period}, then moved to an archive.")
    else:
        period = _("{period}, then deleted.")
    period = period.format(period=wording.capitalised(retention_period(rule, criterion)))
    if rule.legal_basis:
        ground = wording.sentence(context.text(rule.legal_basis))
        period = _("{period} Legal ground: {ground}").format(period=period, ground=ground)
    users = [context.text(p.name) for p in context.programme.purposes if p.retention == rule.key]
    return what, period, wording.join_words(wording.unique(users)) or "—"


def _processor_choices(context: StatementContext) -> list[Block]:
    blocks: list[Block] = []
    for system in context.programme.systems:
        rule = context.rule(system.retention)
        if system.role == "processor" and rule is not None and rule.choices:
            blocks.append(
                Paragraph(
                    _(
                        "For {system}, where we act as a processor, our customer chooses how long"
                        " the data is kept: we delete it {periods} after {event}."
                    ).format(
                        system=system.name, periods=choices(rule), event=wording.event(rule.trigger)
                    )
                )
            )
    return blocks


def cookies(context: StatementContext) -> tuple[Block, ...]:
    """The cookie table: name, provider, category, duration, purpose (CK-3)."""
    all_cookies = context.programme.cookies
    if not all_cookies:
        return (Paragraph(_("We do not use cookies or similar technologies.")),)
    website = context.programme.organisation.website
    if website:
        opening = _("Our website ({website}) uses cookies and similar technologies.").format(
            website=website
        )
    else:
        opening = _("Our website uses cookies and similar technologies.")
    rows = tuple(_cookie_row(context, cookie) for cookie in all_cookies)
    columns = (_("Cookie"), _("Provider"), _("Type"), _("Lasts"), _("Purpose"))
    return (
        Paragraph(
            " ".join(
                (
                    opening,
                    _(
                        "We set strictly necessary cookies without asking, others only with your"
                        " consent."
                    ),
                )
            )
        ),
        Table(columns, rows),
    )


def _cookie_row(context: StatementContext, cookie: Cookie) -> tuple[str, ...]:
    provider = cookie.provider
    if cookie.third_party:
        provider = _("{provider} (third party)").format(provider=provider)
    purpose = wording.one_line(context.text(cookie.description)) if cookie.description else ""
    if not purpose and cookie.purpose:
        purpose = context.purposes([cookie.purpose])
    category = _(COOKIE_CATEGORIES[cookie.category])
    return cookie.name, provider, category, wording.duration(cookie.duration), purpose or "—"


def links(context: StatementContext) -> tuple[Block, ...]:
    """The policy on links to other websites (a default text when the programme has none)."""
    policy = context.programme.statement.links_policy
    text = context.text(policy) if policy else _(_DEFAULT_LINKS)
    return tuple(Paragraph(part) for part in wording.paragraphs(text))


def community(context: StatementContext) -> tuple[Block, ...]:
    """Community and social-media moderation rules; empty (no section) when there are none."""
    text = context.text(context.programme.statement.community_policy or "")
    return tuple(Paragraph(part) for part in wording.paragraphs(text))


def modifications(context: StatementContext) -> tuple[Block, ...]:
    """Version, effective date, how changes are announced and the change log (NT-1)."""
    statement = context.programme.statement
    blocks: list[Block] = [Paragraph(version_sentence(context))]
    notice = context.text(statement.change_notice) if statement.change_notice else ""
    blocks += [Paragraph(part) for part in wording.paragraphs(notice or _default_notice(context))]
    if statement.change_log:
        rows = tuple(
            (
                entry.version,
                wording.format_date(entry.date),
                wording.one_line(context.text(entry.summary)),
                _("Yes") if entry.material else _("No"),
            )
            for entry in statement.change_log
        )
        columns = (_("Version"), _("Date"), _("Changes"), _("Material change"))
        blocks.append(Table(columns, rows))
    return tuple(blocks)


def version_sentence(context: StatementContext) -> str:
    """The version and effective date as a sentence (NT-1: versioned and dated)."""
    statement = context.programme.statement
    since = statement.effective_date
    if statement.version and since:
        return _(
            "This is version {version} of our privacy statement, in effect since {day}."
        ).format(version=statement.version, day=wording.format_date(since))
    if statement.version:
        return _("This is version {version} of our privacy statement.").format(
            version=statement.version
        )
    if since:
        return _("This privacy statement is in effect since {day}.").format(
            day=wording.format_date(since)
        )
    return _("This privacy statement has no version number or effective date yet.")


def _default_notice(context: StatementContext) -> str:
    url = context.programme.statement.url or context.programme.organisation.website
    changes = _("We may change this statement when the law, our processing or our services change.")
    if url:
        where = _("We publish every version at {url} with its number and date.").format(url=url)
    else:
        where = _("We publish every version on our website with its number and date.")
    notify = _("We tell you about material changes before they take effect.")
    return " ".join((changes, where, notify))
