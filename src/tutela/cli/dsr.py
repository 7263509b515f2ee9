"""`tutela dsr`: plan and run data-subject requests against the programme's systems.

Request types: access, erasure, rectification, restriction, portability.

``plan`` only connects and reads catalogs; ``run`` and ``batch`` execute, and
``--dry-run`` counts what would change without changing anything.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated, Any

import typer

from tutela import bootstrap
from tutela.cli.errors import user_errors
from tutela.errors import RequestError
from tutela.programme.loader import load_programme
from tutela.rights.executor import plan_batch
from tutela.rights.explain import statements
from tutela.rights.export import batch_json, plan_document, result_csv, result_json
from tutela.rights.models import (
    BatchResult,
    Forwarding,
    Plan,
    RequestType,
    SubjectRequest,
    batch_id,
    parse_change,
    parse_identity,
    request_type,
)

app = typer.Typer(no_args_is_help=True, help="Plan and run data-subject requests.")

PathArg = Annotated[Path, typer.Argument(help="The programme folder (or file).")]
TypeOpt = Annotated[
    str, typer.Option("--type", help="access|erasure|rectification|restriction|portability")
]
IdentityOpt = Annotated[
    list[str], typer.Option("--identity", help="name=value, e.g. email=a@b.c (repeatable).")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Rectification: collection.field=value (repeatable)."),
]
FormatOpt = Annotated[str, typer.Option("--format", help="text or json.")]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Count what would change; change nothing.")
]
OutputOpt = Annotated[
    Path | None, typer.Option("--output", help="Folder for JSON and CSV answers (AC-5, PO-3).")
]


def _format(value: str) -> str:
    if value not in ("text", "json"):
        raise RequestError(f"unknown format {value!r}; use text or json")
    return value


def _request(
    kind: str, identities: list[str], changes: list[str] | None, reference: str = ""
) -> SubjectRequest:
    pairs = tuple(parse_identity(text) for text in identities)
    sets = tuple(parse_change(text) for text in changes or [])
    return SubjectRequest(request_type(kind), pairs, sets, reference)


@app.command("plan")
@user_errors
def plan_command(
    path: PathArg,
    kind: TypeOpt,
    identity: IdentityOpt,
    change: SetOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Show the plan of a request: collections, selectors, fields, strategies, statements."""
    fmt = _format(output_format)
    request = _request(kind, identity, change)
    programme = load_programme(path)
    connectors = bootstrap.connectors(programme)
    try:
        plan = plan_batch(programme, [request], connectors)
        texts = statements(plan, connectors)
    finally:
        for connector in connectors.values():
            connector.close()
    if fmt == "json":
        typer.echo(json.dumps(plan_document(plan, texts), indent=2, default=str))
    else:
        typer.echo(render_plan(plan, texts))


