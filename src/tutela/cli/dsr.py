"""`tutela dsr`: plan and run data-subject requests against the programme's systems.

Request types: access, erasure, rectification, restriction, portability.

``plan`` only connects and reads catalogs; ``run`` and ``batch`` execute, and
``--dry-run`` counts what would change without changing anything. Each command
parses its options, calls :class:`tutela.rights.service.DsrService` and formats.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.errors import RequestError, TutelaError

if TYPE_CHECKING:
    from tutela.bootstrap import Application
    from tutela.rights.models import BatchResult, SubjectRequest

app = command_group("Plan and run data-subject requests.")

RequestKind = Literal["access", "erasure", "rectification", "restriction", "portability"]
"""The request types (``tutela.rights.models.REQUEST_TYPES``), spelled here for the help."""
AnswerFormat = Literal["text", "json"]

PathArg = Annotated[
    Path, typer.Argument(metavar="PROGRAMME", help="The programme folder (or one YAML file).")
]
TypeOpt = Annotated[RequestKind, typer.Option("--type", help="The request type.")]
IdentityOpt = Annotated[
    list[str],
    typer.Option(
        "--identity", metavar="NAME=VALUE", help="An identity, e.g. email=a@b.c (repeatable)."
    ),
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="COLLECTION.FIELD=VALUE",
        help="Rectification: the new value of a field (repeatable).",
    ),
]
FormatOpt = Annotated[
    AnswerFormat, typer.Option("--format", "-f", help="text for people, json for tools.")
]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Count what would change; change nothing.")
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Folder for JSON and CSV answers (AC-5, PO-3)."),
]


def _format(value: str) -> str:
    if value not in ("text", "json"):
        raise RequestError(f"unknown format {value!r}; use text or json")
    return value


@app.command("plan")
@user_errors
def plan_command(
    context: typer.Context,
    path: PathArg,
    kind: TypeOpt,
    identity: IdentityOpt,
    change: SetOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Show the plan of a request: collections, selectors, fields, strategies, statements."""
    from tutela.programme.loader import load_programme
    from tutela.rights.answers import render_plan
    from tutela.rights.export import plan_document
    from tutela.rights.intake import request_from
    from tutela.rights.models import request_type

    fmt = _format(output_format)
    request = request_from(request_type(kind), identity, change or [])
    service = application(context).dsr_service(load_programme(path))
    try:
        plan, texts = service.plan([request])
    finally:
        service.close()
    if fmt == "json":
        typer.echo(json.dumps(plan_document(plan, texts), indent=2, default=str))
    else:
        typer.echo(render_plan(plan, texts))


@app.command("run")
@user_errors
def run_command(
    context: typer.Context,
    path: PathArg,
    kind: TypeOpt,
    identity: IdentityOpt,
    change: SetOpt = None,
    reference: Annotated[str, typer.Option("--reference", help="Request reference.")] = "",
    dry_run: DryRunOpt = False,
    output_format: FormatOpt = "text",
    output: OutputOpt = None,
) -> None:
    """Run one request (one batch of one)."""
    from tutela.rights.intake import request_from
    from tutela.rights.models import request_type

    fmt = _format(output_format)
    request = request_from(request_type(kind), identity, change or [], reference)
    _execute(application(context), path, [request], dry_run, fmt, output, None)


@app.command("batch")
@user_errors
def batch_command(
    context: typer.Context,
    path: PathArg,
    kind: TypeOpt,
    input_file: Annotated[Path, typer.Option("--input", help="requests.csv or requests.jsonl")],
    dry_run: DryRunOpt = False,
    resume: Annotated[
        str | None, typer.Option("--resume", help="Batch id to resume (same input).")
    ] = None,
    output_format: FormatOpt = "text",
    output: OutputOpt = None,
) -> None:
    """Run many requests of one type together: one statement per collection per batch."""
    from tutela.rights.intake import parse_requests
    from tutela.rights.models import request_type

    fmt = _format(output_format)
    text = _read_input(input_file)
    requests = parse_requests(text, input_file.name, request_type(kind))
    _execute(application(context), path, requests, dry_run, fmt, output, resume)


@app.command("resume")
@user_errors
def resume_command(
    context: typer.Context,
    path: PathArg,
    batch: Annotated[str, typer.Argument(metavar="BATCH", help="The id of the batch to resume.")],
    kind: TypeOpt,
    identity: Annotated[
        list[str] | None,
        typer.Option("--identity", help="The identities the batch was run with (repeatable)."),
    ] = None,
    change: SetOpt = None,
    reference: Annotated[str, typer.Option("--reference", help="Request reference.")] = "",
    input_file: Annotated[
        Path | None, typer.Option("--input", help="The requests file the batch came from.")
    ] = None,
    output_format: FormatOpt = "text",
    output: OutputOpt = None,
) -> None:
    """Resume a batch that stopped, given the same requests it was run with.

    Only this command (or `dsr batch --resume`) ever uses what the store kept of a
    batch, and only for rows still as they were resolved; a new `run` never does.
    """
    from tutela.rights.intake import parse_requests, request_from
    from tutela.rights.models import request_type

    fmt = _format(output_format)
    request_kind = request_type(kind)
    if (input_file is None) == (not identity):
        raise RequestError("give the batch's requests: either --identity (and --set) or --input")
    if input_file is not None:
        requests = parse_requests(_read_input(input_file), input_file.name, request_kind)
    else:
        requests = [request_from(request_kind, identity or [], change or [], reference)]
    _execute(application(context), path, requests, False, fmt, output, batch)


def _read_input(path: Path) -> str:
    if not path.is_file():
        raise RequestError(f"input file {str(path)!r} does not exist")
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise RequestError(f"input {path.name!r} is not UTF-8 text") from None
    except OSError as error:
        raise RequestError(f"input {path.name!r} cannot be read: {error.strerror}") from None


def _execute(
    app: Application,
    path: Path,
    requests: list[SubjectRequest],
    dry_run: bool,
    fmt: str,
    output: Path | None,
    resume: str | None,
) -> None:
    from tutela.programme.loader import load_programme

    service = app.dsr_service(load_programme(path))
    try:
        if resume:
            results = [service.resume(resume, requests)]
        else:
            results = service.run_all(requests, dry_run=dry_run)
    except TutelaError as error:
        if error.batch:
            typer.echo(
                f"batch {error.batch} stopped; after fixing the cause, resume it with the "
                f"same requests: tutela dsr resume {path} {error.batch} --type ...",
                err=True,
            )
        raise
    finally:
        service.close()
    if output is not None:
        for result in results:
            _write_answers(result, output)
    typer.echo(_render_results(results, fmt))
    if any(not result.coverage.complete() for result in results):
        raise typer.Exit(INCOMPLETE_ERASURE)


INCOMPLETE_ERASURE = 8
"""Exit code of an erasure that ran but could not reach everything personal (ER-1)."""


def _write_answers(result: BatchResult, folder: Path) -> None:
    from tutela.rights.answers import answer_files

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in answer_files(result).items():
        (folder / name).write_text(text, encoding="utf-8")


def _render_results(results: list[BatchResult], fmt: str) -> str:
    from tutela.rights.answers import render_batch
    from tutela.rights.export import batch_json

    if fmt != "json":
        return "\n".join(render_batch(result) for result in results)
    if len(results) == 1:
        return batch_json(results[0])
    documents = ",\n".join(batch_json(result) for result in results)
    return '{"batches": [\n' + documents + "\n]}"
