"""The evidence a column's sampled values give: cells, tallies per category, plausibility.

:func:`prepare` turns a sample into distinct text values with their counts (NULLs and
blanks skipped, timestamps told from dates); :func:`score_cells` tallies how many
cells the detectors of each category recognise, scoring each distinct value once;
:func:`plausible` checks the distribution where one value cannot tell (birth dates
spread over decades, bare-number postcodes need the name, person names are
capitalised). Used by :mod:`tutela.discovery.columns`.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from math import exp, lgamma, log, log1p
from typing import Any

from tutela.discovery.models import Detector, Sample, Span, chance_of

_MIDNIGHT = time(0, 0)


@dataclass
class Cells:
    """The non-null sampled values of a column as text: distinct values and their counts."""

    counts: Counter[str] = field(default_factory=Counter)
    total: int = 0
    dates: int = 0
    events: int = 0

    @property
    def distinct(self) -> list[str]:
        """The distinct values, in sample order."""
        return list(self.counts)


def prepare(values: Sample) -> Cells:
    """The sampled values as text: NULLs and blanks skipped, dates and timestamps told apart.

    A ``datetime`` with a time of day is an event (never a birth date); a ``date`` (or a
    midnight ``datetime``) is written ``YYYY-MM-DD``; integers stay digits (cards stored
    as integers); ``bytes`` are read as UTF-8 or skipped.
    """
    cells = Cells()
    counts = cells.counts
    sampled: Counter[Any]
    try:
        sampled = Counter(values)  # counted in C; each distinct value is then read once
    except TypeError:  # an unhashable value (bytearray, memoryview): one by one
        sampled = Counter(map(_hashable, values))
    sampled.pop(None, None)
    if _plain_text(sampled):
        counts.update(sampled)
        counts.pop("", None)
        cells.total = sum(counts.values())
        return cells
    for value, times in sampled.items():
        if value is None:
            continue
        text = value.strip() if type(value) is str else _as_text(value, cells, times)
        if text:
            counts[text] += times
    cells.total = sum(counts.values())
    return cells


def _plain_text(sampled: Counter[Any]) -> bool:
    """True when every distinct value is a string without surrounding blanks (checked in C)."""
    keys = list(sampled)
    return set(map(type, keys)) <= {str} and list(map(str.strip, keys)) == keys


def _hashable(value: Any) -> Any:
    """``value``, or its bytes when it cannot be a dictionary key (bytearray, memoryview)."""
    return bytes(value) if isinstance(value, bytearray | memoryview) else value


def _as_text(value: object, cells: Cells, times: int = 1) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        if value.time() != _MIDNIGHT:
            cells.events += times
            return value.isoformat(sep=" ")
        cells.dates += times
        return value.date().isoformat()
    if isinstance(value, date):
        cells.dates += times
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        try:
            return bytes(value).decode("utf-8").strip()
        except UnicodeDecodeError:
            return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    return str(value).strip()


def compatible(one: str, other: str) -> bool:
    """Whether two categories agree: equal, or one is the parent of the other."""
    return one == other or one.startswith(other + ".") or other.startswith(one + ".")


DATE_OF_BIRTH = "user.demographic.date_of_birth"
POSTAL_CODE = "user.contact.address.postal_code"
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)|^((?:1[89]|20)\d\d)\d{4}$")


@dataclass
class Tally:
    """How the sampled values fit the detectors of one category (or all look-alikes).

    Counts are of sampled cells (a distinct value counts as often as it was sampled).
    """

    category: str
    lookalike: bool
    detectors: list[Detector]
    scored: int = 0
    hits: int = 0
    score_sum: float = 0.0
    by_detector: Counter[str] = field(default_factory=Counter)
    hit_values: list[str] = field(default_factory=list)
    plausible: bool = True
    note: str = ""
    boost: float = 0.0
    distinct: int = 0
    passed: Counter[str] = field(default_factory=Counter)
    checked: str = ""

    @property
    def fraction(self) -> float:
        """The share of scored cells some detector recognises."""
        return self.hits / self.scored if self.scored else 0.0

    @property
    def effective_score(self) -> float:
        """The mean score of the recognised cells, raised by a passed distribution check."""
        mean = self.score_sum / self.hits if self.hits else 0.0
        return max(mean, self.boost)

    def describe(self) -> str:
        """``47 of 50 sampled values are phone numbers (phone)``."""
        kind = "look-alikes" if self.lookalike else self.category.rsplit(".", 1)[-1]
        which = ", ".join(name for name, _ in self.by_detector.most_common(4))
        label = kind.replace("_", " ")
        return f"{self.hits} of {self.scored} sampled values are {label} ({which})"

    def notes(self) -> list[str]:
        """The check-digit and distribution notes, when there are some."""
        return [note for note in (self.checked, self.note) if note]

    def score(self, value: str, weight: int, active: list[Detector]) -> None:
        """Score ``value`` (sampled ``weight`` times) with the ``active`` detectors."""
        best, which = 0.0, ""
        for detector in active:
            result = detector.score_value(value)
            if result.score > 0.0:
                self.passed[detector.name] += 1
                if result.score > best:
                    best, which = result.score, detector.name
        self.scored += weight
        self.distinct += 1
        if best > 0:
            self.hits += weight
            self.score_sum += best * weight
            self.by_detector[which] += weight
            self.hit_values.append(value)


def value_strength(tally: Tally) -> float:
    """Share recognised times how sure the detectors are (0..1)."""
    return tally.fraction * tally.effective_score


def score_cells(
    distinct: list[str], counts: Counter[str], detectors: Sequence[Detector], probe: int, most: int
) -> list[Tally]:
    """One tally per category (look-alikes together) over the first ``most`` distinct values.

    A detector that recognises none of the first ``probe`` values is dropped; a category
    recognising under 15% of the first 30 is dropped too (a column is one kind of data).
    """
    groups: dict[str, list[Detector]] = defaultdict(list)
    for detector in detectors:
        key = "" if detector.lookalike else detector.category
        if key is not None:
            groups[key].append(detector)
    tallies = []
    for key, members in groups.items():
        tally = Tally(key, key == "", members)
        active = list(members)
        for index, value in enumerate(distinct[:most]):
            if index == probe:
                active = [d for d in active if tally.by_detector[d.name]]
            if not active or (index == 30 and tally.fraction < 0.15):
                break
            tally.score(value, counts[value], active)
        tallies.append(tally)
    return tallies


CHECK_DIGIT_CHANCE = 0.2
"""A validation that random values of the shape pass more often than this is no check digit."""
MIN_CHECKED = 5
"""Distinct values passing a check digit needed before the pass rate can be judged."""
SIGNIFICANCE = 1e-6
"""The chance of the observed pass rate, under random values, below which it is evidence."""


def beyond_chance(tally: Tally) -> None:
    """Raise ``tally``'s score when its values pass a check digit far more often than chance.

    A random 9-digit number passes the Dutch 11-test one time in eleven; a column whose
    distinct values all pass it holds BSNs, whatever else their shape fits (a bare digit
    run is also a phone number). For each detector with a check (``chance`` at most
    :data:`CHECK_DIGIT_CHANCE`), the binomial tail of its pass count among the distinct
    values scored is compared with :data:`SIGNIFICANCE`; when it is smaller, the tally's
    score becomes ``1 - chance / pass rate`` (at most 0.95) and ``checked`` says why.
    """
    for detector in tally.detectors:
        chance = chance_of(detector)
        passes, scored = tally.passed[detector.name], tally.distinct
        if chance > CHECK_DIGIT_CHANCE or passes < MIN_CHECKED or passes * 2 < scored:
            continue
        if binomial_tail(passes, scored, chance) >= SIGNIFICANCE:
            continue
        strength = min(0.95, 1.0 - chance * scored / passes)
        if strength > tally.boost:
            tally.boost = strength
            tally.checked = (
                f"{passes} of {scored} distinct values pass the {detector.name} check digits, "
                f"which chance passes 1 time in {round(1 / chance)}"
            )


def binomial_tail(passes: int, scored: int, chance: float) -> float:
    """P(X >= ``passes``) for X ~ Binomial(``scored``, ``chance``), 0 < chance < 1."""
    log_p, log_q, whole = log(chance), log1p(-chance), lgamma(scored + 1)
    return sum(
        exp(whole - lgamma(i + 1) - lgamma(scored - i + 1) + i * log_p + (scored - i) * log_q)
        for i in range(passes, scored + 1)
    )


def plausible(tally: Tally, cells: Cells, named: str | None) -> tuple[bool, str]:
    """Whether the values' distribution fits the category, and a note saying why (or not)."""
    says = named is not None and compatible(tally.category, named)
    if tally.category == DATE_OF_BIRTH:
        return _birth_dates(tally, cells, says)
    if tally.category == POSTAL_CODE and tally.effective_score < 0.5 and not says:
        return False, "bare numbers are postcodes only when the column's name says so"
    if tally.category.startswith("user.name") and not says:
        capitalised = sum(_capitalised(v) for v in tally.hit_values) / len(tally.hit_values)
        if tally.fraction < 0.5 or capitalised < 0.6:
            return False, "too few capitalised names to be a column of names"
    return True, ""