@app.command("run")
@user_errors
def run_command(
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
    fmt = _format(output_format)
    request = _request(kind, identity, change, reference)
    _execute(path, [request], dry_run, fmt, output, None)


@app.command("batch")
@user_errors
def batch_command(
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
    fmt = _format(output_format)
    requests = read_requests(input_file, request_type(kind))
    _execute(path, requests, dry_run, fmt, output, resume)


def _execute(
    path: Path,
    requests: list[SubjectRequest],
    dry_run: bool,
    fmt: str,
    output: Path | None,
    resume: str | None,
) -> None:
    programme = load_programme(path)
    chunks = split_batches(requests, bootstrap.settings().batch_size)
    service = bootstrap.dsr_service(programme)
    try:
        if resume:
            results = [service.resume(resume, _chunk_of(resume, chunks))]
        else:
            results = [service.run(chunk, dry_run=dry_run) for chunk in chunks]
    finally:
        service.close()
    if output is not None:
        for result in results:
            write_answers(result, output)
    typer.echo(_render_results(results, fmt))


def split_batches(requests: list[SubjectRequest], size: int) -> list[list[SubjectRequest]]:
    """Consecutive batches of at most ``size`` requests (``TUTELA_BATCH_SIZE``).

    The split depends only on the input and the size, so rerunning the same
    input resumes every batch from its checkpoints.
    """
    return [requests[start : start + size] for start in range(0, len(requests), size)]


def _chunk_of(batch: str, chunks: list[list[SubjectRequest]]) -> list[SubjectRequest]:
    for chunk in chunks:
        if batch_id(chunk[0].type, chunk) == batch:
            return chunk
    raise RequestError(
        f"no batch {batch} in this input (with TUTELA_BATCH_SIZE as now); "
        "resume with the same input and batch size"
    )


def _render_results(results: list[BatchResult], fmt: str) -> str:
    if fmt != "json":
        return "\n".join(render_batch(result) for result in results)
    if len(results) == 1:
        return batch_json(results[0])
    documents = ",\n".join(batch_json(result) for result in results)
    return '{"batches": [\n' + documents + "\n]}"


def read_requests(path: Path, kind: RequestType) -> list[SubjectRequest]:
    """Requests of type ``kind`` read from a .csv or .jsonl file.

    CSV: a column per identity, ``set:collection.field`` columns, ``reference``.
    JSON lines: ``{"identities": {...}, "changes": {...}, "reference": ...}`` or flat.
    """
    if not path.is_file():
        raise RequestError(f"input file {str(path)!r} does not exist")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".csv":
        records: list[dict[str, Any]] = list(csv.DictReader(text.splitlines()))
    elif path.suffix.lower() in (".jsonl", ".ndjson"):
        records = [
            _json_line(line, n) for n, line in enumerate(text.splitlines(), 1) if line.strip()
        ]
    else:
        raise RequestError(f"input {path.name!r}: use a .csv or .jsonl file")
    if not records:
        raise RequestError(f"input {path.name!r} holds no requests")
    return [_record(kind, record, n) for n, record in enumerate(records, 1)]


def _json_line(line: str, number: int) -> dict[str, Any]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        raise RequestError(f"line {number}: not valid JSON") from None
    if not isinstance(value, dict):
        raise RequestError(f"line {number}: expected a JSON object")
    return value


def _record(kind: RequestType, record: dict[str, Any], number: int) -> SubjectRequest:
    identities = record.get("identities", record)
    changes = dict(record.get("changes", {}))
    pairs: list[tuple[str, str]] = []
    if not isinstance(identities, dict):
        raise RequestError(f"request {number}: identities must be an object")
    for name, value in identities.items():
        if name in ("identities", "changes", "reference") or value in (None, ""):
            continue
        if str(name).startswith("set:"):
            changes[str(name)[4:]] = value
            continue
        pairs.append(parse_identity(f"{name}={value}"))
    sets = tuple(parse_change(f"{target}={value}") for target, value in changes.items())
    try:
        return SubjectRequest(kind, tuple(pairs), sets, str(record.get("reference") or ""))
    except RequestError as error:
        raise RequestError(f"request {number}: {error}") from None


def write_answers(result: BatchResult, folder: Path) -> None:
    """Write one JSON answer per request, and CSV per collection for access/portability."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, answer in enumerate(result.results, 1):
        stem = f"{result.batch_id[:12]}-{number:04d}"
        (folder / f"{stem}.json").write_text(result_json(answer, result.type), encoding="utf-8")
        for collection, text in result_csv(answer).items():
            (folder / f"{stem}-{collection}.csv").write_text(text, encoding="utf-8")


def render_plan(plan: Plan, texts: dict[str, list[str]]) -> str:
    """The plan for a person: one block per collection, in resolve order."""
    lines = [f"{plan.type} plan for identities: {', '.join(plan.identities)}"]
    for number, step in enumerate(plan.steps, 1):
        lines.append(f"{number}. {step.address} (system {step.system})")
        lines.append("   select: " + "; ".join(s.describe() for s in step.selectors))
        for f in step.fields:
            lines.append("   " + _field_line(f))
        if step.delete_rows:
            lines.append("   rows: delete")
        if step.restriction_flag:
            lines.append(f"   {step.restriction_flag}: set true (RS-1)")
        lines += ["   > " + text.replace("\n", "\n     ") for text in texts.get(step.address, [])]
    lines.append("act order (children first): " + ", ".join(plan.act_order))
    lines.append("unreachable: " + (", ".join(plan.unreachable) or "none"))
    lines += _forwarded_lines(plan.forwarded)
    return "\n".join(lines)


def _forwarded_lines(forwarded: tuple[Forwarding, ...]) -> list[str]:
    """Processor-role data: forwarded to its controller, not answered (PR-2)."""
    lines = []
    for f in forwarded:
        contact = f"; contact: {f.contact}" if f.contact else ""
        lines.append(
            f"forwarded (processor role, PR-2): {f.name} [{', '.join(f.collections)}] "
            f"to the controller: {f.controller}{contact}"
        )
    return lines


def _field_line(f: Any) -> str:
    text = f"{f.name}: {f.action}"
    if f.strategy:
        text += f" by {f.strategy}"
    if f.retention is not None:
        kept = f.retention
        text += f" under {kept.purpose} ({kept.basis}, {kept.period or kept.criterion})"
    if f.categories:
        text += f" [{', '.join(f.categories)}]"
    return text


def render_batch(result: BatchResult) -> str:
    """The batch's answers for a person."""
    head = "dry run: nothing changed" if result.dry_run else f"batch {result.batch_id}"
    lines = [f"{result.type} {head}"]
    if result.resumed:
        lines.append(f"resumed: {len(result.resumed)} step(s) taken from checkpoints")
    for collection, count in result.counts.items():
        verb = "would change" if result.dry_run else "changed"
        lines.append(f"  {collection}: {count} row(s) {verb}")
    for answer in result.results:
        who = ", ".join(f"{n}={v}" for n, v in answer.request.identities)
        lines.append(f"- {who}: {'data found' if answer.found else 'no data found'}")
        for c in answer.collections:
            lines.append(f"    {c.collection}: {_collection_line(c, result.dry_run)}")
        for kept in answer.retained:
            until = kept.until.date().isoformat() if kept.until else kept.criterion
            lines.append(
                f"    retained {kept.collection}.{kept.field} under {kept.purpose} until {until}"
            )
        if answer.restricted_purposes:
            lines.append("    allowed while restricted: " + ", ".join(answer.restricted_purposes))
    lines += _forwarded_lines(result.forwarded)
    return "\n".join(lines)


def _collection_line(c: Any, dry_run: bool = False) -> str:
    if c.rows:
        return f"{len(c.rows)} row(s): " + ", ".join(c.labels)
    deleted, changed = ("would be deleted", "would change") if dry_run else ("deleted", "changed")
    if c.deleted:
        return f"{c.deleted} row(s) {deleted}"
    strategies = ", ".join(f"{k} {v}" for k, v in c.strategies.items())
    return f"{c.changed} row(s) {changed} ({strategies})"
