"""The privacy statement, built from the programme and rendered as Markdown or HTML.

:func:`build_statement` turns a :class:`~tutela.programme.models.Programme` into a
:class:`~tutela.statement.view.StatementView`: every section of GDPR
Arts. 13 and 14, in a fixed order with stable ids (:data:`SECTION_IDS`), worded
from the programme's facts. :func:`render_statement` lays that view out with the
Jinja2 templates shipped in ``tutela/statement/templates/`` (HTML autoescaped).

Both are pure and deterministic: the same programme gives the same bytes, and
nothing depends on today's date, the locale or the environment.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from typing import Literal, get_args

from jinja2 import Environment, PackageLoader, StrictUndefined

from tutela.jurisdictions import Jurisdictions, packaged_jurisdictions
from tutela.programme.models import Programme
from tutela.statement import wording
from tutela.statement.context import StatementContext
from tutela.statement.sections.practices import (
    community,
    cookies,
    links,
    modifications,
    retention,
    security,
)
from tutela.statement.sections.processing import collection, controller, personal_data
from tutela.statement.sections.purposes import legal_bases, purposes
from tutela.statement.sections.rights import complaints, rights
from tutela.statement.sections.sharing import anonymous_data, recipients, transfers
from tutela.statement.view import (
    OPTIONAL_SECTION_IDS,
    SECTION_IDS,
    Block,
    BulletList,
    Paragraph,
    Section,
    StatementView,
)

__all__ = [
    "FORMATS",
    "OPTIONAL_SECTION_IDS",
    "SECTION_IDS",
    "StatementFormat",
    "StatementView",
    "build_statement",
    "render_statement",
    "render_view",
]

StatementFormat = Literal["md", "html"]
FORMATS: tuple[str, ...] = get_args(StatementFormat)
"""The formats :func:`render_statement` produces."""

SectionBuilder = Callable[[StatementContext], tuple[Block, ...]]

_SECTIONS: tuple[tuple[str, str, SectionBuilder], ...] = (
    ("controller", "Who is responsible for your personal data", controller),
    ("personal-data", "Which personal data we process", personal_data),
    ("collection", "How we collect personal data", collection),
    ("purposes", "Why we process your personal data", purposes),
    ("legal-bases", "Legal bases for processing your personal data", legal_bases),
    ("recipients", "With whom we share your personal data", recipients),
    ("transfers", "Transfers outside the European Economic Area", transfers),
    ("rights", "Your rights", rights),
    ("security", "Security of your personal data", security),
    ("retention", "How long we keep your personal data", retention),
    ("cookies", "Cookies", cookies),
    ("links", "Links to other websites", links),
    ("community", "Our community and social media pages", community),
    ("anonymous-data", "Anonymous data", anonymous_data),
    ("modifications", "Changes to this privacy statement", modifications),
    ("complaints", "Complaints", complaints),
)
"""Every section in reading order: id, heading title, builder."""

_ORDERED_START = re.compile(r"^(\d+)[.)](?:\s|$)")


def build_statement(
    programme: Programme, *, jurisdictions: Jurisdictions | None = None
) -> StatementView:
    """The statement of ``programme`` as ordered sections of worded facts.

    Every id of :data:`SECTION_IDS` is present (a section without facts says so);
    optional sections (:data:`OPTIONAL_SECTION_IDS`) appear only with facts.
    ``jurisdictions`` names countries and authorities; the packaged data by default
    (ConfigurationError if a packaged data file is missing or invalid). PolicyErrors
    naming each legal section (organisation, statement, rights, complaints) the
    programme lacks.
    """
    places = packaged_jurisdictions() if jurisdictions is None else jurisdictions
    context = StatementContext.of(programme, places)
    sections: list[Section] = []
    for section_id, title, builder in _SECTIONS:
        blocks = builder(context)
        if blocks or section_id not in OPTIONAL_SECTION_IDS:
            sections.append(Section(section_id, len(sections) + 1, title, blocks))
    statement = context.programme.statement
    return StatementView(
        title=statement.title,
        language=statement.languages[0] if statement.languages else "en",
        version_line=_version_line(context),
        intro=_intro(context),
        sections=tuple(sections),
    )


def render_statement(programme: Programme, fmt: StatementFormat) -> str:
    """The statement of ``programme`` as Markdown (``md``) or a full HTML page (``html``).

    Raises ValueError for any other ``fmt``.
    """
    return render_view(build_statement(programme), fmt)


def render_view(view: StatementView, fmt: StatementFormat) -> str:
    """Lay out an already built ``view`` as Markdown or HTML; ValueError for other formats."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown statement format {fmt!r}; use one of {', '.join(FORMATS)}")
    text = _environment().get_template(f"statement.{fmt}.j2").render(view=view)
    return _tidy(text)


def _intro(context: StatementContext) -> tuple[Block, ...]:
    scope = context.programme.statement.scope
    opening = wording.paragraphs(scope) if scope else (_default_scope(context),)
    return (
        *(Paragraph(text) for text in opening),
        Paragraph(
            "We process personal data in accordance with the General Data Protection Regulation"
            " (Regulation (EU) 2016/679, “GDPR”) and other applicable data protection law. This"
            " statement explains:"
        ),
        BulletList(
            (
                "who is responsible for your personal data and how to reach us;",
                "which personal data we process, how we collect it and why;",
                "with whom we share it, where it goes and how long we keep it;",
                "your rights and how to exercise them.",
            )
        ),
    )


def _default_scope(context: StatementContext) -> str:
    organisation = context.programme.organisation
    website = f", including {organisation.website}" if organisation.website else ""
    return (
        f"This privacy statement explains how {organisation.legal_name} processes personal data"
        f" when you use our websites{website}, our products and services, or otherwise"
        " interact with us."
    )


def _version_line(context: StatementContext) -> str:
    statement = context.programme.statement
    since = wording.format_date(statement.effective_date) if statement.effective_date else ""
    if statement.version:
        return f"Version {statement.version}" + (f", effective {since}" if since else "")
    return f"Effective {since}" if since else ""


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("tutela.statement", "templates"),
        autoescape=_is_html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = markdown_text
    environment.filters["md_inline"] = markdown_inline
    environment.filters["md_cell"] = markdown_cell
    return environment


def _is_html(template_name: str | None) -> bool:
    return template_name is not None and template_name.endswith(".html.j2")


def markdown_inline(text: str) -> str:
    """``text`` inside a Markdown line: raw HTML made inert (``<`` becomes ``&lt;``)."""
    return text.replace("<", "&lt;")


def markdown_text(text: str) -> str:
    """``text`` as a Markdown paragraph: inert, and never read as a heading or list item."""
    safe = markdown_inline(text)
    ordered = _ORDERED_START.match(safe)
    if ordered:
        return f"{ordered[1]}\\{safe[len(ordered[1]) :]}"
    return f"\\{safe}" if safe[:1] in ("#", ">", "+", "*", "=", "-") else safe


def markdown_cell(text: str) -> str:
    """``text`` for a Markdown table cell: inert, on one line, pipes escaped."""
    return markdown_inline(wording.one_line(text)).replace("|", "\\|")


def _tidy(text: str) -> str:
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