def _birth_dates(tally: Tally, cells: Cells, says: bool) -> tuple[bool, str]:
    if cells.events * 2 > cells.total:
        return False, "timestamps with a time of day record events, not births"
    years = sorted(
        int(m.group(1) or m.group(2)) for v in tally.hit_values if (m := _YEAR.search(v))
    )
    if len(years) < 5:
        return says, "too few dates to judge their spread"
    spread = years[(len(years) - 1) * 9 // 10] - years[(len(years) - 1) // 10]
    if spread < (5 if says else 15):
        return False, f"dates span only {spread} years: birth dates spread over decades"
    tally.boost = 0.75  # plausible, never "validated": a negative name still vetoes it
    return True, f"dates spread over {spread} years, as birth dates do"


def _capitalised(value: str) -> bool:
    return all(word[:1].isupper() for word in value.split())


def describe_spans(joined: str, scanned: list[str], spans: list[Span]) -> tuple[str, int]:
    """A summary of the spans of ``joined`` (``scanned`` joined) and how many values hold one."""
    starts, offset = [], 0
    for value in scanned:
        starts.append(offset)
        offset += len(value) + 1
    holding = {bisect_right(starts, span.start) - 1 for span in spans}
    kinds = Counter(span.category for span in spans)
    if not spans:
        return f"no personal data found in {len(scanned)} sampled texts", 0
    listed = ", ".join(f"{category} x{count}" for category, count in kinds.most_common())
    return f"personal data in {len(holding)} of {len(scanned)} sampled texts: {listed}", len(
        holding
    )


def per_value(spans: Sequence[Span], scanned: Sequence[str]) -> tuple[Span, ...]:
    """``spans`` of the ``scanned`` values joined by newlines, rebased on the value each is in.

    A span's ``value`` becomes the index of its value in ``scanned`` and its offsets
    are within that value (cut at the value's end, should a match run past it).
    """
    starts, offset = [], 0
    for value in scanned:
        starts.append(offset)
        offset += len(value) + 1
    rebased = []
    for span in spans:
        index = bisect_right(starts, span.start) - 1
        start, end = span.start - starts[index], span.end - starts[index]
        rebased.append(replace(span, start=start, end=min(end, len(scanned[index])), value=index))
    return tuple(rebased)
