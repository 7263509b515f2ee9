"""Dates of birth: a date plausible as a birth date, and in text a birth word near it.

One value can only say "a date". A birth date is told apart from other dates by
plausibility (born 1900 or later and at least :data:`MIN_AGE_YEARS` years ago, no
time of day) and, in free text, by a context word (born, né le, geboren, nacido,
DOB...). :meth:`DateOfBirthDetector.score_value` therefore scores a plausible
date modestly; the column classifier adds the column's name and the spread of the
sample (event dates cluster in recent years, birth dates do not).

Formats: ISO 8601 (with a midnight time, as ``str(datetime)`` gives), ``yyyymmdd``,
``dd/mm/yyyy``, ``dd.mm.yyyy``, ``dd-mm-yyyy``, US ``mm/dd/yyyy``, and months in
words in English, French, Dutch, German, Spanish and Italian (``30 juillet 1985``,
``30. Juli 1985``, ``July 30, 1985``, ``30 de julio de 1985``). Category: fideslang
``user.demographic.date_of_birth``; GDPR Art. 4(1) (an identifier of a person).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from tutela.discovery.detectors.windows import Window, search, whole
from tutela.discovery.models import CONTEXT_WINDOW, NO_MATCH, Span, ValueScore
from tutela.discovery.pattern_start import word_tree

CATEGORY = "user.demographic.date_of_birth"
EARLIEST_YEAR = 1900
MIN_AGE_YEARS = 10
"""A date less than this many years ago is not taken for a birth date."""

PLAUSIBLE = 0.5
NEW_YEAR = 0.3
"""1 January is also the placeholder of unknown birth dates and of defaults: it scores less."""
COMPACT = 0.3
"""``yyyymmdd`` without separators is also an order or batch number: it scores less."""
IN_CONTEXT = 0.85
"""The score of a plausible date in text with a birth word near it (required in text)."""

CONTEXT = (
    "born", "birth", "birthday", "birthdate", "date of birth", "DOB", "D.O.B",
    "né", "née", "né le", "née le", "naissance", "date de naissance", "anniversaire",
    "geboren", "geboortedatum", "geb.", "geboortedag", "verjaardag",
    "Geburtsdatum", "Geburtstag", "geboren am",
    "nacido", "nacida", "nacimiento", "fecha de nacimiento", "cumpleaños",
    "nato", "nata", "nascita", "data di nascita", "compleanno",
)  # fmt: skip

_MONTHS = {
    1: "january jan janvier janv januari januar jänner jaenner enero ene gennaio gen",
    2: "february feb février fevrier févr fevr februari februar febrero febbraio",
    3: "march mar mars maart mrt märz maerz marzo",
    4: "april apr avril avr abril aprile",
    5: "may mai mei mayo maggio mag",
    6: "june jun juin juni junio giugno giu",
    7: "july jul juillet juil juli julio luglio lug",
    8: "august aug août aout augustus agosto ago",
    9: "september sep sept septembre settembre set septiembre setiembre",
    10: "october oct octobre oktober okt octubre ottobre ott",
    11: "november nov novembre noviembre",
    12: "december dec décembre decembre dezember dez diciembre dic dicembre",
}
MONTH_NAMES: dict[str, int] = {
    name: number for number, names in _MONTHS.items() for name in names.split()
}

_MONTH = f"(?P<month_name>{word_tree(MONTH_NAMES)})\\.?"
"""A month's name: the names as a tree of their letters (one branch a letter, where an
alternation of the names, longest first, tries each at every word), the same matches."""
_TIME = r"(?:[T ](?P<time>\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(?:Z|[+-]\d{2}:?\d{2})?)?"
_FORMS = {
    "iso": rf"(?P<year>\d{{4}})(?P<sep>[-/.])(?P<month>\d{{1,2}})(?P=sep)(?P<day>\d{{1,2}}){_TIME}",
    "numeric": r"(?P<first>\d{1,2})(?P<sep>[./-])(?P<second>\d{1,2})(?P=sep)(?P<year>\d{4})",
    "day_month_name": rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|e|º|\.)?(?: de)? {_MONTH}"
    r"(?: de)?,? (?P<year>\d{4})",
    "month_name_day": rf"{_MONTH} (?P<day>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<year>\d{{4}})",
    "compact": r"(?P<year>(?:19|20)\d{2})(?P<month>[01]\d)(?P<day>[0-3]\d)",
}
_VALUE_FORMS = {name: re.compile(form, re.IGNORECASE) for name, form in _FORMS.items()}
_LETTER_FIRST_FORMS = {"month_name_day": _VALUE_FORMS["month_name_day"]}
_TEXT_FORMS = {
    name: re.compile(rf"(?<![\w./-]){form}(?![\w]|[./:-]\d)", re.IGNORECASE)
    for name, form in _FORMS.items()
    if name != "compact"
}
_CONTEXT = re.compile(
    r"(?<!\w)(?:" + "|".join(re.escape(word) for word in CONTEXT) + r")(?!\w)", re.IGNORECASE
)


def _fold(word: str) -> str:
    return unicodedata.normalize("NFC", word.lower())


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_date(match: re.Match[str]) -> date | None:
    """The date a match of one of the forms names; day-first before US month-first."""
    groups = match.groupdict()
    year = int(groups["year"])
    if groups.get("first") is not None:
        first, second = int(groups["first"]), int(groups["second"])
        return _make_date(year, second, first) or _make_date(year, first, second)
    if groups.get("month_name") is not None:
        month = MONTH_NAMES.get(_fold(groups["month_name"]))
        return None if month is None else _make_date(year, month, int(groups["day"]))
    return _make_date(year, int(groups["month"]), int(groups["day"]))


def _has_time_of_day(match: re.Match[str]) -> bool:
    time = match.groupdict().get("time")
    return time is not None and time.strip("0:.") != ""


_LONGEST_DATE = 48
"""No text form of a date (a midnight time and a zone included) is longer than this."""
_REACH = CONTEXT_WINDOW + _LONGEST_DATE + max(map(len, CONTEXT))
_ANY_CONTEXT = re.compile("|".join(re.escape(word.lower()) for word in CONTEXT))
"""The birth words, lower-cased, anywhere (inside a longer word too): where the bounded,
case-blind ones can be. Searched in the lower-cased text (a case-blind regex is slower)."""
_ANY_CONTEXT_CASE_BLIND = re.compile(_ANY_CONTEXT.pattern, re.IGNORECASE)


def _by_first_letter(words: list[str]) -> list[re.Pattern[str]]:
    """One expression per first letter of ``words``: the letter, then which word follows.

    Each starts with a literal (a scan of the text for one letter is many times faster
    than for any of eight) and matches that letter alone, so a scan sees every position
    where one of the words starts, with the first of them (in ``words``' order) there.
    """
    rests: dict[str, list[str]] = {}
    for word in words:
        rests.setdefault(word[0], []).append(word[1:])
    return [
        re.compile(f"{re.escape(first)}(?=({'|'.join(map(re.escape, rest))}))")
        for first, rest in rests.items()
    ]


_CONTEXT_STARTS = _by_first_letter([word.lower() for word in CONTEXT])


def _any_context(lowered: str) -> list[tuple[int, int]]:
    """The spans of :data:`_ANY_CONTEXT`'s matches in ``lowered``, as ``finditer`` gives them.

    From the word starting at each position (:data:`_CONTEXT_STARTS`): ``finditer``
    takes, at the first position where a word starts, the first of them in the
    expression's order, then goes on after it.
    """
    starts = sorted(
        (found.start(), found.end(1))
        for expression in _CONTEXT_STARTS
        for found in expression.finditer(lowered)
    )
    spans: list[tuple[int, int]] = []
    for start, end in starts:
        if not spans or start >= spans[-1][1]:
            spans.append((start, end))
    return spans


def _near_context(text: str, windows: Sequence[Window]) -> list[Window]:
    """The windows within reach of a birth word: a date in any other has none near it.

    A date is kept only with a birth word within :data:`CONTEXT_WINDOW` characters, so
    a window farther than that (plus the longest date) from every birth word is skipped.
    """
    lowered = text.lower()
    if len(lowered) == len(text):
        found = _any_context(lowered)
    else:  # a letter whose lower case is longer (İ): offsets would move
        found = [word.span() for word in _ANY_CONTEXT_CASE_BLIND.finditer(text)]
    near: list[Window] = []
    index = 0
    for start, end in found:  # in order, never overlapping: the windows near come in order
        index = max(index, bisect_right(windows, start - _REACH, key=_window_end))
        while index < len(windows) and windows[index].start < end + _REACH:
            near.append(windows[index])
            index += 1
    return near


def _window_end(window: Window) -> int:
    return window.end


@dataclass(frozen=True)
class DateOfBirthDetector:
    """Plausible birth dates; ``today`` fixes the reference date (tests, reproducible runs)."""

    today: date = field(default_factory=date.today)
    name: str = field(init=False, default="date_of_birth")
    category: str | None = field(init=False, default=CATEGORY)
    countries: tuple[str, ...] = field(init=False, default=())
    lookalike: bool = field(init=False, default=False)

    def plausibility(self, born: date) -> float:
        """How plausible ``born`` is as a birth date: 0 in the future or too recent."""
        latest = self.today.year - MIN_AGE_YEARS
        if born.year < EARLIEST_YEAR or (born.year, born.month, born.day) > (
            latest,
            self.today.month,
            self.today.day,
        ):
            return 0.0
        return NEW_YEAR if (born.month, born.day) == (1, 1) else PLAUSIBLE

    def score_value(self, value: str) -> ValueScore:
        """A plausible birth date scores :data:`PLAUSIBLE`; other dates and non-dates 0."""
        if not 6 <= len(value) <= 40:
            return NO_MATCH
        forms = _VALUE_FORMS if value[0].isdigit() else _LETTER_FIRST_FORMS
        for form, regex in forms.items():
            match = regex.fullmatch(value)
            if match is None:
                continue
            born = parse_date(match)
            if born is None or _has_time_of_day(match):
                return NO_MATCH
            score = self.plausibility(born)
            if form == "compact":
                score = min(score, COMPACT)
            return ValueScore(score, form) if score else NO_MATCH
        return NO_MATCH

    def find_spans(self, text: str) -> Iterator[Span]:
        """Plausible dates in ``text`` with a birth word within the context window."""
        return self.find_spans_within(text, whole(text))

    def find_spans_within(self, text: str, windows: Sequence[Window]) -> Iterator[Span]:
        """Plausible dates inside ``windows`` of ``text`` with a birth word near them."""
        near = _near_context(text, windows)
        if not near:
            return
        for form, regex in _TEXT_FORMS.items():
            for match in search(regex, text, near):
                born = parse_date(match)
                if born is None or _has_time_of_day(match) or not self.plausibility(born):
                    continue
                start, end = match.start(), match.end()
                window = text[max(0, start - CONTEXT_WINDOW) : end + CONTEXT_WINDOW]
                if _CONTEXT.search(window) is not None:
                    yield Span(start, end, CATEGORY, IN_CONTEXT, self.name, form)


DETECTOR = DateOfBirthDetector()
"""The built-in date-of-birth detector (registered in :data:`tutela.plugins.DETECTORS`)."""
