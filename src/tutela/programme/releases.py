"""How an anonymised release is made: its source, hierarchies and search (AN-1..AN-3).

These models extend :class:`tutela.programme.models.AnonymisedRelease` so that
``tutela anonymise RELEASE`` can run it: where the rows come from (a read-only query on
a system, or a CSV file beside the programme), how each quasi-identifier generalises
(a declared tree, inline or from a CSV file; interval widths for numbers; dates are built),
the sensitive attributes that l-diversity and t-closeness protect, the suppression budget,
the loss metric and the search.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from tutela.programme.types import Key, Model, ShortText

QuasiType = Literal["number", "date", "category"]


class ReleaseSource(Model):
    """Where a release's rows come from: ``query`` on ``system``, or a ``csv`` file.

    The query is read-only (one ``SELECT`` or ``WITH``); the CSV path is relative to the
    programme's folder and has a header row.
    """

    system: Key | None = None
    query: str | None = Field(default=None, min_length=1, max_length=20_000)
    csv: ShortText | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ReleaseSource:
        if (self.query is None) == (self.csv is None):
            raise ValueError("give either query (with system) or csv")
        if self.query is not None and self.system is None:
            raise ValueError("a query needs the system it runs on")
        if self.query is not None:
            first = self.query.lstrip().split(None, 1)[0].lower() if self.query.strip() else ""
            if first not in {"select", "with"}:
                raise ValueError("the query must be a read-only SELECT (or WITH ... SELECT)")
        return self


class Hierarchy(Model):
    """How one quasi-identifier generalises.

    ``type`` defaults to what the values are (numbers, ISO dates, else categories).
    A category's tree is ``tree`` (each value -> its ancestors, nearest first) or ``file``
    (a CSV: value, then its ancestors, one row per value; relative to the programme).
    Numbers take interval ``widths`` for the full-domain search (default 2, 5, 10, 20,
    50, ... up to the range).
    """

    type: QuasiType | None = None
    tree: dict[ShortText, list[ShortText]] | None = None
    file: ShortText | None = None
    widths: list[float] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_tree(self) -> Hierarchy:
        if self.tree is not None and self.file is not None:
            raise ValueError("give the tree inline or as a file, not both")
        if (self.tree is not None or self.file is not None) and self.type not in {
            None,
            "category",
        }:
            raise ValueError("only a category has a tree")
        if any(width <= 0 for width in self.widths):
            raise ValueError("interval widths must be positive")
        return self


Diversity = Literal["distinct", "entropy"]
Metric = Literal["gcp", "discernibility"]
Algorithm = Literal["auto", "mondrian", "lattice"]
