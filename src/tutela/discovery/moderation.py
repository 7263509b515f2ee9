"""Moderation of community posts: special-category data (Art. 9) about other people.

Seed §9: "Sharing sensitive Personal Data about other people is not permitted …
union membership, sexual orientation, religion, etc. We monitor and moderate." A post
is **held** when it says something of an Art. 9(1) class (health, religion or belief,
trade-union membership, sexual orientation or sex life, political opinions, racial or
ethnic origin, genetic or biometric data) about an identifiable person other than the
author, or gives a third party's contact data; it is **allowed** otherwise: the author
speaking of themselves (Art. 9(2)(e)), general statements, and hard negatives (a
sports club's fans, Union Station, a practice's opening hours). Public figures'
political affiliation (``the minister is a member of …``) is public knowledge and
allowed; their health or religion is not.

The classifier is rule-based and declared as data: the phrase patterns and person
words of ``tutela/discovery/data/moderation/{en,fr,nl,de}.yml`` (read and compiled once,
lazily, by :mod:`tutela.discovery.moderation_lexicon`), and a subject finder
(:mod:`tutela.discovery.moderation_subject`) that decides whom each phrase is about.
Nothing is downloaded or trained at run time. To "retrain" it, add the missed phrase
or the wrongly held look-alike to the lexicon (a pattern under ``classes``, a word
under ``words``, a phrase under ``hard_negatives``), add the post to the tests'
tables, and run them: see ``docs/discovery.md``, section moderation.

Contact data (phone numbers, e-mail and street addresses, IBANs, national numbers)
is found by the discovery detectors (:func:`tutela.discovery.text.find_spans`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutela.discovery.moderation_language import languages_for
from tutela.discovery.moderation_lexicon import Lexicon, lexicon
from tutela.discovery.moderation_subject import (
    About,
    contact_owner,
    owner_of,
    predicate_subject,
    sentence_start,
)

MODERATION_CLASSES = (
    "health",
    "religion",
    "trade_union",
    "sexual_orientation",
    "political_opinion",
    "ethnic_origin",
    "genetic_biometric",
    "contact_data",
)
"""The classes a hold names: the Art. 9(1) categories, plus third parties' contact data."""

CONTACT_CATEGORIES = (
    "user.contact",
    "user.financial",
    "user.government_id",
)
"""Fideslang category prefixes of the detector spans that count as contact data."""

NOT_CONTACT = ("user.contact.address.postal_code",)
"""Detector categories too weak alone to single a person out (a postcode names a town)."""

_NO_CONTACT = re.compile(r"[^\d@]*")

MAX_TEXT = 100_000
"""The longest text :func:`moderate` reads, in characters; callers refuse longer posts."""


@dataclass(frozen=True)
class ModerationSpan:
    """``text[start:end]`` reveals ``kind`` (one of :data:`MODERATION_CLASSES`)."""

    start: int
    end: int
    kind: str

    def as_json(self) -> dict[str, object]:
        """``{"start", "end", "class"}``."""
        return {"start": self.start, "end": self.end, "class": self.kind}


@dataclass(frozen=True)
class Verdict:
    """Hold (with the classes and spans that made it) or allow."""

    hold: bool
    classes: tuple[str, ...]
    spans: tuple[ModerationSpan, ...]
    lang: str

    def as_json(self, post_id: object) -> dict[str, object]:
        """``{"id", "hold", "classes", "spans"}``: the line ``tutela moderate`` prints."""
        return {
            "id": post_id,
            "hold": self.hold,
            "classes": list(self.classes),
            "spans": [span.as_json() for span in self.spans],
        }


def moderate(text: str, lang: str | None = None) -> Verdict:
    """Hold or allow ``text`` (``lang``: en, fr, nl or de; guessed when None or another).

    Only the first :data:`MAX_TEXT` characters are read. Raises ConfigurationError when
    a packaged lexicon is missing or invalid.
    """
    text = text[:MAX_TEXT]
    languages = languages_for(text, lang)
    found: set[ModerationSpan] = set()
    for language in languages:
        found |= set(special_category_spans(text, lexicon(language)))
    found |= set(contact_spans(text, [lexicon(language) for language in languages]))
    spans = tuple(sorted(found, key=lambda span: (span.start, span.end, span.kind)))
    classes = tuple(sorted({span.kind for span in spans}))
    return Verdict(bool(spans), classes, spans, languages[0])


def special_category_spans(text: str, lexicon: Lexicon) -> list[ModerationSpan]:
    """The Art. 9 phrases of ``text`` said about another person than the author."""
    readable = _blank_hard_negatives(text.replace("’", "'"), lexicon)
    spans: list[ModerationSpan] = []
    for match in lexicon.phrases.finditer(readable):
        name = match.lastgroup
        if name is None:  # pragma: no cover - every alternative is a named group
            continue
        rule = lexicon.rules[name]
        begins = sentence_start(readable, match.start())
        if rule.possessed:
            subject = owner_of(lexicon.words, readable, match.start(), match.end(), begins)
        else:
            core = match.start(rule.core) if rule.core else -1
            subject = predicate_subject(
                lexicon.words, readable, match.start(), core if core >= 0 else None, begins
            )
        if subject.about is not About.OTHER:
            continue
        if subject.public and rule.kind == "political_opinion":
            continue  # a public figure's political affiliation is public knowledge
        spans.append(ModerationSpan(match.start(), match.end(), rule.kind))
    return spans


def contact_spans(text: str, lexicons: list[Lexicon]) -> list[ModerationSpan]:
    """Contact data in ``text`` that belongs to another person than the author.

    The owner is read with each lexicon in turn (the post's language first); the first
    that finds a person decides.
    """
    from tutela.discovery.registry import detectors
    from tutela.discovery.text import find_spans

    if _NO_CONTACT.fullmatch(text):
        return []  # contact data has a digit or an @: skip the detectors
    readable = text.replace("’", "'")
    spans: list[ModerationSpan] = []
    for span in find_spans(text, detectors()):
        if not _is_contact(span.category):
            continue
        begins = sentence_start(readable, span.start)
        owners = (
            contact_owner(lexicon.words, readable, span.start, span.end, begins)
            for lexicon in lexicons
        )
        owner = next((found for found in owners if found.about is not About.NOBODY), None)
        if owner is not None and owner.about is About.OTHER:
            spans.append(ModerationSpan(span.start, span.end, "contact_data"))
    return spans


def _is_contact(category: str) -> bool:
    if category in NOT_CONTACT:
        return False
    return any(
        category == prefix or category.startswith(f"{prefix}.") for prefix in CONTACT_CATEGORIES
    )


def _blank_hard_negatives(text: str, lexicon: Lexicon) -> str:
    """``text`` with its hard negatives replaced by spaces (offsets unchanged)."""
    if lexicon.hard_negatives is None:
        return text
    return lexicon.hard_negatives.sub(_spaces, text)


def _spaces(found: re.Match[str]) -> str:
    return " " * len(found.group())
