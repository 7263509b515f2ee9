"""`tutela complaints`: the complaints subjects made (seed §14; Art. 77, CP-1).

A complaint is a request of type ``complaint``: submitted with ``tutela requests submit
--type complaint``, acknowledged and answered like any request, with the supervisory
authorities the programme names. These commands list and show only complaints.
"""

from __future__ import annotations

import json

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.cli.requests import FormatOpt, IdArg, _document, _print
from tutela.errors import RequestError

app = command_group("The complaints subjects made, with their deadlines and answers.")


@app.command("list")
@user_errors
def list_command(
    context: typer.Context,
    state: str | None = typer.Option(None, "--state", help="Only in this state."),
    output_format: FormatOpt = "text",
) -> None:
    """List the complaints, earliest due first."""
    found = application(context).request_service().list(state=state, kind="complaint")
    if output_format == "json":
        typer.echo(json.dumps([_document(r) for r in found], indent=2))
        return
    for record in found:
        typer.echo(
            f"{record.id}  {record.state}  "
            f"received {record.received_at:%Y-%m-%d}  due {record.due_date}"
        )
    if not found:
        typer.echo("no complaints")


@app.command("show")
@user_errors
def show(context: typer.Context, identifier: IdArg, output_format: FormatOpt = "text") -> None:
    """Print one complaint: state, receipt, due date and the rules applied."""
    record = application(context).request_service().show(identifier)
    if record.type != "complaint":
        raise RequestError(f"request {record.id} is a {record.type} request, not a complaint")
    _print(record, output_format)
