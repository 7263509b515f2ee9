"""The fixed wording of the statement: legal bases, rights, safeguards, dates, durations.

Everything a person reads that does not come from the programme itself lives
here, once, so the Markdown and HTML statements say the same thing. Legal
anchors are GDPR articles; rule ids refer to GDPR.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from tutela.programme.durations import Duration, durations_in_words
from tutela.programme.models import Address, Art9Condition, LegalBasis, RightName

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

BASIS_TITLES: Mapping[LegalBasis, str] = {
    LegalBasis.CONSENT: "Consent (Art. 6(1)(a) GDPR)",
    LegalBasis.CONTRACT: "Performance of a contract (Art. 6(1)(b) GDPR)",
    LegalBasis.LEGAL_OBLIGATION: "Legal obligation (Art. 6(1)(c) GDPR)",
    LegalBasis.VITAL_INTERESTS: "Vital interests (Art. 6(1)(d) GDPR)",
    LegalBasis.PUBLIC_TASK: "Public task (Art. 6(1)(e) GDPR)",
    LegalBasis.LEGITIMATE_INTERESTS: "Legitimate interests (Art. 6(1)(f) GDPR)",
}
"""The name of each Art. 6(1) basis as the statement shows it (LB-1)."""

BASIS_MEANINGS: Mapping[LegalBasis, str] = {
    LegalBasis.CONSENT: "You have given your consent for this specific purpose.",
    LegalBasis.CONTRACT: (
        "The processing is necessary to perform a contract with you, or to take steps"
        " you asked for before entering into one."
    ),
    LegalBasis.LEGAL_OBLIGATION: (
        "The processing is necessary to comply with a legal obligation we are subject to."
    ),
    LegalBasis.VITAL_INTERESTS: (
        "The processing is necessary to protect your vital interests or those of another person."
    ),
    LegalBasis.PUBLIC_TASK: (
        "The processing is necessary for a task carried out in the public interest or in the"
        " exercise of official authority vested in us."
    ),
    LegalBasis.LEGITIMATE_INTERESTS: (
        "The processing is necessary for our legitimate interests or those of a third party,"
        " and we have checked that your interests and fundamental rights and freedoms do not"
        " override them."
    ),
}
"""What each basis means for the reader, in one sentence."""

ART9_CONDITIONS: Mapping[Art9Condition, str] = {
    Art9Condition.EXPLICIT_CONSENT: "your explicit consent (Art. 9(2)(a) GDPR)",
    Art9Condition.EMPLOYMENT: "obligations in employment and social security law (Art. 9(2)(b))",
    Art9Condition.VITAL_INTERESTS: "the protection of vital interests (Art. 9(2)(c) GDPR)",
    Art9Condition.NOT_FOR_PROFIT: "the activities of a not-for-profit body (Art. 9(2)(d) GDPR)",
    Art9Condition.MADE_PUBLIC: "data you have manifestly made public (Art. 9(2)(e) GDPR)",
    Art9Condition.LEGAL_CLAIMS: "the establishment, exercise or defence of legal claims (9(2)(f))",
    Art9Condition.SUBSTANTIAL_PUBLIC_INTEREST: "a substantial public interest (Art. 9(2)(g))",
    Art9Condition.HEALTH_CARE: "health or social care (Art. 9(2)(h) GDPR)",
    Art9Condition.PUBLIC_HEALTH: "public health (Art. 9(2)(i) GDPR)",
    Art9Condition.ARCHIVING_RESEARCH: "archiving, research or statistics (Art. 9(2)(j) GDPR)",
}
"""The Art. 9(2) condition relied on for special categories of data."""

RIGHTS: Mapping[RightName, tuple[str, str]] = {
    "access": (
        "Access (Art. 15 GDPR)",
        "You can ask whether we process personal data about you and, if we do, get a copy of"
        " it with the information on how we process it. The first copy is free.",
    ),
    "rectification": (
        "Rectification (Art. 16 GDPR)",
        "You can ask us to correct personal data you believe is inaccurate, or to complete"
        " data that is incomplete.",
    ),
    "erasure": (
        "Erasure (Art. 17 GDPR)",
        "You can ask us to erase your personal data, for example when we no longer need it,"
        " when you withdraw your consent or after you object. We keep only what the law"
        " obliges us to keep or what we need for legal claims, and some services may no"
        " longer be available to you.",
    ),
    "restriction": (
        "Restriction (Art. 18 GDPR)",
        "You can ask us to temporarily halt (freeze) the processing of your personal data,"
        " for example while its accuracy or the lawfulness of its processing is disputed."
        " We then only store it.",
    ),
    "portability": (
        "Data portability (Art. 20 GDPR)",
        "You can ask to receive the personal data you gave us, or that we recorded from your"
        " use of our services, in a structured, commonly used and machine-readable format,"
        " or to have it sent directly to another controller. This applies where we process"
        " it by automated means on the basis of your consent or of a contract with you.",
    ),
    "objection": (
        "Objection (Art. 21 GDPR)",
        "You can object to processing based on our legitimate interests, and at any time to"
        " direct marketing. See “Your right to object” below.",
    ),
}
"""Each right's title and what it lets the reader do."""

