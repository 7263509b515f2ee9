"""The answer letters: the access cover letter and the letter for every other request type.

:func:`cover_letter` words the Art. 15 answer for one subject from its
:class:`~tutela.requests.disclosure.Disclosure`: the confirmation (AC-1), then each item of
Art. 15(1)(a)-(h) and 15(2), "none" for an empty one (AC-2, AC-3, AC-9, CP-1).
:func:`outcome_letter` says what was done, what was kept with its end date (ER-2), which
recipients were told (NR-1), a refusal with the complaint route (DL-7) or where the request
was forwarded (PR-2). Both are pure: they return a standalone HTML5 page rendered with the
autoescaping Jinja2 templates in ``tutela/requests/templates/``, so every value from the
programme or the engine is escaped. tutela's fixed wording is translated into
``LetterContext.language``; call :func:`disclose` and :func:`outcome_from_result` inside the
same :func:`tutela.i18n.language` block so their wording matches.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, lru_cache

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from tutela.errors import RequestError
from tutela.i18n import LANGUAGES, N_, _, format_day, language, ngettext
from tutela.programme.models import LegalBasis
from tutela.requests.disclosure import Disclosure
from tutela.requests.letter_parts import Part, complaint_part, cover_parts, held_part
from tutela.rights.outcomes import RequestResult, RetainedField
from tutela.statement import links
from tutela.statement.phrases import BASIS_SHORT
from tutela.statement.wording import sentence

TYPE_NAMES: Mapping[str, str] = {
    "access": N_("access"),
    "erasure": N_("erasure"),
    "rectification": N_("rectification"),
    "restriction": N_("restriction"),
    "objection": N_("objection"),
    "objection_direct_marketing": N_("objection to direct marketing"),
    "portability": N_("data portability"),
    "consent_withdrawal": N_("withdrawal of consent"),
    "complaint": N_("complaint"),
    "know": N_("right to know"),
    "delete": N_("deletion"),
    "correct": N_("correction"),
    "opt_out_sale_sharing": N_("opt-out of sale or sharing"),
    "limit_sensitive": N_("limit on the use of sensitive personal information"),
}
"""Each request type in a few words, for the letter's title."""

ERASING = frozenset({"erasure", "delete"})
"""Types whose letter always says what was kept and until when (ER-2)."""

TELLING = frozenset({"erasure", "rectification", "restriction", "delete", "correct"})
"""Types whose change is told to each recipient (Art. 19; NR-1)."""


@dataclass(frozen=True)
class LetterContext:
    """Who writes to whom about which request, and when (Art. 12(3): the due date)."""

    request_id: str
    type: str
    regime: str
    controller: str
    contact: str | None
    received_at: datetime
    answered_at: datetime
    due: date
    language: str = "en"

    def __post_init__(self) -> None:
        if self.language not in LANGUAGES:
            raise RequestError(
                f"no letter wording in {self.language!r}; use one of {', '.join(LANGUAGES)}"
            )


@dataclass(frozen=True)
class Outcome:
    """What a request other than access led to, for its letter.

    ``done``: plain lines already worded (``customer: 1 row deleted``); ``kept``: fields kept
    with their end date (ER-2); ``recipients_told``: names (NR-1); ``refused_reason``: a
    refusal, told with the complaint route (DL-7); ``forwarded_to``: the controller's name and
    contact (PR-2); ``authorities``: (name, website or contact) pairs (CP-1);
    ``purpose_names``: (key, name) pairs to name the purposes of ``kept``.
    """

    done: tuple[str, ...] = ()
    kept: tuple[RetainedField, ...] = ()
    recipients_told: tuple[str, ...] = ()
    refused_reason: str | None = None
    forwarded_to: str | None = None
    rights_left: tuple[str, ...] = ()
    authorities: tuple[tuple[str, str], ...] = ()
    purpose_names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Letter:
    """A letter laid out by ``letter.html.j2``: every sentence already worded."""

    language: str
    title: str
    facts: tuple[tuple[str, str], ...]
    opening: tuple[str, ...]
    parts: tuple[Part, ...]
    closing: tuple[str, ...]
    none: str


