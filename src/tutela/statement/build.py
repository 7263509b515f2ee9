"""The privacy statement, built from the programme and rendered as Markdown or HTML.

:func:`build_statement` turns a :class:`~tutela.programme.models.Programme` into a
:class:`~tutela.statement.view.StatementView`: a one-screen summary, then every section
of GDPR Arts. 13 and 14 in a fixed order with stable ids (:data:`SECTION_IDS`), worded
from the programme's facts. This is the layered notice of WP260 ¶35-38 (Art. 12(1)):
the templates put a table of contents with links between the summary and the sections.
:func:`render_statement` lays the view out with the Jinja2 templates shipped in
``tutela/statement/templates/`` (HTML autoescaped, e-mail addresses and URLs as links).

Both are pure and deterministic: the same programme gives the same bytes, and
nothing depends on today's date, the locale or the environment. tutela's own wording is
translated into the current :mod:`tutela.i18n` language.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from functools import cache
from typing import Literal, get_args

from jinja2 import Environment, PackageLoader, StrictUndefined

from tutela import i18n
from tutela.i18n import LANGUAGES, N_, SOURCE_LANGUAGE, _, ngettext
from tutela.jurisdictions import Jurisdictions, packaged_jurisdictions
from tutela.programme.models import Programme
from tutela.programme.translations import localised
from tutela.statement import links, wording
from tutela.statement.context import StatementContext
from tutela.statement.sections.practices import (
    community,
    cookies,
    modifications,
    retention,
    security,
)
from tutela.statement.sections.practices import links as links_section
from tutela.statement.sections.processing import collection, controller, personal_data
from tutela.statement.sections.purposes import legal_bases, purposes
from tutela.statement.sections.rights import complaints, rights
from tutela.statement.sections.sharing import anonymous_data, recipients, transfers
from tutela.statement.sections.summary import summary
from tutela.statement.view import (
    OPTIONAL_SECTION_IDS,
    SECTION_IDS,
    Block,
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
    ("controller", N_("Who is responsible for your data"), controller),
    ("personal-data", N_("Which personal data we process"), personal_data),
    ("collection", N_("Where your data comes from"), collection),
    ("purposes", N_("Why we use your data"), purposes),
    ("legal-bases", N_("Legal bases"), legal_bases),
    ("recipients", N_("Who receives your data"), recipients),
    ("transfers", N_("Transfers outside the EEA"), transfers),
    ("rights", N_("Your rights"), rights),
    ("security", N_("Security"), security),
    ("retention", N_("How long we keep your data"), retention),
    ("cookies", N_("Cookies"), cookies),
    ("links", N_("Links to other websites"), links_section),
    ("community", N_("Community and social media"), community),
    ("anonymous-data", N_("Anonymous data"), anonymous_data),
    ("modifications", N_("Changes to this statement"), modifications),
    ("complaints", N_("Complaints"), complaints),
)
"""Every section in reading order: id, heading title, builder."""

_ORDERED_START = re.compile(r"^(\d+)[.)](?:\s|$)")


def build_statement(
    programme: Programme,
    *,
    jurisdictions: Jurisdictions | None = None,
    language: str | None = None,
) -> StatementView:
    """The statement of ``programme``: a summary, then ordered sections of worded facts.

    Every id of :data:`SECTION_IDS` is present (a section without facts says so);
    optional sections (:data:`OPTIONAL_SECTION_IDS`) appear only with facts.
    ``jurisdictions`` names countries and authorities; the packaged data by default
    (ConfigurationError if a packaged data file is missing or invalid). PolicyErrors
    naming each legal section (organisation, statement, rights, complaints) the
    programme lacks. ``language`` is the language to write it in (Art. 12(1)): the
    first of ``statement.languages`` by default; ValueError for a language tutela has
    no wording in (:data:`tutela.i18n.LANGUAGES`). Programme texts without a value in
    it fall back to their first value (``tutela check`` reports them).
    """
    places = packaged_jurisdictions() if jurisdictions is None else jurisdictions
    chosen = language or _default_language(programme)
    if chosen not in LANGUAGES:
        raise ValueError(
            f"no statement wording in {chosen!r}; tutela writes {', '.join(LANGUAGES)}"
        )
    with i18n.language(chosen):
        return _build(localised(programme, chosen), places, chosen)


def _default_language(programme: Programme) -> str:
    statement = programme.statement
    return statement.languages[0] if statement and statement.languages else SOURCE_LANGUAGE


def _build(programme: Programme, places: Jurisdictions, language: str) -> StatementView:
    context = StatementContext.of(programme, places)
    built = [(section_id, title, builder(context)) for section_id, title, builder in _SECTIONS]
    shown = [
        (section_id, title, blocks)
        for section_id, title, blocks in built
        if blocks or section_id not in OPTIONAL_SECTION_IDS
    ]
    numbers = {section_id: number for number, (section_id, _t, _b) in enumerate(shown, 1)}
    context = dataclasses.replace(context, numbers=numbers)
    sections = tuple(
        Section(section_id, numbers[section_id], _(title), builder(context))
        for section_id, title, builder in _SECTIONS
        if section_id in numbers
    )
    statement = context.programme.statement
    return StatementView(
        title=context.text(statement.title),
        language=language,
        version_line=_version_line(context),
        intro=_intro(context),
        sections=sections,
        summary=summary(context),
    )


def render_statement(
    programme: Programme, fmt: StatementFormat, language: str | None = None
) -> str:
    """The statement of ``programme`` as Markdown (``md``) or a full HTML page (``html``).

    ``language`` as for :func:`build_statement`. Raises ValueError for any other ``fmt``.
    """
    return render_view(build_statement(programme, language=language), fmt)


def render_view(view: StatementView, fmt: StatementFormat) -> str:
    """Lay out an already built ``view`` as Markdown or HTML; ValueError for other formats."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown statement format {fmt!r}; use one of {', '.join(FORMATS)}")
    with i18n.language(view.language if view.language in LANGUAGES else SOURCE_LANGUAGE):
        text = _environment().get_template(f"statement.{fmt}.j2").render(view=view)
    return _tidy(text)


