"""`tutela moderate FILE.jsonl`: hold or allow community posts (seed §9, GDPR Art. 9).

Reads one post per line, ``{"id", "text", "lang"}`` (``lang`` optional), and prints one
verdict per post: in JSON ``{"id", "hold", "classes", "spans"}`` per line, or a readable
listing. ``FILE`` ``-`` reads standard input. A bad line (not UTF-8, not JSON, not an
object, ``id`` or ``text`` missing or of the wrong type, ``text`` over
:data:`~tutela.discovery.moderation.MAX_TEXT` characters) is reported on stderr with
its line number and skipped; the other posts are still judged, and the command exits 1.
A ``lang`` other than en, fr, nl or de is guessed from the text, and said on stderr.
Exit 0: every line was judged; 1: a line was bad; 2: the file cannot be read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Literal

import typer

from tutela.cli.errors import user_errors

if TYPE_CHECKING:
    from tutela.discovery.moderation import Verdict

MAX_LINE_BYTES = 400_000
"""The longest line read, in bytes (a post's text is capped at 100,000 characters)."""

MAX_REPORTED = 20
"""Bad lines reported one by one on stderr; the rest are counted."""

FileArg = Annotated[
    str, typer.Argument(metavar="FILE", help="Posts as JSON lines ({id, text, lang}); - for stdin.")
]
FormatOpt = Annotated[
    Literal["json", "text"],
    typer.Option("--format", "-f", help="json: one verdict object per line; text: a listing."),
]


class BadLine(Exception):
    """A line that is not a post; the message says what to fix."""


def moderate_command(file: FileArg, output_format: FormatOpt = "json") -> None:
    """Hold or allow each post of FILE: Art. 9 data or contact data about other people."""
    from tutela.discovery.moderation import moderate

    bad = 0
    with _open(file) as stream:
        for number, raw in enumerate(_lines(stream), start=1):
            if not raw.strip():
                continue  # a blank line is no post
            try:
                post_id, text, lang = _post(raw, number)
            except BadLine as error:
                bad += 1
                if bad <= MAX_REPORTED:
                    sys.stderr.write(f"line {number}: {error}\n")
                continue
            verdict = moderate(text, lang)
            if lang is not None and verdict.lang != _base(lang):
                sys.stderr.write(
                    f"line {number}: lang {lang[:20]!r} has no lexicon: read as {verdict.lang}\n"
                )
            _print(verdict, post_id, text, output_format)
    if bad:
        if bad > MAX_REPORTED:
            sys.stderr.write(f"... and {bad - MAX_REPORTED} more bad lines\n")
        sys.stderr.write(f"{bad} line(s) skipped: fix them and run again\n")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add ``moderate`` to ``app``."""
    app.command("moderate")(user_errors(moderate_command))


def _open(file: str) -> IO[bytes]:
    if file == "-":
        return sys.stdin.buffer
    path = Path(file)
    try:
        return path.open("rb")
    except IsADirectoryError:
        raise typer.BadParameter(f"{file[:80]!r} is a folder: give a JSON-lines file") from None
    except OSError as error:
        reason = (error.strerror or "cannot be read").lower()
        raise typer.BadParameter(f"{file[:80]!r}: {reason}") from None


def _lines(stream: IO[bytes]) -> Iterator[bytes]:
    """The lines of ``stream``, each cut at :data:`MAX_LINE_BYTES` (the rest is skipped)."""
    while True:
        line = stream.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := stream.readline(MAX_LINE_BYTES)) and not rest.endswith(b"\n"):
                pass
            yield b"\x00too-long"
            continue
        yield line


def _post(raw: bytes, number: int) -> tuple[object, str, str | None]:
    """``(id, text, lang)`` of one line; BadLine saying what is wrong."""
    from tutela.discovery.moderation import MAX_TEXT

    if raw == b"\x00too-long":
        raise BadLine(f"longer than {MAX_LINE_BYTES:,} bytes: split the post")
    try:
        line = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise BadLine("not UTF-8: re-encode the file as UTF-8") from None
    try:
        post = json.loads(line)
    except ValueError:
        raise BadLine('not JSON: each line is an object {"id", "text", "lang"}') from None
    if not isinstance(post, dict):
        raise BadLine(f'a JSON {type(post).__name__}, not an object {{"id", "text", "lang"}}')
    if "id" not in post:
        raise BadLine('no "id": give each post an id, to match verdicts to posts')
    text, lang = post.get("text"), post.get("lang")
    if not isinstance(text, str):
        raise BadLine('"text" is missing or not a string')
    if len(text) > MAX_TEXT:
        raise BadLine(f'"text" is longer than {MAX_TEXT:,} characters: split the post')
    if lang is not None and not isinstance(lang, str):
        raise BadLine('"lang" is not a string: use en, fr, nl or de, or leave it out')
    return post["id"], text, lang


def _print(verdict: Verdict, post_id: object, text: str, output_format: str) -> None:
    if output_format == "json":
        typer.echo(json.dumps(verdict.as_json(post_id), ensure_ascii=False))
        return
    decision = "HOLD " if verdict.hold else "allow"
    classes = ", ".join(verdict.classes) or "-"
    typer.echo(f"{decision} {str(post_id)[:40]:<12} [{verdict.lang}] {classes}")
    for span in verdict.spans:
        typer.echo(f"      {span.kind}: {text[span.start : span.end][:80]!r} at {span.start}")


def _base(lang: str) -> str:
    return lang.strip().lower().replace("_", "-").split("-", 1)[0]
