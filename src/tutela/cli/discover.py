"""`tutela discover`: personal data nobody declared, in a database or in text documents.

One command, two forms (docs/discovery.md, sections ``discover`` and ``text``):

- ``tutela discover DB_URL``: samples every table, classifies every column and
  prints a dataset block (YAML, each category with its confidence and evidence)
  or, with ``--format json``, one JSON array of records ``{table, column,
  category, confidence, evidence, identity, sampled}``, one per column;
- ``tutela discover text FILE``: finds spans of personal data in a JSONL of
  documents ``{"id", "text"}`` (or one plain ``.txt`` document) and prints one
  line per document ``{"id", "spans": [...]}``.

The detectors are imported only when the command runs, never for ``--help``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from tutela.cli.context import application
from tutela.cli.errors import user_errors
from tutela.errors import ConfigurationError, ConnectorError, RequestError

if TYPE_CHECKING:
    from tutela.connectors.sql import SqlConnector
    from tutela.discovery.models import Span
    from tutela.discovery.service import Discovery

MAX_DOCUMENT = 2**20
"""Bytes at most per document (one JSONL line, or a whole ``.txt`` file)."""

BATCH_CHARACTERS = 2**20
"""Characters of documents searched together (:func:`~tutela.discovery.text.find_spans_many`)."""

PLAIN_TEXT = (".txt", ".text", ".md")
"""File suffixes read as one plain-text document; anything else is read as JSONL."""

DATABASE_FORMATS = ("yaml", "json")
TEXT_FORMATS = ("json", "text")

HEADER = (
    "# This is a dataset block: paste it as an item of the `datasets:` list of the system",
    "# that holds this database. Review every line: `# discovered: 0.97, ...` gives the",
    "# confidence (0 to 1) and the evidence, from a random sample of the values and the",
    "# column's name. Columns without a category were found not to hold personal data.",
    "# Keys (primary and foreign) carry no category, so no erasure masks them.",
)


def register(app: typer.Typer) -> None:
    """Add the ``discover`` command to ``app``."""
    app.command("discover")(discover)


@user_errors
def discover(
    context: typer.Context,
    target: Annotated[
        str | None,
        typer.Argument(
            metavar="DB_URL",
            help="Database URL (better: --url-env), or the word `text` followed by FILE.",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Argument(
            metavar="FILE",
            help='With `text`: a JSONL of documents {"id", "text"}, or a .txt document.',
            show_default=False,
        ),
    ] = None,
    output_format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Database: yaml (default) or json. Text: json (default) or text.",
            show_default=False,
        ),
    ] = None,
    text: Annotated[
        bool, typer.Option("--text", help="Also find spans of personal data in text columns.")
    ] = False,
    sample: Annotated[
        int,
        typer.Option("--sample", min=1, max=1_000_000, help="Rows sampled per table."),
    ] = 1000,
    full: Annotated[
        bool, typer.Option("--full", help="Read every row of every table (a full scan).")
    ] = False,
    key: Annotated[
        str | None, typer.Option("--key", help="Dataset key (default: the database name).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here, not to stdout.")
    ] = None,
    url_env: Annotated[
        str | None, typer.Option("--url-env", help="Environment variable holding the URL.")
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option("--password-env", help="Environment variable holding the password."),
    ] = None,
) -> None:
    """Find personal data nobody declared: in a database's columns, or in text documents.

    `tutela discover DB_URL` samples every table (never a full scan unless --full),
    classifies every column and proposes a dataset block with a confidence and the
    evidence per column; --format json prints one JSON array of records
    {table, column, category, confidence, evidence}. `tutela discover text FILE`
    prints the spans of personal data in each document. A summary goes to stderr.
    """
    if target == "text":
        if file is None:
            raise typer.BadParameter(
                "give the documents to scan: tutela discover text FILE", param_hint="FILE"
            )
        chosen = _format(output_format, TEXT_FORMATS)
        _scan_documents(file, chosen, output)
        return
    if file is not None:
        raise typer.BadParameter(
            f"unexpected {str(file)!r}: give one database URL, or scan documents with "
            "`tutela discover text FILE`",
            param_hint="FILE",
        )
    chosen = _format(output_format, DATABASE_FORMATS)
    from tutela.cli.datasets import _check_key

    _check_key(key, "--key")
    connector = application(context).database(target, url_env=url_env, password_env=password_env)
    try:
        found = _discover(connector, sample=sample, full=full, text=text)
        rendered = _render(found, chosen, connector, key, spans=text)
    finally:
        connector.close()
    _write(rendered, output)
    sys.stderr.write(f"{found.summary()}\n")


def _format(given: str | None, allowed: tuple[str, ...]) -> str:
    chosen = (given or allowed[0]).lower()
    if chosen not in allowed:
        raise typer.BadParameter(
            f"{given!r} is not a format here; choose {' or '.join(allowed)}", param_hint="--format"
        )
    return chosen


def _discover(connector: SqlConnector, *, sample: int, full: bool, text: bool) -> Discovery:
    from tutela.discovery.service import discover as run_discovery

    found = run_discovery(connector, sample=sample, full=full, text=text)
    if not found.collections:
        raise ConnectorError(
            f"database {connector.name!r} has no tables; nothing to discover "
            "(check the database name in the URL, or the schema)"
        )
    return found


def _render(
    found: Discovery, chosen: str, connector: SqlConnector, key: str | None, *, spans: bool
) -> str:
    """The JSON records, or the dataset block built as `datasets reflect` builds it."""
    from tutela.discovery.proposal import field_guesses, field_notes, render_json

    if chosen == "json":
        return render_json(found, spans=spans)
    from tutela.connectors.guess import Guess
    from tutela.connectors.reflect import dataset_key, propose_dataset, render_proposal

    guesses = {
        address: Guess(guess.category, guess.identity, guess.reason)
        for address, guess in field_guesses(found).items()
    }
    proposal = propose_dataset(
        found.collections,
        key=key or dataset_key(connector.name),
        name=f"{connector.name} database",
        guesses=guesses,
    )
    for address, note in field_notes(found).items():
        proposal.reasons.setdefault(address, note)
    return render_proposal(proposal, source=connector.url, command="tutela discover", header=HEADER)


# --- text documents ---------------------------------------------------------------------------


def _scan_documents(path: Path, chosen: str, output: Path | None) -> None:
    """Print the spans of each document of ``path`` as it is read; a summary on stderr."""
    from tutela.discovery.registry import detectors
    from tutela.discovery.text import find_spans_many

    started = time.perf_counter()
    documents = spans = size = 0
    installed = detectors()
    with _opened(output) as out:
        for batch in _batches(_documents(path)):
            texts = [document for _, document in batch]
            for (ident, document), found in zip(
                batch, find_spans_many(texts, installed), strict=True
            ):
                out.write(_document_line(ident, document, found, chosen))
                spans += len(found)
            documents, size = documents + len(batch), size + sum(map(len, texts))
    seconds = time.perf_counter() - started
    sys.stderr.write(
        f"{documents} documents, {spans} spans, {size} characters in {seconds:.2f} s\n"
    )


def _batches(documents: Iterator[tuple[object, str]]) -> Iterator[list[tuple[object, str]]]:
    """The documents in batches of about :data:`BATCH_CHARACTERS` (searched together)."""
    batch: list[tuple[object, str]] = []
    size = 0
    for document in documents:
        batch.append(document)
        size += len(document[1])
        if size >= BATCH_CHARACTERS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _document_line(ident: object, document: str, found: list[Span], chosen: str) -> str:
    if chosen == "json":
        record = {"id": ident, "spans": [span.as_json(document) for span in found]}
        return json.dumps(record, ensure_ascii=False) + "\n"
    lines = [f"{ident}: {len(found)} span{'' if len(found) == 1 else 's'}"]
    lines += [
        f"  {span.start}-{span.end} {span.category} ({span.confidence:.2f}, {span.detector}): "
        f"{document[span.start : span.end]!r}"
        for span in found
    ]
    return "\n".join(lines) + "\n"


def _documents(path: Path) -> Iterator[tuple[object, str]]:
    """(id, text) per document: JSONL lines, or the whole file for a plain-text suffix."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise RequestError(f"file {str(path)!r} does not exist") from None
    except IsADirectoryError:
        raise RequestError(f"{str(path)!r} is a folder: give a JSONL or .txt file") from None
    except OSError as error:
        raise RequestError(f"cannot read {str(path)!r}: {error.strerror}") from None
    with handle:
        if path.suffix.lower() in PLAIN_TEXT:
            data = handle.read(MAX_DOCUMENT + 1)
            yield path.name, _decoded(data, f"{path.name!r}", path.name).lstrip("\ufeff")
            return
        for number, line in enumerate(iter(lambda: handle.readline(MAX_DOCUMENT + 2), b""), 1):
            where = f"line {number} of {path.name!r}"
            document = _document(_decoded(line, where, path.name), where, number)
            if document is not None:
                yield document


