r"""One scan that finds where any national-id pattern may start, and which patterns to try there.

Several national schemes search a text together (:class:`~.national_id.NationalIdFamily`):
trying each of their patterns at every position would read the text once per pattern.
Instead one compiled scan (:class:`StartScan`, built by :func:`start_scan`) finds the
positions where some pattern may match and names the patterns that can match there;
only those are tried again. It is built from the patterns' own expressions, as the
standard parser (``re._parser``) reads them:

- A match follows a character outside :data:`~tutela.discovery.models.BEFORE_MATCH` (or
  starts the text): the scan consumes that character, tested by table lookup
  (:data:`_MAY_PRECEDE`), so the engine skips ahead to such characters (its charset fast
  path), then looks ahead.
- :func:`leading_runs` reads the lengths the digit run starting a match can have. The
  scan walks the digit run at a position once (``\d(?:…|\d(?:…))``, :func:`_chain`)
  and, where the run ends, tries only the patterns whose matches can start with a run of
  that length.
- :func:`uncased` writes each pattern without IGNORECASE, matching at least what it
  matched: a case-insensitive class slows a scan, as the engine lowers each character
  before testing it.

The scan is wider than the patterns, never narrower: every position where a pattern
matches is found (and a few more), and no pattern it leaves out at a position could
match there. Where a reader is unsure (an item it does not read, ASCII or locale rules),
the pattern is tried wherever a match may start.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from tutela.discovery.models import BEFORE_MATCH, Pattern

RUN_CAP = 64
"""Leading digit runs are told apart up to this length (a longer one counts as this long)."""

_States = frozenset[tuple[int, bool]]
"""Where a match can stand after some of its items: the digits of its leading run, and
whether that run has ended."""


def leading_runs(regex: str, flags: int = 0) -> frozenset[int] | None:
    r"""The lengths the digit run (``\d*``) starting a match of ``regex`` in a text can have.

    Read from the parsed expression: a one-character item matches only digits, never a
    digit, or either; repeats, groups and alternatives combine those. A negative
    look-ahead with a one-class alternative holding every digit (the bounded form's
    ``(?![\w@\-]|\.\w)``) ends the run; other look-arounds only narrow the matches and
    are passed over. None when unsure (an item not read, a run that may go on past the
    match, ASCII or locale rules), and the caller tries the pattern wherever one may start.
    """
    parser, constants = getattr(re, "_parser", None), getattr(re, "_constants", None)
    if parser is None or constants is None or flags & (re.ASCII | re.LOCALE):
        return None  # pragma: no cover - the parser moved, or digits are not Unicode's
    reader = _RunReader(constants)
    states = reader.after(frozenset({(0, False)}), parser.parse(regex, flags))
    if states is None or not all(ended for _, ended in states):
        return None
    return frozenset(run for run, _ in states)


@dataclass(frozen=True)
class _RunReader:
    """Follows the leading digit run through a parsed expression (see :func:`leading_runs`)."""

    sre: Any
    """The standard library's ``re._constants``: the parser's item codes."""

    def after(self, states: _States, items: Iterable[tuple[Any, Any]]) -> _States | None:
        """The states after ``items`` in sequence, from any of ``states``."""
        for op, value in items:
            next_states = self._item(states, op, value)
            if next_states is None:
                return None
            states = next_states
        return states

    def _item(self, states: _States, op: Any, value: Any) -> _States | None:
        sre = self.sre
        kind = self._kind(op, value)
        if kind is not None:
            return frozenset(after for state in states for after in _advanced(state, kind))
        if op is sre.SUBPATTERN:
            return None if value[1] & (re.ASCII | re.LOCALE) else self.after(states, value[3])
        if op is sre.ATOMIC_GROUP:
            return self.after(states, value)
        if op is sre.BRANCH:
            return self._either(states, value[1])
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            return self._repeated(states, *value)
        if op is sre.ASSERT_NOT and value[0] == 1 and self._holds_a_digit(value[1]):
            return frozenset((run, True) for run, _ in states)
        return states if op in (sre.ASSERT, sre.ASSERT_NOT) else None

    def _either(self, states: _States, branches: Iterable[Any]) -> _States | None:
        found: set[tuple[int, bool]] = set()
        for branch in branches:
            after = self.after(states, branch)
            if after is None:
                return None
            found |= after
        return frozenset(found)

    def _repeated(self, states: _States, low: int, high: int, items: Any) -> _States | None:
        """``items`` taken ``low`` to ``high`` times (until no new state turns up)."""
        for _ in range(low):
            after = self.after(states, items)
            if after is None:
                return None
            states = after
        seen, taken = states, low
        while taken < high:
            after = self.after(states, items)
            if after is None:
                return None
            if after <= seen:
                break
            seen, states, taken = seen | after, after, taken + 1
        return seen

    def _kind(self, op: Any, value: Any) -> str | None:
        """``digit``, ``other`` or ``either`` for a one-character item; None for any other."""
        sre = self.sre
        if op is sre.LITERAL:
            return "digit" if chr(value).isdecimal() else "other"
        if op is sre.CATEGORY:
            return self._category(value)
        if op is sre.IN:
            kinds = {self._member(kind, member) for kind, member in value}
            return kinds.pop() if len(kinds) == 1 else "either"
        return "either" if op in (sre.ANY, sre.NOT_LITERAL) else None

    def _member(self, kind: Any, member: Any) -> str:
        """What one member of a class matches (a negated class: either)."""
        sre = self.sre
        if kind is sre.LITERAL:
            return "digit" if chr(member).isdecimal() else "other"
        if kind is sre.CATEGORY:
            return self._category(member)
        if kind is sre.RANGE and member[1] - member[0] < 1 << 12:
            digits = {chr(code).isdecimal() for code in range(member[0], member[1] + 1)}
            return "either" if len(digits) > 1 else "digit" if True in digits else "other"
        return "either"

    def _category(self, category: Any) -> str:
        sre = self.sre
        if category is sre.CATEGORY_DIGIT:
            return "digit"
        others = (sre.CATEGORY_NOT_DIGIT, sre.CATEGORY_SPACE, sre.CATEGORY_NOT_WORD)
        return "other" if category in others else "either"

    def _holds_a_digit(self, items: Any) -> bool:
        """Whether some alternative of ``items`` is one class matching every digit."""
        sre = self.sre
        first = list(items)
        branches = first[0][1][1] if len(first) == 1 and first[0][0] is sre.BRANCH else [first]
        every_digit = {sre.CATEGORY_DIGIT, sre.CATEGORY_WORD}
        for branch in branches:
            sequence = list(branch)
            if len(sequence) != 1:
                continue
            op, value = sequence[0]
            members = value if op is sre.IN else [(op, value)]
            if any(kind is sre.NEGATE for kind, _ in members):
                continue
            if any(kind is sre.CATEGORY and item in every_digit for kind, item in members):
                return True
        return False


def _advanced(state: tuple[int, bool], kind: str) -> Iterator[tuple[int, bool]]:
    """The states after one character of ``kind`` (digit, other, either)."""
    run, ended = state
    if ended:
        yield state
        return
    if kind != "other":
        yield min(run + 1, RUN_CAP), False
    if kind != "digit":
        yield run, True


def _ascii_or_other(accepts: Callable[[str], bool]) -> str:
    """A class of the ASCII characters ``accepts`` takes, and of every non-ASCII character.

    Written as the negated class of the ASCII characters it refuses: characters only, which
    the engine tests by table lookup (as the first item of an expression, it lets a scan
    skip ahead fast: its charset fast path), and compiles at once (a class with a range
    past ASCII makes the compiler map 65,536 characters).
    """
    refused = "".join(f"\\x{code:02x}" for code in range(128) if not accepts(chr(code)))
    return f"[^{refused}]" if refused else r"[\s\S]"


_MAY_PRECEDE = _ascii_or_other(lambda char: re.match(BEFORE_MATCH, char) is None)
"""A character a match may follow, or a non-ASCII one (a scan prefix, tested by table lookup).

