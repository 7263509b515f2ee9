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
matches are the same, found sooner. :func:`word_led` tells whether every match of
an expression starts with a word character (``\w``), so a scan may start at word
characters only. Both read the expression's source and answer None or False when
unsure: the caller keeps the plain form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_SPECIAL = frozenset(".^$*+?{}[]\\|()")
_QUANTIFIER = re.compile(r"\+|\*|\?|\{(\d+)\}|\{(\d*),(\d*)\}")
_ESCAPE_ATOMS = frozenset("dDwWsS") | frozenset(".^$*+?{}[]\\|()-/#&~ ")
_WORD_CLASS = re.compile(r"(?:\\d|\\w|[0-9A-Za-z_](?:-[0-9A-Za-z_])?)+")
_DIGIT_CLASS = re.compile(r"(?:\\d|[0-9](?:-[0-9])?)+")
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


def _word_atom(atom: str, digits: bool) -> bool:
    if atom in ("\\d", "\\w"):
        return atom == "\\d" or not digits
    if atom.startswith("["):
        body = _WORD_CLASS.fullmatch(atom[1:-1]) if not atom.startswith("[^") else None
        return body is not None and (not digits or _DIGIT_CLASS.fullmatch(atom[1:-1]) is not None)
    return len(atom) == 1 and (atom.isdigit() if digits else atom.isalnum() or atom == "_")


def word_led(regex: str, *, digits: bool = False) -> bool:
    r"""Whether every match of ``regex`` starts with a word character (False: unsure).

    With ``digits``: with an ASCII digit or ``\d`` (a decimal digit).
    """
    if not regex or _top_level_branch(regex):
        return False
    if regex.startswith("(?:"):
        end = _group_end(regex, 0)
        branches = _split_branches(regex[3 : end - 1]) if end else None
        if end is None or branches is None:
            return False
        if not all(word_led(branch, digits=digits) for branch in branches):
            return False
        quantifier = _QUANTIFIER.match(regex, end)
        optional = quantifier is not None and quantifier.group(0) in ("?", "*")
        optional = optional or (quantifier is not None and quantifier.group(2) in ("", "0"))
        rest = regex[quantifier.end() if quantifier else end :]
        return not optional or word_led(rest, digits=digits)
    atom = _atom(regex, 0)
    if atom is None or not _word_atom(atom, digits):
        return False
    quantifier = _QUANTIFIER.match(regex, len(atom))
    if quantifier is None or quantifier.group(0) == "+":
        return True
    exact, low, _ = quantifier.groups()
    if (exact is not None and int(exact) >= 1) or (low and int(low) >= 1):
        return True
    return word_led(regex[quantifier.end() :].lstrip("?+"), digits=digits)


_SEPARATOR_CHARS = frozenset(" .-/")
LEADING_GUARD = r"\d(?:[ .\-/]?\d){{{}}}"
"""A look-ahead every match of a pattern with ``count + 1`` leading digits passes (format)."""


def leading_digits(regex: str) -> int:
    r"""How many digits every match of ``regex`` starts with, one separator allowed between.

    Counts digits (``\d``, ``[0-9]``, ``7``, repeated at least ``n`` times) read from the
    start of the parsed expression, where a single optional or single space, dot, dash
    or slash may stand between two; stops at anything else (a group, a letter). So every
    match starts with a match of ``LEADING_GUARD.format(count - 1)``. 0 when unsure.
    """
    parser, constants = getattr(re, "_parser", None), getattr(re, "_constants", None)
    if parser is None or constants is None:  # pragma: no cover - the parser moved
        return 0
    count, separated = 0, False
    for op, value in parser.parse(regex):
        lowest, highest, item = 1, 1, (op, value)
        if op is constants.MAX_REPEAT and len(value[2]) == 1:
            lowest, highest, item = value[0], value[1], value[2][0]
        kind = _lead_kind(item, constants)
        if kind == "digit":
            count, separated = count + lowest, separated and lowest == 0
        elif kind == "separator" and highest == 1 and not separated:
            separated = True
        else:
            break
    return count


def _lead_kind(item: tuple[Any, Any], constants: Any) -> str:
    r"""``digit`` when ``item`` matches decimal digits only, ``separator`` for ``[ .\-/]``."""
    op, value = item
    members = [item] if op is constants.LITERAL else list(value) if op is constants.IN else []
    chars: set[str] = set()
    for kind, member in members:
        digit_range = kind is constants.RANGE and 48 <= member[0] <= member[1] <= 57
        if kind is constants.LITERAL:
            chars.add(chr(member))
        elif digit_range or (kind is constants.CATEGORY and member is constants.CATEGORY_DIGIT):
            chars.add("0")
        else:
            return ""
    if chars and all(char.isdigit() and char.isascii() for char in chars):
        return "digit"
    return "separator" if chars and chars <= _SEPARATOR_CHARS else ""
