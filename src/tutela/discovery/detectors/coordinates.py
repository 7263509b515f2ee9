"""Geographic coordinates written as text: a precise location (GDPR Art. 4(1) location data).

A numeric latitude or longitude column is read from its name (``lat``, ``lng``); this
detector reads a point stored in one text value, in the forms databases and exports
use:

- decimal degrees, latitude first: ``50.8503, 4.3517``, ``50.8503;4.3517``,
  ``(50.8503, 4.3517)``, ``50.8503 4.3517``, with hemispheres ``50.8503° N, 4.3517° E``;
- a geo URI (RFC 5870): ``geo:50.8503,4.3517``;
- Well-Known Text (ISO 19125, longitude first): ``POINT(4.3517 50.8503)``, with an
  ``SRID=4326;`` prefix (EWKT) or a ``Z`` coordinate;
- degrees, minutes and seconds (or decimal minutes): ``50°51'N 4°21'E``,
  ``50°51'01.1"N 4°21'06.1"E``, ``N 50° 51.018' E 4° 21.060'``.

Validated: a latitude within ±90, a longitude within ±180, minutes and seconds under
60; rejected: the "null island" ``0, 0`` and points whose both numbers are under 1 in
magnitude (shares and probabilities, ``0.8512;0.9231``). Decimal pairs need three
decimals or more (``12.50, 3.99`` is two prices; three decimals place a point within
about 100 m, four within 10 m: fideslang's ``user.location.precise`` is under 500 m).
In free text only the unambiguous forms count (geo URI, WKT, degrees with their
signs, decimal pairs with four decimals or more).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from tutela.discovery.models import NO_MATCH, Span, ValueScore

CATEGORY = "user.location.precise"

_NUMBER = r"[-+]?\d{1,3}(?:\.\d+)?"
_DECIMAL = r"[-+]?\d{1,3}\.(\d{3,})"
_PAIR = re.compile(
    rf"(?P<lat>{_DECIMAL})\s*°?\s*(?P<ns>[NS])?\s*(?:[,;]\s*|\s+)"
    rf"(?P<lon>{_DECIMAL})\s*°?\s*(?P<ew>[EWO])?"
)
_WRAPPED = re.compile(r"[(\[]\s*(.*?)\s*[)\]]")
_GEO_URI = re.compile(
    rf"geo:(?P<lat>{_NUMBER}),(?P<lon>{_NUMBER})(?:,{_NUMBER})?(?:;[a-z]+=[\w.\-]+)*"
)
_WKT = re.compile(
    rf"(?:SRID=\d+;)?POINT\s*(?:Z\s*|M\s*|ZM\s*)?\(\s*(?P<lon>{_NUMBER})\s+(?P<lat>{_NUMBER})"
    rf"(?:\s+{_NUMBER}){{0,2}}\s*\)",
    re.IGNORECASE,
)
_DMS_PART = (
    r"(\d{1,3})\s*°\s*(?:(\d{1,2}(?:\.\d+)?)\s*['′]\s*(?:(\d{1,2}(?:\.\d+)?)\s*(?:\"|″|''))?)?"
)
_DMS = re.compile(
    rf"(?:(?P<ns1>[NS])\s*)?{_DMS_PART}\s*(?P<ns2>[NS])?\s*,?\s*"
    rf"(?:(?P<ew1>[EWO])\s*)?{_DMS_PART}\s*(?P<ew2>[EWO])?"
)
_TEXT_FORMS = re.compile(
    r"geo:[-+\d]|POINT\s*\(|\d\s*°|(?<![\d.])[-+]?\d{1,3}\.\d{4,}\s*[,;]\s*[-+]?\d{1,3}\.\d{4,}(?![\d.])",
    re.IGNORECASE,
)

_POINT_MARKS = re.compile(r"[gG][eE][oO]:|[pP][oO][iIİı][nN][tT]\s*\(")
"""``geo:`` and ``POINT(`` in any case, spelled out (a case-blind expression scans slowly)."""
_LONG_DECIMAL = re.compile(r"\.\d{4}")

_GEO_COLON = re.compile(r":(?<=[gG][eE][oO]:)")
"""The colon of a ``geo:`` in any case (a scan for colons: far fewer than g's)."""
_PAIR_DOT = re.compile(r"\.\d{4,}\s*[,;]")
"""The first dot of a decimal pair, its decimals and the comma or semicolon after them (no
match holds a second dot, so a scan finds every such dot)."""
_PAIR_LEAD = 4
"""The most characters a decimal pair holds before its first dot (a sign, three digits)."""
_WKT_MARK = re.compile(r"[pP][oO][iIİı][nN][tT]")
"""``POINT`` in any case, spelled out (``İ`` and ``ı`` are the other letters a case-blind
``i`` matches)."""
_MARKS = {
    "geo_uri": lambda text: "geo:" in text,
    "wkt_point": lambda text: _WKT_MARK.search(text) is not None,
    "dms": lambda text: "°" in text,
}
"""What each tagged form needs somewhere in the text before its expression searches it."""


def _may_hold_point(text: str) -> bool:
    """A cheap first test of :data:`_TEXT_FORMS`: a ``°``, four decimals, ``geo:`` or ``POINT(``.

    Literal scans only (the combined expression tries every position of the text).
    """
    if "°" in text or _LONG_DECIMAL.search(text) is not None:
        return True
    return _POINT_MARKS.search(text) is not None


def valid_point(latitude: float, longitude: float) -> bool:
    """Within the globe, not ``0, 0``, and not two numbers under 1 (shares, probabilities)."""
    if abs(latitude) > 90 or abs(longitude) > 180:
        return False
    return abs(latitude) >= 1 or abs(longitude) >= 1


def _signed(number: str, hemisphere: str | None, negative: str) -> float:
    value = float(number)
    return -abs(value) if hemisphere == negative else value


def _decimal_pair(value: str) -> ValueScore:
    inner = _WRAPPED.fullmatch(value)
    match = _PAIR.fullmatch(inner.group(1) if inner else value)
    if match is None:
        return NO_MATCH
    latitude = _signed(match["lat"], match["ns"], "S")
    longitude = _signed(match["lon"], match["ew"], "W")
    if not valid_point(latitude, longitude):
        return NO_MATCH
    decimals = min(len(match.group(2)), len(match.group(5)))
    hemispheres = match["ns"] is not None and match["ew"] is not None
    if hemispheres or decimals >= 4:
        return ValueScore(0.9, "decimal_pair")
    return ValueScore(0.75, "decimal_pair")


def _degrees(parts: tuple[str | None, ...]) -> float | None:
    degrees, minutes, seconds = (float(p) if p else 0.0 for p in parts)
    if minutes >= 60 or seconds >= 60:
        return None
    return degrees + minutes / 60 + seconds / 3600


def _dms(value: str) -> ValueScore:
    match = _DMS.fullmatch(value)
    if match is None:
        return NO_MATCH
    north_south = match["ns1"] or match["ns2"]
    east_west = match["ew1"] or match["ew2"]
    if north_south is None or east_west is None or match.group(3) is None:
        return NO_MATCH  # a point in DMS states its hemispheres and its minutes
    latitude = _degrees(match.group(2, 3, 4))
    longitude = _degrees(match.group(7, 8, 9))
    if latitude is None or longitude is None or not valid_point(latitude, longitude):
        return NO_MATCH
    return ValueScore(0.95, "dms")


def _tagged(value: str) -> ValueScore:
    for name, pattern in (("geo_uri", _GEO_URI), ("wkt_point", _WKT)):
        match = pattern.fullmatch(value)
        if match is not None:
            point = float(match["lat"]), float(match["lon"])
            return ValueScore(0.95, name) if valid_point(*point) else NO_MATCH
    return NO_MATCH


@dataclass(frozen=True)
class CoordinatesDetector:
    """A point (latitude and longitude) in one text value; see the module docstring.

    Source: ISO 6709 (point representation), RFC 5870 (geo URI), ISO 19125 / OGC
    Simple Features (WKT). Scores: WKT, geo URI and DMS 0.95; decimal pairs with
    hemispheres or four decimals 0.9, with three 0.75.
    """

    name: str = "coordinates"
    category: str | None = CATEGORY
    countries: tuple[str, ...] = ()
    lookalike: bool = False
    source: str = "ISO 6709, RFC 5870 geo URI, ISO 19125 WKT"

    def score_value(self, value: str) -> ValueScore:
        """How likely the whole ``value`` is a point (0 when it is not one)."""
        if not 7 <= len(value) <= 120:
            return NO_MATCH
        first = value[0]
        if first in "gGsSpP":
            return _tagged(value)
        if "°" in value:
            return _dms(value) if "'" in value or "′" in value else _decimal_pair(value)
        if "." not in value:
            return NO_MATCH
        return _decimal_pair(value)

    def find_spans(self, text: str) -> Iterator[Span]:
        """Points in ``text`` written in an unambiguous form (see the module docstring)."""
        if not _may_hold_point(text):
            return
        forms = list(_text_forms(text))
        if not forms:
            return
        for pattern, name in ((_GEO_URI, "geo_uri"), (_WKT, "wkt_point"), (_DMS, "dms")):
            if not _MARKS[name](text):
                continue
            for match in pattern.finditer(text):
                if match.group(0).strip() and self.score_value(match.group(0).strip()).score:
                    yield Span(match.start(), match.end(), CATEGORY, 0.9, self.name, name)
        for start, end, found in forms:
            pair = found[-1].isdigit() and not found.startswith(("geo", "POINT"))
            if pair and _decimal_pair(found).score >= 0.9:
                yield Span(start, end, CATEGORY, 0.85, self.name, "pair")


def _text_forms(text: str) -> Iterator[tuple[int, int, str]]:
    """The matches of :data:`_TEXT_FORMS` in ``text``, as ``finditer`` gives them.

    The expression is tried only where a match can start (:func:`_form_starts`), in
    order, skipping the starts inside the match before: what ``finditer`` does at every
    position, with the positions where nothing can start left out.
    """
    end = 0
    for start in _form_starts(text):
        if start < end:
            continue
        found = _TEXT_FORMS.match(text, start)
        if found is not None:
            end = found.end()
            yield start, end, found.group(0)


def _form_starts(text: str) -> list[int]:
    """Every position where a :data:`_TEXT_FORMS` match can start (and some where none does).

    Each form is found from a character far rarer than the digits and letters it starts
    with: a ``geo:`` from its colon, a ``POINT (`` from its parenthesis, a ``4 °`` from
    its degree sign, a decimal pair from its first dot (up to :data:`_PAIR_LEAD`
    characters after its start).
    """
    starts = {colon.start() - 3 for colon in _GEO_COLON.finditer(text)}
    for opening in _positions(text, "("):
        before = _before_spaces(text, opening)
        if before >= 5 and _WKT_MARK.match(text, before - 5, before):
            starts.add(before - 5)
    starts.update(_before_spaces(text, degree) - 1 for degree in _positions(text, "°"))
    for dot in _PAIR_DOT.finditer(text):
        starts.update(range(max(0, dot.start() - _PAIR_LEAD), dot.start()))
    return sorted(start for start in starts if start >= 0)


def _positions(text: str, char: str) -> Iterator[int]:
    """The offsets of ``char`` in ``text``."""
    found = text.find(char)
    while found >= 0:
        yield found
        found = text.find(char, found + 1)


def _before_spaces(text: str, end: int) -> int:
    r"""The start of the whitespace (``\s``) run ending at ``end`` (``end`` when there is none)."""
    while end > 0 and text[end - 1].isspace():
        end -= 1
    return end


DETECTOR = CoordinatesDetector()
"""The coordinates detector registered as the built-in ``coordinates``."""
