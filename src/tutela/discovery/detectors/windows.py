r"""The parts of a text worth searching for digit-bearing personal data, found in one pass.

Phone, card, IBAN and national numbers, postcodes and dates all hold digits, and a
support ticket is mostly words. :func:`digit_windows` finds the digit runs once
(``\\d+``), joins runs close enough that their windows would touch (``+32 477 12 34
56``, ``NL91 ABNA 0417 1643 00``, ``15 septembre 1985``), and widens each cluster by
:data:`LEFT` characters before (``RSSMRA85…``, ``AB 12 34 56 C``, ``X-1234567-L``)
and to the first whitespace at least :data:`RIGHT` characters after. Detectors then
search only inside the windows with ``regex.finditer(text, start, end)``: their
look-behinds still see the characters before a window, and a window ends on
whitespace (or the end of the text), where a look-ahead sees what it would see in the
whole text. Context words are still looked up in the whole text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import NamedTuple

LEFT = 16
"""Characters before a window's first digit searched too (letters of an identifier)."""
RIGHT = 12
"""Characters after a window's last digit searched too, then on to the next whitespace."""

_NOT_DIGITS = re.compile(r"\D+")
JOIN = LEFT + RIGHT
"""Digit runs at most this many characters apart are in one window: the one's reach after
meets the other's reach before (runs further apart may still share one, across a word)."""
_CLUSTER = re.compile(rf"\d+(?:\D{{0,{JOIN}}}\d+)*+")
"""Digit runs with at most :data:`JOIN` other characters between one and the next."""
_SPACE = re.compile(r"\s")
_ASCII_NOT_DIGITS = bytes(code for code in range(128) if not 48 <= code <= 57)


class Window(NamedTuple):
    """``text[start:end]`` may hold digit-bearing data; ``digits`` counts its digits."""

    start: int
    end: int
    digits: int


def whole(text: str) -> list[Window]:
    """One window over all of ``text`` (a value, or a text searched without windows)."""
    return [Window(0, len(text), len(text))]


def digit_windows(text: str) -> list[Window]:
    """The windows around the digit clusters of ``text``, in order, never overlapping.

    A window's end (the whitespace after its last cluster) is looked up only when the
    next cluster is too far to join it, and its digits are counted once it is closed:
    every digit inside a window belongs to one of its clusters.
    """
    windows: list[Window] = []
    size, left, last = len(text), -1, -1
    for cluster in _CLUSTER.finditer(text):
        start, end = cluster.span()
        if left >= 0 and start - LEFT > last + RIGHT:
            right = _right_of(text, last, size)
            if start - LEFT > right:
                windows.append(_counted(text, left, right))
                left = -1
        if left < 0:
            left = max(0, start - LEFT)
        last = end
    if left >= 0:
        windows.append(_counted(text, left, _right_of(text, last, size)))
    return windows


def _right_of(text: str, last: int, size: int) -> int:
    """The end of a window whose last digit cluster ends at ``last``."""
    space = _SPACE.search(text, min(size, last + RIGHT))
    return space.start() if space is not None else size


def _counted(text: str, start: int, end: int) -> Window:
    """The window ``text[start:end]`` with its digits counted (ASCII text: bytes, faster)."""
    part = text[start:end]
    if part.isascii():
        return Window(start, end, len(part.encode().translate(None, _ASCII_NOT_DIGITS)))
    return Window(start, end, len(_NOT_DIGITS.sub("", part)))


def search(regex: re.Pattern[str], text: str, windows: Sequence[Window]) -> Iterator[re.Match[str]]:
    """The matches of ``regex`` inside each window of ``text``, window by window."""
    finditer = regex.finditer
    for start, end, _ in windows:
        yield from finditer(text, start, end)


def widened(windows: Sequence[Window], before: int) -> list[Window]:
    """``windows`` each starting ``before`` characters earlier, overlapping ones merged."""
    merged: list[Window] = []
    for window in windows:
        start = max(0, window.start - before)
        if merged and start <= merged[-1].end:
            previous = merged.pop()
            window = Window(previous.start, window.end, previous.digits + window.digits)
            start = previous.start
        merged.append(Window(start, window.end, window.digits))
    return merged


_SPACES = " \n\t\r"


def stretches_with(text: str, marker: re.Pattern[str]) -> list[Window]:
    """The stretches of ``text`` between whitespace that hold a match of ``marker``.

    For what holds no whitespace (an e-mail address, a link): only these stretches need
    searching, found by a ``marker`` scan (an ``@``, a ``.tld/``) many times cheaper
    than the whole expression. A stretch may start after the last space, tab or line
    break rather than after rarer whitespace: it is then longer, never shorter.
    """
    found: list[Window] = []
    searched = 0
    for hit in marker.finditer(text):
        if hit.start() < searched:
            continue
        start = max(searched, *(text.rfind(space, searched, hit.start()) + 1 for space in _SPACES))
        after = _SPACE.search(text, hit.end())
        searched = after.start() if after is not None else len(text)
        found.append(Window(start, searched, 0))
    return found
