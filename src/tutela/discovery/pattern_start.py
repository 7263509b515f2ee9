r"""Where a pattern can start, read from its source: so a text scan jumps to likely characters.

Python's ``re`` scans a text fast when an expression starts with a literal or a
character class: it skips ahead to the characters that can start a match (the
engine's "literal prefix" and "charset" fast paths). An expression that starts with a
look-behind (``(?<![\w@.\-+])…``, how :attr:`~tutela.discovery.models.Pattern.bounded`
keeps a match from starting inside a word) gets neither, and the look-behind is
tried at every position of the text.

:func:`consume_first` moves such a look-behind after the first character: ``X(?<!B…)``
where ``X`` is the expression's first single-character atom, and the look-behind
checks the character before ``X`` (one wider, with ``[\s\S]`` for ``X``). The
matches are the same, found sooner. It reads the expression's source and answers None
when unsure: the caller keeps the plain form.

:func:`word_tree` writes a list of words as a tree of their letters, for the same reason:
where a word may start, the engine follows one branch a letter instead of trying every
word of an alternation in turn.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

_SPECIAL = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIER = re.compile(r"\+|\*|\?|\{(\d+)\}|\{(\d*),(\d*)\}")
_ESCAPE_ATOMS = frozenset("dDwWsS") | frozenset(".^$*+?{}[]\\|()-/#&~ ")
_CLASS_END = re.compile(r"\[\^?\]?(?:\\.|[^\]\\])*\]")


def _atom(regex: str, at: int) -> str | None:
    """The single-character atom of ``regex`` at ``at`` (escape, class, character), or None."""
    if at >= len(regex):
        return None
    char = regex[at]
    if char == "\\":
        escaped = regex[at + 1 : at + 2]
        return regex[at : at + 2] if escaped and escaped in _ESCAPE_ATOMS else None
    if char == "[":
        found = _CLASS_END.match(regex, at)
        return found.group(0) if found else None
    return None if char in _SPECIAL else char


def _walk(regex: str, at: int = 0) -> Iterator[tuple[int, str, int | None]]:
    """Each character of ``regex`` from ``at`` outside escapes and classes, with its depth.

    The depth is the group depth after the character; an unterminated class ends the walk
    with depth None.
    """
    depth = 0
    while at < len(regex):
        char = regex[at]
        if char == "\\":
            at += 2
            continue
        if char == "[":
            found = _CLASS_END.match(regex, at)
            if found is None:
                yield at, char, None
                return
            at = found.end()
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        yield at, char, depth
        at += 1


def _top_level_branch(regex: str) -> bool:
    """Whether ``regex`` has a ``|`` outside every group and class (or is not understood)."""
    depth: int | None = 0
    for _, char, depth in _walk(regex):
        if depth is None or (char == "|" and depth == 0):
            return True
    return depth != 0


def consume_first(regex: str, behind: str) -> str | None:
    r"""``(?<!behind)regex`` rewritten to match its first character before the look-behind.

    ``behind`` is a one-character class (``[\w@.\-+]``). None when the first atom is
    not a single character taken at least once (nor, in a leading group taken once,
    the first of each alternative), or ``regex`` has a top-level ``|``.
    """
    if _top_level_branch(regex):
        return None
    if regex.startswith("(?:"):
        return _consume_first_in_group(regex, behind)
    atom = _atom(regex, 0)
    if atom is None:
        return None
    after = regex[len(atom) :]
    check = f"{atom}(?<!{behind}[\\s\\S])"
    quantifier = _QUANTIFIER.match(after)
    if quantifier is None:
        return check + after
    rest = after[quantifier.end() :]
    if rest[:1] in ("?", "+"):
        return None  # lazy or possessive: leave it alone
    text = quantifier.group(0)
    if text == "+":
        return f"{check}{atom}*{rest}"
    exact, low, high = quantifier.groups()
    if exact is not None and int(exact) >= 1:
        return f"{check}{atom}{{{int(exact) - 1}}}{rest}"
    if low and int(low) >= 1:
        upper = str(int(high) - 1) if high else ""
        return f"{check}{atom}{{{int(low) - 1},{upper}}}{rest}"
    return None


def _consume_first_in_group(regex: str, behind: str) -> str | None:
    """``(?:a|b)rest`` with the look-behind after the first character of each alternative.

    Only for a group taken exactly once whose every alternative can be rewritten.
    """
    end = _group_end(regex, 0)
    branches = _split_branches(regex[3 : end - 1]) if end else None
    if end is None or branches is None or regex[end : end + 1] in ("?", "*", "+", "{"):
        return None
    rewritten = [consume_first(branch, behind) for branch in branches]
    if any(branch is None for branch in rewritten):
        return None
    return "(?:" + "|".join(branch or "" for branch in rewritten) + ")" + regex[end:]


def _group_end(regex: str, at: int) -> int | None:
    """The index after the ``)`` closing the group opened at ``at``; None if unbalanced."""
    for index, _, depth in _walk(regex, at):
        if depth is None:
            return None
        if depth == 0:
            return index + 1
    return None


def _split_branches(body: str) -> list[str] | None:
    """The top-level alternatives of a group's body."""
    branches, start = [], 0
    for index, char, depth in _walk(body):
        if depth is None:
            return None
        if char == "|" and depth == 0:
            branches.append(body[start:index])
            start = index + 1
    return [*branches, body[start:]]


def word_tree(words: Iterable[str]) -> str:
    """An expression matching exactly ``words``, as a tree of their letters.

    ``phone|portable|tel|telefon`` becomes ``(?:p(?:hone|ortable)|tel(?:efon)?)``: where a
    word starts, the engine follows one branch a letter instead of trying every word.
    Where several words match, the longest is taken first (then, backtracking, the next
    longest), as by an alternation of the words longest first.
    """
    rests: dict[str, list[str]] = {}
    for word in words:
        rests.setdefault(word[:1], []).append(word[1:])
    ends = "" in rests
    branches = [re.escape(first) + word_tree(rests[first]) for first in sorted(rests) if first]
    if not branches:
        return ""
    if len(branches) == 1 and not ends:
        return branches[0]
    return f"(?:{'|'.join(branches)})" + ("?" if ends else "")
