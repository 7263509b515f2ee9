"""Column classification: a sample of values and the column's name give one verdict.

Steps (each a function below): read the name (:class:`NameGuess` from the installed
column-name detectors); prepare the cells (NULLs and empty strings skipped, other
types as text, dates told from timestamps); judge free text by its spans; score the
distinct values with every value detector (a detector that misses the first
:data:`PROBE` values is dropped, at most :data:`MAX_SCORED` distinct values are
scored, repeated values are scored once); check the distribution where one value
cannot tell (birth dates spread over decades, bare-number postcodes need the name,
person names are capitalised); then combine:

- look-alikes (uuids, hashes, EANs, user agents) explaining most values veto
  personal categories, unless the name says the column holds such opaque values
  (passwords, device and cookie ids);
- the name and compatible values reinforce each other (``1 - (1-a)(1-b)``);
- strong validated values (most values pass a check digit or a numbering plan) win
  over a name that says otherwise or says "not personal" (``ref`` holding IBANs);
- a negative name (a flag, a counter, a file) vetoes weak value evidence;
- categories no value detector knows (gender, password, religion) rest on the name.

The finding's ``confidence`` is the confidence in its verdict: for a category, that
the column holds it; for ``None``, that the column is not personal data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from tutela.discovery.evidence import (
    Cells,
    Tally,
    beyond_chance,
    compatible,
    describe_spans,
    per_value,
    plausible,
    prepare,
    score_cells,
    value_strength,
)
from tutela.discovery.models import ColumnFinding, NameGuess, Sample, Span
from tutela.discovery.registry import Installed
from tutela.discovery.text import find_spans
from tutela.ports import ColumnInfo

PROBE = 8
MAX_SCORED = 120
FREE_TEXT_LENGTH = 60
TEXT_SCAN_CHARS = 12_000
STRONG_FRACTION = 0.8
STRONG_SCORE = 0.8
ASSERT_FRACTION = 0.6
LOOKALIKE_FRACTION = 0.5
UNAMBIGUOUS = 0.8
"""A name this sure of its category reaches the threshold on values that merely fit it."""
FITTING = 0.8
"""Factor on the name's confidence when its values are unrecognised but fit (see above)."""
FREE_FORM = {
    **dict.fromkeys(("user.contact.address", "user.contact.address.street"), True),
    **dict.fromkeys(("user.contact.address.city", "user.account.username"), False),
    **dict.fromkeys(("user.name", "user.name.first", "user.name.last"), False),
}
"""Free-form text no detector recognises in full (streets, nicknames): needs a space?"""
USERNAME = "user.account.username"
_HANDLE = re.compile(r"@?[a-z][a-z0-9._\-]{2,40}")
SHAPE_ONLY = 0.6
"""A mean score at most this is a match of shape only (a bare digit run as a phone number)."""
CONTENT_CATEGORY = "user.content.private"

IDENTITIES = {"user.contact.email": "email", "user.contact.phone_number": "phone_number"}
OPAQUE_VALUES = (
    "user.authorization",
    "user.device.device_id",
    "user.device.cookie_id",
    "user.unique_id",
    "user.biometric",
)
"""Categories whose values are hashes, tokens or uuids: look-alikes do not veto them."""

FLAG_VALUES = frozenset({"0", "1", "true", "false", "t", "f", "y", "n", "yes", "no", "on", "off"})


def name_guess(table: str, column: ColumnInfo, installed: Installed) -> NameGuess | None:
    """The first guess of the installed column-name detectors; a primary key says "a key"."""
    guess = next(
        (g for d in installed.names if (g := d.guess(table, column.name, column.type)) is not None),
        None,
    )
    if column.primary_key and (guess is None or guess.category is None):
        return NameGuess(None, 0.8, f"{column.name!r} is the primary key: a surrogate key")
    return guess


def classify_column(
    table: str, column: ColumnInfo, values: Sample, installed: Installed, *, text: bool = False
) -> ColumnFinding:
    """The category ``column`` of ``table`` holds, judged from ``values`` and its name.

    ``values`` is the column's sample, NULLs included. With ``text=True`` a free-text
    column's finding carries its spans and the scanned values (``texts``: distinct, in
    sample order, blanks and NULLs left out); each span's ``value`` indexes ``texts`` and
    its offsets are within that value.
    """
    guess = name_guess(table, column, installed)
    cells = prepare(values)
    verdict = Verdict(table, column.name, guess, cells.total)
    if cells.total == 0:
        return verdict.from_name("no value sampled")
    if _flags(cells):
        return verdict.not_personal(0.8, "values are flags (0/1, true/false, yes/no)")
    if _free_text(cells):
        lookalikes = [d for d in installed.values if d.lookalike]
        for tally in score_cells(cells.distinct, cells.counts, lookalikes, PROBE, 30):
            if tally.fraction >= LOOKALIKE_FRACTION:
                return _lookalike(verdict, tally)
        return _classify_text(verdict, cells, installed, text)
    tallies = score_cells(cells.distinct, cells.counts, installed.values, PROBE, MAX_SCORED)
    return _combine(verdict, cells, tallies)


