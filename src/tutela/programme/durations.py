"""Durations as programmes write them: ``24h``, ``30 days``, ``6m``, ``7y``."""

from __future__ import annotations

import re

_DURATION = re.compile(
    r"^\s*(?P<n>\d{1,6})\s*(?P<unit>h|hours?|d|days?|w|weeks?|m|months?|y|years?)\s*$",
    re.IGNORECASE,
)
_HOURS_PER_UNIT = {"h": 1, "d": 24, "w": 24 * 7, "m": 24 * 30, "y": 24 * 365}


def duration_hours(text: str) -> int:
    """Approximate length of a duration like ``24h``, ``30 days``, ``7y`` in hours.

    Used to compare retention periods (a longer period is a material change);
    raises ValueError for text that is not a duration.
    """
    match = _DURATION.match(text)
    if not match:
        raise ValueError(
            f"{text!r} is not a duration; write a number and a unit, e.g. 24h, 30d, 6m, 7y"
        )
    return int(match["n"]) * _HOURS_PER_UNIT[match["unit"][0].lower()]


def check_duration(value: str | None) -> str | None:
    """``value`` unchanged if it is a duration (or None); ValueError otherwise."""
    if value is not None:
        duration_hours(value)
    return value
