"""`tutela mail`: the privacy@ mailbox: ingest one message, fetch over IMAP, listen, the queue.

Every way in takes the same path (``Mailbox.ingest``): a message becomes a request
(acknowledged, with a code when the type needs one), a reply attached to its request,
or an entry in the staff queue. ``ingest`` never fails on the message, whatever its
encoding or structure; it fails (exit 7) without the programme, the hash key or the
store key, 6 when the store fails, 4 when the file cannot be read.
"""

from __future__ import annotations

import json
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.cli.requests import FormatOpt, ProgrammeOpt, _moment, _programme
from tutela.errors import RequestError

if TYPE_CHECKING:
    from tutela.requests.mail_records import IngestResult, MailRecord

app = command_group("The privacy@ mailbox: inbound mail becomes requests or staff's work.")


@app.command("ingest")
@user_errors
def ingest(
    context: typer.Context,
    path: Annotated[
        Path, typer.Argument(metavar="FILE", help="One message as it was received (.eml).")
    ],
    programme: ProgrammeOpt = None,
    received_at: Annotated[
        str | None,
        typer.Option("--received-at", help="When it arrived, ISO 8601 with offset (now)."),
    ] = None,
    output_format: FormatOpt = "text",
) -> None:
    """Take one message as the mailbox reader would, and print what became of it."""
    app_ = application(context)
    received = None if received_at is None else _moment(received_at, "--received-at")
    mailbox = app_.mailbox(_programme(context, programme))
    raw = _read(path, app_.settings.mail_max_size)
    _print(mailbox.ingest(raw, received_at=received), output_format)


@app.command("fetch")
@user_errors
def fetch(
    context: typer.Context,
    programme: ProgrammeOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="At most.")] = 500,
    output_format: FormatOpt = "text",
) -> None:
    """Read the unseen messages of TUTELA_IMAP_URL once; each is marked seen once handled."""
    from tutela.requests.mail import MailError

    app_ = application(context)
    reader = app_.imap_reader()
    mailbox = app_.mailbox(_programme(context, programme))
    results: list[IngestResult] = []

    def handle(raw: bytes, *, received_at: datetime | None) -> None:
        result = mailbox.ingest(raw, received_at=received_at)
        results.append(result)
        if not result.acknowledged:  # left unseen: the next fetch sends it
            raise MailError("the acknowledgement was not sent")

    report = reader.fetch(handle, limit)
    for result in results:
        _print(result, output_format)
    typer.echo(f"{report.read} read, {report.handled} handled, {report.left_unseen} left unseen")
    if report.left_unseen:
        raise MailError(
            f"{report.left_unseen} message(s) left unseen ({', '.join(report.failures)}): "
            "they are read again by the next fetch",
            system=reader.server,
        )


@app.command("listen")
@user_errors
def listen(
    context: typer.Context,
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The SMTP port.")] = 2525,
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    programme: ProgrammeOpt = None,
) -> None:
    """Receive mail with tutela's own SMTP server (small installs) until interrupted."""
    from tutela.notify.smtp_listener import listen as start

    app_ = application(context)
    mailbox = app_.mailbox(_programme(context, programme))
    controller = start(mailbox.ingest, host=host, port=port, max_size=mailbox.max_size)
    typer.echo(f"listening for mail on {host}:{port} (Ctrl-C stops)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        typer.echo("stopped")
    finally:
        controller.stop()


@app.command("queue")
@user_errors
def queue(
    context: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000, help="At most.")] = 100,
    output_format: FormatOpt = "text",
) -> None:
    """List the messages waiting for staff: ids, when received, why; never their content."""
    waiting = application(context).mailbox().queue(limit)
    if output_format == "json":
        typer.echo(json.dumps([_queued(row) for row in waiting], indent=2))
        return
    for row in waiting:
        typer.echo(f"{row.id}  {row.received_at:%Y-%m-%d %H:%M}  {row.size} bytes  {row.reason}")
    if not waiting:
        typer.echo("the queue is empty")


def _read(path: Path, max_size: int) -> bytes:
    """The file's bytes (only the first ``max_size + 1`` of a larger one); RequestError if none."""
    try:
        with path.open("rb") as handle:
            return handle.read(max_size + 1)
    except FileNotFoundError:
        raise RequestError(f"no file {path.name[:80]!r}: give the message's .eml file") from None
    except IsADirectoryError:
        raise RequestError("a folder was given: give one message's .eml file") from None
    except OSError as error:
        raise RequestError(f"the message file cannot be read ({type(error).__name__})") from None


def _document(result: IngestResult) -> dict[str, object]:
    return {
        "request": result.request,
        "type": result.type,
        "confidence": result.confidence,
        "request_id": result.request_id,
        "queue_id": result.queue_id,
        "state": result.state,
        "reason": result.reason,
        "mail_id": result.mail_id,
        "repeated": result.repeated,
    }


def _print(result: IngestResult, output_format: str) -> None:
    if output_format == "json":
        typer.echo(json.dumps(_document(result), indent=2))
        return
    confidence = "-" if result.confidence is None else f"{result.confidence:.2f}"
    lines = [
        f"request: {'true' if result.request else 'false'}",
        f"type: {result.type or '-'}",
        f"confidence: {confidence}",
    ]
    if result.request_id:
        lines.append(f"request id: {result.request_id}")
    if result.queue_id:
        lines.append(f"queue id: {result.queue_id}")
    if result.reason:
        lines.append(f"reason: {result.reason}")
    typer.echo("\n".join(lines))


def _queued(row: MailRecord) -> dict[str, object]:
    return {
        "id": row.id,
        "received_at": row.received_at.isoformat(),
        "reason": row.reason,
        "size": row.size,
        "type": row.type,
        "confidence": row.confidence,
    }