def _flags(cells: Cells) -> bool:
    return len(cells.counts) <= 3 and all(v.lower() in FLAG_VALUES for v in cells.counts)


def _free_text(cells: Cells) -> bool:
    head = cells.distinct[:50]
    long = sum(len(v) for v in head) / len(head) > FREE_TEXT_LENGTH
    return long and sum(" " in v for v in head) * 2 >= len(head)


@dataclass
class Verdict:
    """Builds the finding of one column: the name guess and the evidence gathered so far."""

    table: str
    column: str
    guess: NameGuess | None
    sampled: int
    evidence: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start the evidence with what the name said."""
        if self.guess is not None:
            self.evidence.append(self.guess.reason)

    @property
    def named(self) -> str | None:
        """The category the name suggests (None when it suggests none or says not personal)."""
        return self.guess.category if self.guess is not None else None

    def found(self, category: str, confidence: float, *why: str) -> ColumnFinding:
        """A personal-data finding."""
        identity = IDENTITIES.get(category)
        return self._finding(category, confidence, why, identity)

    def not_personal(self, confidence: float, *why: str) -> ColumnFinding:
        """A "not personal data" finding."""
        return self._finding(None, confidence, why, None)

    def from_name(self, why: str) -> ColumnFinding:
        """The name's verdict alone (no usable values)."""
        if self.guess is None:
            return self.not_personal(0.5, why)
        if self.guess.category is None:
            return self.not_personal(self.guess.confidence, why)
        return self.found(self.guess.category, self.guess.confidence * 0.8, why)

    def _finding(
        self,
        category: str | None,
        confidence: float,
        why: Sequence[str],
        identity: str | None,
        spans: tuple[Span, ...] = (),
    ) -> ColumnFinding:
        bounded = max(0.0, min(1.0, confidence))
        evidence = (*self.evidence, *why)
        return ColumnFinding(
            self.table, self.column, category, bounded, evidence, identity, self.sampled, spans
        )


def _combine(verdict: Verdict, cells: Cells, tallies: list[Tally]) -> ColumnFinding:
    named = verdict.named
    lookalike = next((t for t in tallies if t.lookalike), None)
    candidates = [t for t in tallies if not t.lookalike and t.hits]
    for tally in candidates:
        beyond_chance(tally)
        tally.plausible, tally.note = plausible(tally, cells, named)
    best = max((t for t in candidates if t.plausible), key=value_strength, default=None)
    agreeing = max(
        (t for t in candidates if named is not None and compatible(t.category, named)),
        key=value_strength,
        default=None,
    )
    if lookalike is not None and lookalike.fraction >= LOOKALIKE_FRACTION:
        personal = max(t.fraction for t in (best, agreeing, lookalike) if t is not None)
        if lookalike.fraction >= personal and not (best is not None and _strong(best)):
            return _lookalike(verdict, lookalike)
    if named is not None:
        return _with_name(verdict, named, agreeing, best, tallies, cells)
    if verdict.guess is not None:  # the name says: not personal data
        if best is not None and _strong(best):
            why = "the values are strong evidence despite the name"
            return verdict.found(best.category, _confidence(best) * 0.85, best.describe(), why)
        vetoed = [f"{t.describe()}: vetoed by the name" for t in candidates if t.fraction >= 0.3]
        return verdict.not_personal(verdict.guess.confidence, *vetoed[:1])
    if best is not None and _asserted(best):
        return verdict.found(best.category, _confidence(best), best.describe(), *best.notes())
    strength = value_strength(best) if best else 0.0
    notes = [f"{t.describe()}; {t.note}" for t in candidates if t.note][:1]
    return verdict.not_personal(max(0.4, 0.8 - strength), *notes or ["no detector recognises it"])


def _lookalike(verdict: Verdict, lookalike: Tally) -> ColumnFinding:
    named = verdict.named
    if named is not None and verdict.guess is not None and named.startswith(OPAQUE_VALUES):
        return verdict.found(named, verdict.guess.confidence, lookalike.describe())
    confidence = 0.5 + 0.45 * lookalike.fraction
    return verdict.not_personal(confidence, f"{lookalike.describe()}: not personal data")