def found_in(result: RequestResult) -> dict[str, tuple[str, ...]]:
    """The categories with a value in the subject's rows, each with the collections holding it.

    Give it to :func:`~tutela.requests.disclosure.disclose` as both ``found`` and
    ``collections``, so the cover letter is tailored to this subject (AC-2).
    """
    found: dict[str, list[str]] = {}
    for collection in result.collections:
        for name, labels in collection.labels.items():
            if not any(row.get(name) not in (None, "") for row in collection.rows):
                continue
            for key in labels.get("categories", []):
                places = found.setdefault(key, [])
                if collection.collection not in places:
                    places.append(collection.collection)
    return {key: tuple(places) for key, places in found.items()}


def cover_letter(
    context: LetterContext, disclosure: Disclosure, parts: tuple[Part, ...] | None = None
) -> str:
    """The cover letter of an access or portability answer, as a standalone HTML page.

    ``parts``: :func:`cover_parts` of ``disclosure`` in the context's language, when the
    caller kept them from another letter with the same disclosure.
    """
    with language(context.language):
        if disclosure.processed:
            confirmation = _(
                "We confirm that we process personal data about you. This letter gives you the"
                " information Article 15 of the GDPR requires about that processing, and the"
                " files with it give you a copy of the data."
            )
        else:
            confirmation = _(
                "We confirm that we hold no personal data about you: we searched every system"
                " where we keep personal data and found none under the details you gave. This"
                " is our full answer to your request."
            )
        parts = cover_parts(disclosure) if parts is None else parts
        return _render(_letter(context, (confirmation,), parts))


def outcome_letter(context: LetterContext, outcome: Outcome) -> str:
    """The letter answering any request but access, as a standalone HTML page."""
    with language(context.language):
        parts = _outcome_parts(context, outcome)
        return _render(_letter(context, _outcome_opening(outcome), parts))


def outcome_from_result(
    result: RequestResult, kind: str, *, purposes: Mapping[str, str] | None = None
) -> Outcome:
    """What the engine did for one request (``done``) and kept (``kept``), as an Outcome.

    ``kind`` is the request type (RequestError if unknown); ``purposes`` names the purposes of
    the kept fields (key -> name). The lines are worded in the current language.
    """
    if kind not in TYPE_NAMES:
        raise RequestError(f"unknown request type {kind!r}; use one of {', '.join(TYPE_NAMES)}")
    done: list[str] = []
    for collection in result.collections:
        name = collection.collection.rsplit(".", 1)[-1]
        if collection.deleted:
            text = ngettext(
                "{collection}: {count} row deleted",
                "{collection}: {count} rows deleted",
                collection.deleted,
            )
            done.append(text.format(collection=name, count=collection.deleted))
        if collection.changed:
            done.append(_changed(name, collection.changed, collection.strategies))
    if not result.found:
        done.append(_("We found no personal data about you in our systems."))
    elif any(c.held for c in result.collections) and not any(
        c.changed or c.deleted for c in result.collections
    ):
        done.append(_("We erased none of your data yet: a legal hold keeps it, as said below."))
    names = tuple((purposes or {}).items())
    return Outcome(done=tuple(done), kept=result.retained, purpose_names=names)


def _changed(name: str, count: int, strategies: Mapping[str, str]) -> str:
    fields = ", ".join(f for f, how in strategies.items() if how not in ("retain", "delete"))
    text = ngettext(
        "{collection}: {count} row changed ({fields})",
        "{collection}: {count} rows changed ({fields})",
        count,
    )
    return text.format(collection=name, count=count, fields=fields or "-")


def _letter(context: LetterContext, opening: tuple[str, ...], parts: tuple[Part, ...]) -> Letter:
    facts = [
        (_("Reference"), context.request_id),
        (_("From"), context.controller),
        (_("Request received"), format_day(context.received_at.date())),
        (_("Answer due by"), format_day(context.due)),
        (_("Answered on"), format_day(context.answered_at.date())),
    ]
    closing = []
    if context.contact:
        facts.insert(2, (_("Contact"), context.contact))
        unclear = _(
            "If anything in this answer is unclear or incomplete, write to us at {contact}."
        )
        closing.append(unclear.format(contact=context.contact))
    closing += [_("Kind regards,"), context.controller]
    kind = _(TYPE_NAMES[context.type]) if context.type in TYPE_NAMES else context.type
    title = _("Your request: {request}").format(request=kind)
    return Letter(context.language, title, tuple(facts), opening, parts, tuple(closing), _("None."))