def _intro(context: StatementContext) -> tuple[Block, ...]:
    scope = context.programme.statement.scope
    if scope:
        return tuple(Paragraph(text) for text in wording.paragraphs(context.text(scope)))
    organisation = context.programme.organisation
    if organisation.website:
        text = _(
            "This statement explains how {name} processes personal data when you use our"
            " website {website}, our products and services, or otherwise deal with us."
        ).format(name=organisation.legal_name, website=organisation.website)
    else:
        text = _(
            "This statement explains how {name} processes personal data when you use our"
            " products and services or otherwise deal with us."
        ).format(name=organisation.legal_name)
    return (Paragraph(text),)


def _version_line(context: StatementContext) -> str:
    statement = context.programme.statement
    since = wording.format_date(statement.effective_date) if statement.effective_date else ""
    if statement.version and since:
        return _("Version {version}, effective {day}").format(version=statement.version, day=since)
    if statement.version:
        return _("Version {version}").format(version=statement.version)
    return _("Effective {day}").format(day=since) if since else ""


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("tutela.statement", "templates"),
        autoescape=_is_html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_callables(_, ngettext, newstyle=True)  # type: ignore[attr-defined]
    environment.filters["md"] = markdown_text
    environment.filters["md_inline"] = markdown_inline
    environment.filters["md_cell"] = markdown_cell
    environment.filters["html_links"] = links.html
    return environment


def _is_html(template_name: str | None) -> bool:
    return template_name is not None and template_name.endswith(".html.j2")


def markdown_inline(text: str) -> str:
    """``text`` inside a Markdown line: raw HTML made inert, e-mails and URLs as links."""
    return links.markdown(text.replace("<", "&lt;"))


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