def _with_name(
    verdict: Verdict,
    named: str,
    agreeing: Tally | None,
    best: Tally | None,
    tallies: list[Tally],
    cells: Cells,
) -> ColumnFinding:
    """The name suggests ``named``: values agree, contradict strongly, or say nothing."""
    name_confidence = verdict.guess.confidence if verdict.guess else 0.5
    contradicted = agreeing is None or agreeing.fraction < 0.5 or _outchecked(agreeing, best)
    if best is not None and _strong(best) and contradicted and not compatible(best.category, named):
        why = f"the values say otherwise than the name ({named})"
        evidence = (best.describe(), *best.notes(), why)
        return verdict.found(best.category, _confidence(best) * 0.9, *evidence)
    if agreeing is not None and agreeing.fraction >= 0.2:
        category = max(agreeing.category, named, key=len)
        combined = 1 - (1 - name_confidence) * (1 - _confidence(agreeing))
        return verdict.found(category, combined, agreeing.describe(), *agreeing.notes())
    if _short_numbers(cells):
        return verdict.not_personal(0.6, f"values are small numbers, not {named}")
    checked = [t for t in tallies if not t.lookalike and t.scored and compatible(t.category, named)]
    if checked and name_confidence >= UNAMBIGUOUS and _fitting_text(named, cells):
        if named.startswith("user.name") and _handles(cells):
            why = "the values are handles (lower case, no spaces): user names, not names"
            return verdict.found(USERNAME, name_confidence * FITTING, why)
        why = f"no detector recognises the values, but they are varied text as {named} is"
        return verdict.found(named, name_confidence * FITTING, why)
    if checked:
        why = f"no sampled value is recognised as {named}: the name alone says so"
        return verdict.found(named, name_confidence * 0.6, why)
    return verdict.found(named, name_confidence)


def _fitting_text(named: str, cells: Cells) -> bool:
    """Values of a free-form kind (an address, a name) that do not contradict the name.

    Most values have letters (an address also a space: words and a number), no value is
    longer than a line, they are varied and not codes (one length, no lower case).
    """
    if named not in FREE_FORM:
        return False
    values = cells.distinct[:MAX_SCORED]
    varied = len(values) >= 10 or len(values) * 2 >= cells.total
    if not varied or len({len(v) for v in values}) == 1:
        return False
    spaced = FREE_FORM[named]
    fitting = sum(_worded(value, spaced) for value in values)
    return fitting >= 0.8 * len(values)


def _handles(cells: Cells) -> bool:
    values = cells.distinct[:MAX_SCORED]
    return sum(_HANDLE.fullmatch(value) is not None for value in values) >= 0.8 * len(values)


def _worded(value: str, spaced: bool) -> bool:
    letters = sum(char.isalpha() for char in value)
    if letters < 3 or len(value) > 200 or not any(char.islower() for char in value):
        return False
    return letters * 2 >= len(value) and (" " in value or not spaced)


def _outchecked(agreeing: Tally, best: Tally | None) -> bool:
    """The best values pass check digits beyond chance, the agreeing ones fit a shape only."""
    if best is None or not best.checked or agreeing.checked:
        return False
    return agreeing.effective_score <= SHAPE_ONLY and value_strength(best) > value_strength(
        agreeing
    )


def _asserted(tally: Tally) -> bool:
    """Values alone decide: most are recognised, or half with validated confidence."""
    confident = tally.fraction >= 0.5 and tally.effective_score >= 0.7
    return confident or tally.fraction >= ASSERT_FRACTION


def _short_numbers(cells: Cells) -> bool:
    return all(len(v) <= 2 and v.lstrip("-").isdigit() for v in cells.counts)


def _strong(tally: Tally) -> bool:
    return tally.fraction >= STRONG_FRACTION and tally.effective_score >= STRONG_SCORE


def _confidence(tally: Tally) -> float:
    return min(0.98, 0.3 + 0.7 * value_strength(tally))


def _classify_text(
    verdict: Verdict, cells: Cells, installed: Installed, text: bool
) -> ColumnFinding:
    scanned: list[str] = []
    size = 0
    for value in cells.distinct:
        if size >= TEXT_SCAN_CHARS:
            break
        scanned.append(value)
        size += len(value) + 1
    joined = "\n".join(scanned)
    spans = find_spans(joined, installed)
    summary, with_spans = describe_spans(joined, scanned, spans)
    share = with_spans / len(scanned)
    kept = (per_value(spans, scanned), tuple(scanned)) if text else ((), ())
    named = verdict.named
    if named is not None:
        finding = verdict.found(named, verdict.guess.confidence if verdict.guess else 0.5, summary)
        return _with_spans(finding, kept)
    enough = with_spans >= 2 or (with_spans == 1 and len(scanned) < 10)
    negative = verdict.guess is not None
    if enough and share >= (0.5 if negative else 0.1):
        finding = verdict.found(CONTENT_CATEGORY, min(0.95, 0.55 + share * 0.5), summary)
        return _with_spans(finding, kept)
    return _with_spans(verdict.not_personal(0.7 - min(share, 0.3), summary), kept)


def _with_spans(
    finding: ColumnFinding, kept: tuple[tuple[Span, ...], tuple[str, ...]]
) -> ColumnFinding:
    spans, texts = kept
    if not spans:
        return finding
    return ColumnFinding(
        finding.table,
        finding.column,
        finding.category,
        finding.confidence,
        finding.evidence,
        finding.identity,
        finding.sampled,
        spans,
        texts,
    )
