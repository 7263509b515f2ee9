"""E-mail addresses and web addresses in the statement's text, made into links.

A reader should reach the controller, the authority or a recipient's own statement in
one click (GDPR Art. 12(1) "easily accessible", 12(2) facilitating the exercise of
rights; WP260 ¶11): every e-mail address becomes a ``mailto:`` link and every web
address an ``https`` (or ``http``) link, in Markdown and in HTML alike.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

_FOUND = re.compile(
    r"(?P<url>https?://[^\s<>()\"'\[\]]+)"
    r"|(?P<www>\bwww\.[a-z0-9-]+(?:\.[a-z0-9-]+)+(?:/[^\s<>()\"'\[\]]*)?)"
    r"|(?P<email>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?"


def segments(text: str) -> list[tuple[str, str | None]]:
    """``text`` cut into pieces, each with the link target it shows (None for plain text)."""
    pieces: list[tuple[str, str | None]] = []
    start = 0
    for match in _FOUND.finditer(text):
        shown = match.group(0).rstrip(_TRAILING)
        end = match.start() + len(shown)
        if match.start() > start:
            pieces.append((text[start : match.start()], None))
        pieces.append((shown, _target(match, shown)))
        start = end
    if start < len(text):
        pieces.append((text[start:], None))
    return pieces


def _target(match: re.Match[str], shown: str) -> str:
    if match.group("email"):
        return f"mailto:{shown}"
    if match.group("www"):
        return f"https://{shown}"
    return shown


def markdown(text: str) -> str:
    """``text`` with each address as a Markdown link ``[shown](target)``."""
    return "".join(
        piece if target is None else f"[{piece}]({target})" for piece, target in segments(text)
    )


def html(text: str) -> Markup:
    """``text`` escaped for HTML, with each address as an ``<a href>`` link."""
    parts = []
    for piece, target in segments(text):
        if target is None:
            parts.append(str(escape(piece)))
        else:
            parts.append(f'<a href="{escape(target)}">{escape(piece)}</a>')
    return Markup("".join(parts))