RECIPIENT_KINDS: Mapping[str, str] = {
    "processor": "Processor (acts on our behalf and on our instructions)",
    "controller": "Independent controller",
    "joint_controller": "Joint controller",
    "public_authority": "Public authority",
    "affiliate": "Company of our group",
}
"""How each kind of recipient is described (AC-3)."""

SCC_MODULES: Mapping[str, str] = {
    "M1": "module 1, controller to controller",
    "M2": "module 2, controller to processor",
    "M3": "module 3, processor to processor",
    "M4": "module 4, processor to controller",
}
"""The modules of the 2021 standard contractual clauses (TR-4)."""

SAFEGUARDS: Mapping[str, tuple[str, str]] = {
    "adequacy": ("an adequacy decision of the European Commission", "Art. 45 GDPR"),
    "scc": ("standard contractual clauses of the European Commission", "Art. 46(2)(c) GDPR"),
    "bcr": ("binding corporate rules", "Art. 47 GDPR"),
    "certification": (
        "an approved certification mechanism with binding commitments of the recipient",
        "Art. 46(2)(f) GDPR",
    ),
    "code_of_conduct": (
        "an approved code of conduct with binding commitments of the recipient",
        "Art. 46(2)(e) GDPR",
    ),
    "ad_hoc": ("contractual clauses authorised by a supervisory authority", "Art. 46(3)(a) GDPR"),
    "derogation": ("a derogation for a specific situation", "Art. 49 GDPR"),
}
"""Each Chapter V transfer tool, worded for the reader, with its article (TR-2)."""

COOKIE_CATEGORIES: Mapping[str, str] = {
    "necessary": "Strictly necessary",
    "preferences": "Preferences",
    "statistics": "Statistics",
    "marketing": "Marketing",
}

ANONYMISATION_METHODS: Mapping[str, str] = {
    "aggregation": "aggregation into statistics",
    "k_anonymity": "generalisation to k-anonymity",
    "l_diversity": "generalisation to k-anonymity with l-diversity",
    "differential_privacy": "differential privacy",
}

_LEADING_WORDS = frozenset({"The", "A", "An", "Our", "Your", "Any", "All", "Each", "Other", "Some"})


def format_date(day: date) -> str:
    """A date for people, independent of the locale: ``15 January 2026``."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def duration(text: str) -> str:
    """A programme duration (``24h``, ``7y``, ``30 days``) in words: ``24 hours``, ``7 years``.

    Text that is not a duration (a cookie's ``session``) is shown as written.
    """
    parsed = _parsed([text])
    return text if parsed is None else parsed[0].words()


def durations(texts: Iterable[str], conjunction: str = "or") -> str:
    """Several durations in words, sharing their unit when they can: ``24 or 48 hours``."""
    values = list(texts)
    parsed = _parsed(values)
    if parsed is None:
        return join_words((duration(text) for text in values), conjunction)
    return durations_in_words(parsed, conjunction)


def _parsed(texts: list[str]) -> list[Duration] | None:
    try:
        return [Duration.parse(text) for text in texts]
    except ValueError:
        return None


def event(trigger: str) -> str:
    """A retention trigger key as the end of "after ...".

    ``contract_end`` gives ``contract end``; a trigger ending in a past participle
    reads as a clause: ``scan_completed`` gives ``the scan is completed`` and
    ``logged`` gives ``it is logged``.
    """
    words = trigger.replace("-", "_").split("_")
    last = words[-1]
    if len(last) > 4 and last.endswith("ed"):
        subject = f"the {' '.join(words[:-1])}" if len(words) > 1 else "it"
        return f"{subject} is {last}"
    return " ".join(words)


def join_words(items: Iterable[str], conjunction: str = "and") -> str:
    """``a``, ``a and b``, ``a, b and c``; an empty string for no items."""
    words = list(items)
    if len(words) < 2:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


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
    first, _, rest = text.partition(" ")
    if rest and first in _LEADING_WORDS:
        return f"{first.lower()} {rest}"
    return text


def unique(items: Iterable[str]) -> tuple[str, ...]:
    """``items`` without repeats, in first-seen order (keeps the output deterministic)."""
    return tuple(dict.fromkeys(items))
