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

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import user_errors
from tutela.errors import ConnectorError

if TYPE_CHECKING:
    from tutela.connectors.sql import SqlConnector
    from tutela.discovery.service import Discovery

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
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            min=0,
            max=64,
            help="With `text`: processes searching the documents (0: one per core).",
        ),
    ] = 0,
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
        from tutela.cli.discover_text import scan_documents

        scan_documents(file, chosen, output, jobs)
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


def _write(text: str, output: Path | None) -> None:
    from tutela.cli.discover_text import opened

    with opened(output) as out:
        out.write(text)
