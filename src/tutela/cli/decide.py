"""`tutela decide`: may this subject's data be used for this purpose, and why.

Loads the subject's recorded choices from tutela's store (``TUTELA_DATABASE_URL``),
compiles them with the programme into a :class:`~tutela.consent.decisions.DecisionTable`
and prints the decision. The identity is turned into its keyed reference (the hash key is
needed) and never printed. Exit 0 whether the answer is allow or deny; 4 for a malformed
identity or time, 6 when the store fails, 7 when the hash key is missing.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from tutela.cli.consent import IdentityOpt, ProgrammeArg, PurposeOpt
from tutela.cli.context import application
from tutela.cli.errors import user_errors
from tutela.cli.requests import FormatOpt, _identities, _moment

AtOpt = Annotated[
    str | None,
    typer.Option("--at", metavar="ISO", help="When, with its UTC offset (default: now)."),
]


@user_errors
def decide(
    context: typer.Context,
    path: ProgrammeArg,
    identity: IdentityOpt,
    purpose: PurposeOpt,
    at: AtOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Say whether the subject's data may be used for the purpose, with the reasons."""
    from tutela.consent.decisions import DecisionTable
    from tutela.programme.loader import load_programme

    service = application(context).consent_service(load_programme(path))
    subject = service.subject(_identities(identity))
    moment = service.clock.now() if at is None else _moment(at, "--at")
    table = DecisionTable.compile(service.programme, service.store.events(subject=subject))
    decision = table.decide(subject, purpose, moment)
    verdict = "allow" if decision.allow else "deny"
    if output_format == "json":
        document: dict[str, object] = {"decision": verdict, "reasons": list(decision.reasons)}
        document |= {"purpose": purpose, "basis": decision.basis or None}
        typer.echo(json.dumps(document, indent=2))
        return
    typer.echo(f"{verdict}: {purpose} ({decision.basis or 'no basis'})")
    for reason in decision.reasons:
        typer.echo(f"  {reason}")


def register(app: typer.Typer) -> None:
    """Add the ``decide`` command to ``app``."""
    app.command("decide")(decide)
