"""The consent chart's geometry: lines per purpose and kind, drawn server-side as SVG.

:func:`chart` turns counts per period into what ``console/consent.html`` draws: the axes
with their ticks, one polyline per (purpose, kind) that has any event, and a marker at
each non-zero point. Colour is never the only cue (WCAG 2.2 1.4.1): each purpose has its
own marker shape, each kind its own line pattern (solid: given, dashed: withdrawn,
dotted: objection, dash-dot: opt-out), and the legend names every line in words. Pure:
no I/O, no markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720
HEIGHT = 320
LEFT, RIGHT, TOP, BOTTOM = 56, 28, 16, 48
"""The plot's margins in SVG units: room for the y labels on the left, x labels below."""
MARKERS = ("circle", "square", "triangle", "diamond", "cross", "bar")
"""One marker shape per purpose, in the purposes' order (then again)."""
DASHES = {
    "consent_given": "",
    "consent_withdrawn": "8 5",
    "objection": "2 4",
    "opt_out": "10 4 2 4",
}
"""The line pattern of each kind (SVG stroke-dasharray; empty: solid)."""
MOST_X_LABELS = 8


@dataclass(frozen=True)
class Line:
    """One (purpose, kind) line: its legend text, style and points ``(x, y, value)``."""

    purpose: str
    kind: str
    label: str
    series: int
    marker: str
    dash: str
    points: tuple[tuple[float, float, int], ...]

    @property
    def path(self) -> str:
        """The polyline's ``points`` attribute."""
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _value in self.points)

    @property
    def marked(self) -> tuple[tuple[float, float, int], ...]:
        """The points with a non-zero value (those get a marker)."""
        return tuple(point for point in self.points if point[2])


@dataclass(frozen=True)
class Tick:
    """A labelled tick: its position along the axis and its text."""

    at: float
    text: str


@dataclass(frozen=True)
class Chart:
    """The whole chart: size, plot box, ticks and lines (empty when nothing happened)."""

    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Series:
    """The counts of one (purpose, kind) per period, with its legend text."""

    purpose: str
    kind: str
    label: str
    values: tuple[int, ...]


def chart(labels: Sequence[str], series: Sequence[Series], purposes: Sequence[str]) -> Chart:
    """The chart of ``series`` over the periods named by ``labels``.

    ``purposes`` orders the purposes (their colour and marker follow it). A series with
    no event is left out of the lines (it stays in the table).
    """
    right, bottom = WIDTH - RIGHT, HEIGHT - BOTTOM
    top_value = _ceiling(max((max(s.values, default=0) for s in series), default=0))
    drawn = [s for s in series if any(s.values)]
    lines = tuple(_line(s, purposes, len(labels), top_value, right, bottom) for s in drawn)
    return Chart(
        WIDTH,
        HEIGHT,
        LEFT,
        TOP,
        right,
        bottom,
        _y_ticks(top_value, bottom),
        _x_ticks(labels, right),
        lines,
    )


def _line(
    series: Series, purposes: Sequence[str], periods: int, top_value: int, right: int, bottom: int
) -> Line:
    index = purposes.index(series.purpose) if series.purpose in purposes else len(purposes)
    points = tuple(
        (_x(i, periods, right), _y(value, top_value, bottom), value)
        for i, value in enumerate(series.values)
    )
    return Line(
        series.purpose,
        series.kind,
        series.label,
        index % len(MARKERS),
        MARKERS[index % len(MARKERS)],
        DASHES.get(series.kind, ""),
        points,
    )


def _x(index: int, periods: int, right: int) -> float:
    """The x of period ``index`` (a single period sits in the middle)."""
    if periods <= 1:
        return (LEFT + right) / 2
    return LEFT + (right - LEFT) * index / (periods - 1)


def _y(value: int, top_value: int, bottom: int) -> float:
    return bottom - (bottom - TOP) * value / top_value


def _ceiling(largest: int) -> int:
    """A round top for the y axis: at least 4, then 1, 2 or 5 times a power of ten."""
    if largest <= 4:
        return 4
    step = 1
    while True:
        for factor in (1, 2, 5):
            if factor * step * 4 >= largest:
                return factor * step * 4
        step *= 10


def _y_ticks(top_value: int, bottom: int) -> tuple[Tick, ...]:
    return tuple(
        Tick(_y(top_value * i // 4, top_value, bottom), str(top_value * i // 4)) for i in range(5)
    )


def _x_ticks(labels: Sequence[str], right: int) -> tuple[Tick, ...]:
    """At most :data:`MOST_X_LABELS` labels, evenly spread, always the first and last."""
    count = len(labels)
    if count == 0:
        return ()
    every = max(1, -(-(count - 1) // (MOST_X_LABELS - 1)))
    chosen = sorted({*range(0, count, every), count - 1})
    if len(chosen) > 2 and chosen[-1] - chosen[-2] < every / 2:
        del chosen[-2]  # too close to the last label to be read
    return tuple(Tick(_x(i, count, right), labels[i]) for i in chosen)