A non-ASCII word character before a number makes a needless stop, no more: the patterns'
own look-behind still holds.
"""

_INLINE_FLAGS = {re.IGNORECASE: "i", re.MULTILINE: "m", re.DOTALL: "s", re.VERBOSE: "x"}


def _flagged(regex: str, flags: int) -> str | None:
    """``regex`` in a group setting its ``flags`` (None: flags a group cannot set)."""
    flags &= ~re.UNICODE
    letters = "".join(letter for flag, letter in _INLINE_FLAGS.items() if flags & flag)
    if flags & ~sum(_INLINE_FLAGS):
        return None
    return f"(?{letters}:{regex})" if letters else f"(?:{regex})"


def uncased(regex: str, flags: int = re.IGNORECASE) -> str | None:
    r"""``regex`` written without IGNORECASE, matching at least what it matched (None: unsure).

    A case-insensitive class slows a scan: the engine lowers each character before
    testing it. Each one-character item that case can matter to becomes the class of
    the ASCII characters it matches (under ``flags``) and of every non-ASCII character
    (:func:`_ascii_or_other`); look-arounds and anchors are left out (they only narrow
    the matches); groups lose their names. For a scan's first, wider test only: the
    pattern itself confirms what it finds.
    """
    parser, constants = getattr(re, "_parser", None), getattr(re, "_constants", None)
    if parser is None or constants is None or flags & (re.ASCII | re.LOCALE | re.DEBUG):
        return None  # pragma: no cover - the parser moved, or rules this writer does not know
    body = _Writer(constants, flags).items(parser.parse(regex, flags))
    if body is None:
        return None
    return f"(?s:{body})" if flags & re.DOTALL else f"(?:{body})"


@dataclass(frozen=True)
class _Writer:
    """Writes a parsed expression back as text, case-insensitive items widened (:func:`uncased`)."""

    sre: Any
    """The standard library's ``re._constants``: the parser's item codes."""
    flags: int
    """The flags the expression was parsed with."""

    def items(self, items: Iterable[tuple[Any, Any]]) -> str | None:
        """The text of ``items`` in sequence."""
        parts = [self._item(op, value) for op, value in items]
        return None if None in parts else "".join(part or "" for part in parts)

    def _item(self, op: Any, value: Any) -> str | None:
        sre = self.sre
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, items = value
            body = self.items(items)
            most = "" if high == sre.MAXREPEAT else high
            kind = "?" if op is sre.MIN_REPEAT else "+" if op is sre.POSSESSIVE_REPEAT else ""
            return None if body is None else f"(?:{body}){{{low},{most}}}{kind}"
        if op is sre.SUBPATTERN:
            body = None if value[1] or value[2] else self.items(value[3])  # no scoped flags
            return None if body is None else f"(?:{body})"
        if op is sre.BRANCH:
            bodies = [self.items(branch) for branch in value[1]]
            return None if None in bodies else f"(?:{'|'.join(body or '' for body in bodies)})"
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            return ""
        return self._character(op, value)

    def _character(self, op: Any, value: Any) -> str | None:
        """A one-character item: as it was when case cannot matter to it, else widened."""
        sre = self.sre
        if op is sre.ANY:
            return "."
        if op not in (sre.LITERAL, sre.NOT_LITERAL, sre.IN, sre.CATEGORY):
            return None
        members = value if op is sre.IN else [(sre.LITERAL if op is sre.NOT_LITERAL else op, value)]
        written = [self._member(kind, member) for kind, member in members]
        if None in written:
            return None
        negated = "^" if op is sre.NOT_LITERAL else ""
        text = f"[{negated}{''.join(part or '' for part in written)}]"
        if not self.flags & re.IGNORECASE or all(self._caseless(*member) for member in members):
            return text
        matches = re.compile(text, self.flags).fullmatch
        return _ascii_or_other(lambda char: matches(char) is not None)

    def _member(self, kind: Any, member: Any) -> str | None:
        sre = self.sre
        if kind is sre.LITERAL:
            return _escaped(member)
        if kind is sre.RANGE:
            return f"{_escaped(member[0])}-{_escaped(member[1])}"
        if kind is sre.NEGATE:
            return "^"
        categories = {
            sre.CATEGORY_DIGIT: r"\d",
            sre.CATEGORY_NOT_DIGIT: r"\D",
            sre.CATEGORY_SPACE: r"\s",
            sre.CATEGORY_NOT_SPACE: r"\S",
            sre.CATEGORY_WORD: r"\w",
            sre.CATEGORY_NOT_WORD: r"\W",
        }
        return categories.get(member) if kind is sre.CATEGORY else None

    def _caseless(self, kind: Any, member: Any) -> bool:
        """Whether case cannot matter to a class member: a category, ASCII other than letters."""
        sre = self.sre
        if kind in (sre.CATEGORY, sre.NEGATE):
            return True
        low, high = member if kind is sre.RANGE else (member, member)
        return high < 128 and not any(chr(code).isalpha() for code in range(low, high + 1))


def _escaped(code: int) -> str:
    """The escape of one character, safe anywhere in an expression (and in a class)."""
    return f"\\x{code:02x}" if code < 256 else f"\\U{code:08x}"


class StartScan(NamedTuple):
    r"""One scan for where a family's patterns match, and which of them to try there.

    A match follows a character outside :data:`BEFORE_MATCH` (or starts the text): the
    scan consumes that character, so the engine skips ahead to such characters (its
    charset fast path), then looks ahead. It walks the digit run starting there once
    (``\d(?:…|\d(?:…))``) and, where the run ends, tries only the patterns whose matches
    can start with a run of that length (:func:`leading_runs`), then names that length
    in an empty group. Patterns whose runs are not known are tried wherever a match may
    start. The patterns are tried there as :func:`uncased` writes them, wider than they
    are: so every position where a pattern matches is found (and a few more), and its
    group names the patterns that can match there, in order; no other can.
    """

    scan: re.Pattern[str]
    """The preceding character, then the look-ahead."""
    first: re.Pattern[str]
    """The look-ahead alone, for the start of the text (no character precedes it)."""
    tried: dict[str | None, tuple[int, ...]]
    """The indexes of the patterns to try, in order, by the group a found position sets."""


def start_scan(patterns: Sequence[Pattern]) -> StartScan:
    """The :class:`StartScan` of ``patterns``.

    Each pattern is tried in the look-ahead as :func:`uncased` writes it. One the writer
    cannot read, or whose leading runs are not known, is tried wherever a match may
    start, once: as written, in a group setting its flags (or as an empty look-ahead, a
    match everywhere, when a group cannot set them).
    """
    leaves = [uncased(pattern.regex, pattern.flags) for pattern in patterns]
    runs = [
        leading_runs(pattern.bounded.pattern, pattern.bounded.flags) if leaf else None
        for pattern, leaf in zip(patterns, leaves, strict=True)
    ]
    by_run, always = _by_run(runs)
    for index in always:
        pattern = patterns[index]
        leaves[index] = leaves[index] or _flagged(pattern.regex, pattern.flags) or ""
    tried: dict[str | None, tuple[int, ...]] = {"_any": always}
    for run, indexes in by_run.items():
        tried[f"_run{run}"] = tuple(sorted({*indexes, *always}))
    ahead = _look_ahead([leaf or "" for leaf in leaves], by_run, always)
    return StartScan(re.compile(_MAY_PRECEDE + ahead), re.compile(ahead), tried)


def _by_run(
    runs: Sequence[frozenset[int] | None],
) -> tuple[dict[int, list[int]], tuple[int, ...]]:
    """The indexes of the patterns by leading run length, and those to try at any run."""
    always = tuple(index for index, found in enumerate(runs) if found is None or RUN_CAP in found)
    by_run: dict[int, list[int]] = {}
    for index, found in enumerate(runs):
        for run in () if index in always else found or ():
            by_run.setdefault(run, []).append(index)
    return by_run, always


def _look_ahead(leaves: list[str], by_run: dict[int, list[int]], always: Sequence[int]) -> str:
    """The scan's look-ahead: the digit-run walk, then the patterns led by something else."""

    def either(indexes: Iterable[int]) -> str:
        return "|".join(leaves[index] for index in indexes)

    looks = [_chain({run: either(indexes) for run, indexes in by_run.items() if run})]
    if 0 in by_run:
        looks.append(rf"(?!\d)(?={either(by_run[0])})(?P<_run0>)")
    if always:
        looks.append(rf"(?={either(always)})(?P<_any>)")
    return f"(?={'|'.join(look for look in looks if look)})"


def _chain(leaves: dict[int, str]) -> str:
    r"""``\d(?:L1|\d(?:L2|…))``: where a run has ``n`` digits, try ``leaves[n]`` at its start."""
    chain = ""
    for run in range(max(leaves, default=0), 0, -1):
        ends_here = (
            rf"(?!\d)(?<=(?={leaves[run]})\d{{{run}}})(?P<_run{run}>)" if run in leaves else ""
        )
        either = "|".join(part for part in (ends_here, chain) if part)
        chain = rf"\d(?:{either})"
    return chain
