"""Small wording helpers of the statement: lists, dates, durations, paragraphs, sentences.

Everything here that a reader sees is tutela's own wording, routed through
:mod:`tutela.i18n` (``_`` and ``ngettext`` with named placeholders, dates through
``format_day``) so the statement can be translated whole sentences at a time
(GDPR Art. 12(1): information "in a concise, transparent, intelligible and easily
accessible form, using clear and plain language"). The fixed legal texts live in
:mod:`tutela.statement.phrases`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from tutela.i18n import N_, _, current, format_day, ngettext
from tutela.programme.durations import Duration
from tutela.programme.models import Address

_LEADING_WORDS = frozenset({"The", "A", "An", "Our", "Your", "Any", "All", "Each", "Other", "Some"})

_UNITS = {
    "hour": lambda n: ngettext("{count} hour", "{count} hours", n),
    "day": lambda n: ngettext("{count} day", "{count} days", n),
    "week": lambda n: ngettext("{count} week", "{count} weeks", n),
    "month": lambda n: ngettext("{count} month", "{count} months", n),
    "year": lambda n: ngettext("{count} year", "{count} years", n),
}


def format_date(day: date) -> str:
    """A date for people in the current language: ``15 January 2026`` (never the machine's)."""
    return format_day(day)


def duration(text: str) -> str:
    """A programme duration (``24h``, ``7y``, ``30 days``) in words: ``24 hours``, ``7 years``.

    Text that is not a duration (a cookie's ``session``) is shown as written.
    """
    parsed = _parsed([text])
    return text if parsed is None else _counted(parsed[0])


def durations(texts: Iterable[str], conjunction: str = "or") -> str:
    """Several durations in words, sharing their unit when they can: ``24 or 48 hours``."""
    values = list(texts)
    parsed = _parsed(values)
    if parsed is None:
        return join_words((duration(text) for text in values), conjunction)
    if len({item.unit for item in parsed}) == 1 and len(parsed) > 1:
        amounts = ", ".join(str(item.amount) for item in parsed[:-1])
        last = parsed[-1]
        counted = _UNITS[last.unit](last.amount).format(count=last.amount)
        return _join_last(amounts, counted, conjunction)
    return join_words((_counted(item) for item in parsed), conjunction)


def _counted(value: Duration) -> str:
    return _UNITS[value.unit](value.amount).format(count=value.amount)


def _parsed(texts: list[str]) -> list[Duration] | None:
    try:
        return [Duration.parse(text) for text in texts]
    except ValueError:
        return None


EVENTS: Mapping[str, str] = {
    "collection": N_("collection"),
    "contract_end": N_("the end of the contract"),
    "last_contact": N_("our last contact with you"),
    "last_interaction": N_("your last interaction with us"),
    "visit": N_("your visit"),
    "scan_completed": N_("the scan"),
    "call_recorded": N_("the call"),
    "recorded": N_("the recording"),
    "event_recorded": N_("the event"),
    "logged": N_("logging"),
    "case_closed": N_("the closing of the case"),
    "ticket_closed": N_("the closing of the ticket"),
    "vacancy_closed": N_("the closing of the vacancy"),
    "end_of_year_of_invoice": N_("the end of the year of the invoice"),
}
"""Common retention triggers as what follows "after" (a noun phrase, so it translates)."""


def event(trigger: str) -> str:
    """A retention trigger key as the end of "after ...".

    A common trigger (:data:`EVENTS`) reads in the current language: ``contract_end``
    gives ``the end of the contract``. Another reads from its key in English:
    ``contract_ended`` gives ``the contract is ended``, ``renewal`` gives ``renewal``.
    """
    if trigger in EVENTS:
        return _(EVENTS[trigger])
    words = trigger.replace("-", "_").split("_")
    last = words[-1]
    if len(last) > 4 and last.endswith("ed"):
        if len(words) > 1:
            return _("the {thing} is {done}").format(thing=" ".join(words[:-1]), done=last)
        return _("it is {done}").format(done=last)
    return " ".join(words)


def join_words(items: Iterable[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c`` (``or`` with ``conjunction="or"``); ``""`` for none."""
    words = list(items)
    if len(words) < 2:
        return "".join(words)
    return _join_last(", ".join(words[:-1]), words[-1], conjunction)


def _join_last(head: str, last: str, conjunction: str) -> str:
    if conjunction == "or":
        return _("{items} or {last}").format(items=head, last=last)
    return _("{items} and {last}").format(items=head, last=last)


def listing(items: Iterable[str]) -> str:
    """Items separated by commas, the first letter in upper case: a cell listing things."""
    return capitalised(", ".join(items))


def capitalised(text: str) -> str:
    """``text`` with its first letter in upper case (labels are written for mid-sentence)."""
    return text[:1].upper() + text[1:]


def one_line(text: str) -> str:
    """``text`` with every run of whitespace, newlines included, made one space."""
    return " ".join(text.split())


def paragraphs(text: str) -> tuple[str, ...]:
    """The paragraphs of a free text (separated by blank lines), each on one line."""
    return tuple(one_line(part) for part in re.split(r"\n\s*\n", text) if part.strip())


def sentence(text: str) -> str:
    """``text`` on one line, ending with a full stop unless it already ends a sentence."""
    flat = one_line(text)
    return flat if flat.endswith((".", "!", "?", ":")) else f"{flat}."


def address(value: Address, country: str) -> str:
    """A postal address on one line: street, postal code and city, region, country."""
    city = " ".join(part for part in (value.postal_code, value.city) if part)
    return ", ".join(part for part in (value.street, city, value.region, country) if part)


def inline(text: str) -> str:
    """``text`` to be used inside a sentence: a leading article is put in lower case."""
    first, _space, rest = text.partition(" ")
    if rest and first in _LEADING_WORDS:
        return f"{first.lower()} {rest}"
    return text


_CAPITALISED_NOUNS = frozenset({"de"})
"""Languages whose nouns keep their capital inside a sentence."""


def lowered(label: str) -> str:
    """``label`` for use mid-sentence: first letter in lower case unless an acronym's.

    German keeps it: its nouns are written with a capital (``Kontaktdaten``).
    """
    if current() in _CAPITALISED_NOUNS:
        return label
    if len(label) > 1 and label[0].isupper() and not label[1].isupper():
        return label[0].lower() + label[1:]
    return label


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """``items`` without repeats, in first-seen order (keeps the output deterministic)."""
    return tuple(dict.fromkeys(items))