def _outcome_opening(outcome: Outcome) -> tuple[str, ...]:
    if outcome.forwarded_to:
        text = _(
            "The data concerned is processed on behalf of another organisation, which decides"
            " how it is used. As its processor we may not answer on the merits: we have"
            " forwarded your request to that organisation, which will answer you: {controller}."
        )
        return (text.format(controller=outcome.forwarded_to),)
    if outcome.refused_reason:
        reason = _("Reason: {reason}").format(reason=sentence(outcome.refused_reason))
        return (_("We will not act on your request."), reason)
    return (
        _(
            "We have handled your request. This letter says what we did, what we kept and why,"
            " and the rights you still have."
        ),
    )


def _outcome_parts(context: LetterContext, outcome: Outcome) -> tuple[Part, ...]:
    parts = []
    if outcome.done or not (outcome.refused_reason or outcome.forwarded_to):
        parts.append(Part(_("What we did"), "", "", outcome.done))
    if outcome.kept or context.type in ERASING:
        parts.append(_kept(outcome))
    if any(kept.hold for kept in outcome.kept):
        parts.append(held_part(outcome.kept))
    if outcome.recipients_told or context.type in TELLING:
        intro = _(
            "We told each recipient of your data about this change, so that they apply it too."
        )
        told = outcome.recipients_told
        parts.append(Part(_("Who we told"), "Art. 19 GDPR", intro if told else "", told))
    if outcome.rights_left:
        parts.append(Part(_("Your other rights"), "", "", outcome.rights_left))
    if outcome.authorities or outcome.refused_reason:
        judicial = bool(outcome.refused_reason) or context.regime == "gdpr"
        named = tuple(f"{name}: {where}" if where else name for name, where in outcome.authorities)
        parts.append(complaint_part(named, context.contact, judicial=judicial))
    return tuple(parts)


def _kept(outcome: Outcome) -> Part:
    names = dict(outcome.purpose_names)
    obligations = (kept for kept in outcome.kept if not kept.hold)
    lines = tuple(_kept_line(kept, names.get(kept.purpose, kept.purpose)) for kept in obligations)
    intro = _(
        "We erased everything else. The law requires us to keep the data below for a limited"
        " time: we use it for nothing else and erase it at the end of that time."
    )
    return Part(_("What we kept, and until when"), "Art. 17(3) GDPR", intro if lines else "", lines)


def _kept_line(kept: RetainedField, purpose: str) -> str:
    basis = kept.basis
    title = _(BASIS_SHORT[LegalBasis(basis)]) if basis in set(LegalBasis) else basis
    collection = kept.collection.rsplit(".", 1)[-1]
    where = {"field": kept.field, "collection": collection, "purpose": purpose}
    if kept.until is None:
        criterion = kept.criterion or _("the end of the period the law sets")
        return _("{field} in {collection}: kept for {purpose} ({basis}) until {criterion}.").format(
            basis=title, criterion=criterion.rstrip("."), **where
        )
    day = format_day(kept.until.date())
    text = _("{field} in {collection}: kept for {purpose} ({basis}) until {day} at the latest.")
    lines = [text.format(basis=title, day=day, **where)]
    if kept.earliest is not None and kept.earliest.date() < kept.until.date():
        earliest = format_day(kept.earliest.date())
        lines.append(_("Some of it is erased earlier, from {day}.").format(day=earliest))
    if kept.criterion:
        lines.append(_("Criterion: {criterion}").format(criterion=sentence(kept.criterion)))
    return " ".join(lines)


def _render(letter: Letter) -> str:
    return _template().render(letter=letter)


@cache
def _template() -> Template:
    """The letter's template, loaded and compiled once per process."""
    return _environment().get_template("letter.html.j2")


@lru_cache(maxsize=4096)
def _html_text(text: str) -> Markup:
    return links.html(text)


def _html_links(text: str) -> Markup:
    """:func:`tutela.statement.links.html`, kept for plain text (most lines recur)."""
    return _html_text(text) if type(text) is str else links.html(text)


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("tutela.requests", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["html_links"] = _html_links
    return environment