def _decoded(data: bytes, where: str, name: str) -> str:
    if len(data.rstrip(b"\r\n")) > MAX_DOCUMENT:
        raise RequestError(
            f"{where}: a document is longer than {MAX_DOCUMENT // 2**20} MiB; "
            f"split it into several documents ({name})"
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise RequestError(
            f"{where} is not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from None


def _document(line: str, where: str, number: int) -> tuple[object, str] | None:
    """The (id, text) of one JSONL line; None for a blank line."""
    line = line.lstrip("\ufeff").strip()
    if not line:
        return None
    try:
        parsed = json.loads(line)
    except json.JSONDecodeError as error:
        raise RequestError(
            f'{where} is not JSON ({error.msg}); each line must be {{"id": ..., "text": "..."}}'
        ) from None
    if not isinstance(parsed, dict):
        raise RequestError(
            f'{where} is a JSON {type(parsed).__name__}, not an object {{"id": ..., "text": "..."}}'
        )
    document = parsed.get("text")
    if not isinstance(document, str):
        found = "missing" if document is None else f"a {type(document).__name__}"
        raise RequestError(f'{where}: "text" must be a string, found {found}')
    return parsed.get("id", number), document


@contextmanager
def _opened(output: Path | None) -> Iterator[TextIO]:
    """stdout, or ``output`` opened for writing (ConfigurationError when it cannot be)."""
    if output is None:
        yield sys.stdout
        return
    try:
        handle = output.open("w", encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot write {output}: {error.strerror}") from None
    with handle:
        yield handle


def _write(text: str, output: Path | None) -> None:
    with _opened(output) as out:
        out.write(text)
