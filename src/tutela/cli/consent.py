"""`tutela consent`: record consent given or withdrawn, and show a subject's choices.

Choices live in tutela's store (``TUTELA_DATABASE_URL``), each committed with its ledger
entry; the subject is kept as the keyed reference of the first identity given, never in
clear (the hash key is needed). Exit 4 when the choice cannot be recorded as asked (an
unknown purpose, a purpose not based on consent, a malformed identity), 6 when the store
fails, 7 when the hash key is missing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.cli.requests import ActorOpt, FormatOpt, _identities, who

if TYPE_CHECKING:
    from tutela.consent.records import ChoiceEvent
    from tutela.consent.service import ConsentService

app = command_group("Record consent given or withdrawn, and show a subject's choices.")

ProgrammeArg = Annotated[
    Path, typer.Argument(metavar="PROGRAMME", help="The programme folder (or one YAML file).")
]
IdentityOpt = Annotated[
    list[str],
    typer.Option("--identity", metavar="NAME=VALUE", help="e.g. email=a@b.c (the first is kept)."),
]
PurposeOpt = Annotated[str, typer.Option("--purpose", metavar="KEY", help="The purpose's key.")]
MethodOpt = Annotated[
    str, typer.Option("--method", help="How: web_form, checkbox, email, api, import...")
]
EvidenceOpt = Annotated[
    str | None,
    typer.Option("--evidence", help="A reference (form or message id), no personal data."),
]
NoticeOpt = Annotated[
    str | None,
    typer.Option("--notice-version", help="The notice shown (default: the programme's)."),
]


def _chooser(verb: str, doc: str) -> Callable[..., None]:
    """The ``give``, ``withdraw``, ``object`` or ``opt-out`` command: the same options (CO-3)."""

    def command(
        context: typer.Context,
        path: ProgrammeArg,
        identity: IdentityOpt,
        purpose: PurposeOpt,
        method: MethodOpt = "api",
        evidence: EvidenceOpt = None,
        notice_version: NoticeOpt = None,
        actor: ActorOpt = None,
        output_format: FormatOpt = "text",
    ) -> None:
        from tutela.consent.importing import choice_note
        from tutela.consent.service import Context

        choice = Context(method, notice_version, evidence=evidence)
        service = _service(context, path)
        verbs = {"give": service.give, "withdraw": service.withdraw}
        record = {**verbs, "object": service.object, "opt-out": service.opt_out}[verb]
        event = record(_identities(identity), purpose, choice, actor=who(actor))
        _print([event], output_format)
        note = choice_note(event.kind, service.programme.purpose(event.purpose))
        if note:
            typer.echo(f"note: {note}", err=output_format == "json")

    command.__doc__ = doc
    return command


app.command("give")(
    user_errors(_chooser("give", "Record consent given to a purpose whose legal basis is consent."))
)
app.command("withdraw")(
    user_errors(
        _chooser(
            "withdraw", "Record consent withdrawn from a purpose: the same options as giving it."
        )
    )
)
app.command("object")(
    user_errors(_chooser("object", "Record an objection to a purpose (direct marketing: OB-2)."))
)
app.command("opt-out")(
    user_errors(_chooser("opt-out", "Record an opt-out of the sale or sharing of data (GPC-1)."))
)


@app.command("history")
@user_errors
def history(
    context: typer.Context,
    path: ProgrammeArg,
    identity: IdentityOpt,
    output_format: FormatOpt = "text",
) -> None:
    """Print the subject's recorded choices, oldest first (no identity in clear)."""
    _print(_service(context, path).history(_identities(identity)), output_format)


def _service(context: typer.Context, path: Path) -> ConsentService:
    from tutela.programme.loader import load_programme

    return application(context).consent_service(load_programme(path))


def _document(event: ChoiceEvent) -> dict[str, str | None]:
    """The event as JSON-ready text: ids, the keyed reference, times in ISO 8601."""
    return {
        "id": event.id,
        "subject": event.subject,
        "purpose": event.purpose,
        "kind": event.kind.value,
        "at": event.at.isoformat(),
        "method": event.method.value,
        "notice_version": event.notice_version,
        "language": event.language,
        "jurisdiction": event.jurisdiction,
        "evidence": event.evidence,
        "ends_at": None if event.ends_at is None else event.ends_at.isoformat(),
    }


def _print(events: list[ChoiceEvent], output_format: str) -> None:
    if output_format == "json":
        typer.echo(json.dumps([_document(e) for e in events], indent=2))
        return
    if not events:
        typer.echo("no choices recorded for this subject")
    for event in events:
        notice = f" notice {event.notice_version}" if event.notice_version else ""
        typer.echo(
            f"{event.at.isoformat()} {event.kind.value} {event.purpose} "
            f"by {event.method.value}{notice} ({event.id})"
        )


from tutela.cli import consent_import  # noqa: E402  (registers import)

consent_import.register(app)

from tutela.cli import consent_propagation  # noqa: E402  (registers propagate, deliveries)

consent_propagation.register(app)

from tutela.cli import consent_links  # noqa: E402  (registers link, receipt)

consent_links.register(app)
