"""`tutela requests`: submit data-subject requests and move them through their lifecycle.

Requests live in tutela's store (``TUTELA_DATABASE_URL``); every change is committed
with its ledger entry. Only ``submit`` reads the programme (the regimes offered, the
controller's time zone and country, the hash key); the other commands need only the
request's id. Exit 4 when a request cannot be handled as asked (an illegal transition,
with the reason), 6 when the store fails, 7 when the hash key is missing.
"""

from __future__ import annotations

import getpass
import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.errors import RequestError

if TYPE_CHECKING:
    from tutela.programme.models import Programme
    from tutela.requests.deadlines import DueStatus
    from tutela.requests.records import RequestRecord
    from tutela.requests.service import RequestService

app = command_group("Submit data-subject requests and move them through their lifecycle.")

Format = Literal["text", "json"]
FormatOpt = Annotated[
    Format, typer.Option("--format", "-f", help="text for people, json for tools.")
]
IdArg = Annotated[str, typer.Argument(metavar="ID", help="The request's id.")]
ProgrammeOpt = Annotated[
    Path | None,
    typer.Option(
        "--programme", help="The programme folder (default: TUTELA_PROGRAMME).", show_default=False
    ),
]
ActorOpt = Annotated[
    str | None,
    typer.Option(
        "--actor",
        help="Who acts, as the ledger records it: kind:name, e.g. staff:alice "
        "(default: staff:<your login>).",
        show_default=False,
    ),
]
ReasonOpt = Annotated[
    str, typer.Option("--reason", help="The reason, for the subject (no personal data).")
]


@app.command("submit")
@user_errors
def submit(
    context: typer.Context,
    path: Annotated[
        Path, typer.Argument(metavar="PROGRAMME", help="The programme folder (or one YAML file).")
    ],
    kind: Annotated[str, typer.Option("--type", help="The request type, e.g. erasure, access.")],
    identity: Annotated[
        list[str],
        typer.Option("--identity", metavar="NAME=VALUE", help="e.g. email=a@b.c (repeatable)."),
    ],
    received_at: Annotated[
        str | None,
        typer.Option("--received-at", help="When it was received, ISO 8601 with offset."),
    ] = None,
    residence: Annotated[
        str | None,
        typer.Option("--residence", help="Where the subject lives: BE, US-CA (picks the regime)."),
    ] = None,
    detail: Annotated[
        list[str] | None,
        typer.Option(
            "--detail",
            metavar="NAME=VALUE",
            help="ground=18(1)(a), mode=supplementary_statement, purpose=KEY, customer=KEY, "
            "transmit_to=https://..., agent=yes (repeatable).",
        ),
    ] = None,
    change: Annotated[
        list[str] | None,
        typer.Option(
            "--change", metavar="COLLECTION.FIELD=VALUE", help="A rectification's new value."
        ),
    ] = None,
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Record a new request with its deadline, in the controller's time zone."""
    from tutela.programme.loader import load_programme
    from tutela.rights.requests import parse_change

    identities = _identities(identity)
    details = _identities(detail or [], what="detail")
    changes = dict(parse_change(text) for text in change or [])
    received = None if received_at is None else _moment(received_at, "--received-at")
    service = application(context).request_service(load_programme(path))
    record = service.submit(
        kind,
        identities,
        received,
        residence=residence,
        details=details,
        changes=changes,
        actor=who(actor),
    )
    _print(record, output_format)


@app.command("show")
@user_errors
def show(context: typer.Context, identifier: IdArg, output_format: FormatOpt = "text") -> None:
    """Print one request: type, regime, state, receipt, due date and the rules applied."""
    _print(_service(context).show(identifier), output_format)


@app.command("list")
@user_errors
def list_command(
    context: typer.Context,
    state: Annotated[str | None, typer.Option("--state", help="Only in this state.")] = None,
    kind: Annotated[str | None, typer.Option("--type", help="Only of this type.")] = None,
    due_before: Annotated[
        str | None, typer.Option("--due-before", help="Only due before this date, YYYY-MM-DD.")
    ] = None,
    output_format: FormatOpt = "text",
) -> None:
    """List the requests, earliest due first."""
    before = None if due_before is None else _date(due_before)
    found = _service(context).list(state=state, kind=kind, due_before=before)
    if output_format == "json":
        typer.echo(json.dumps([_document(r) for r in found], indent=2))
        return
    for record in found:
        typer.echo(f"{record.id}  {record.type}  {record.state}  due {record.due_date}")
    if not found:
        typer.echo("no requests")


@app.command("due")
@user_errors
def due(
    context: typer.Context,
    soon_days: Annotated[
        int, typer.Option("--soon-days", min=0, max=366, help="Days ahead that count as soon.")
    ] = 7,
    output_format: FormatOpt = "text",
) -> None:
    """List the open requests overdue or due soon, earliest due first."""
    listed = _service(context).due(soon_days=soon_days)
    if output_format == "json":
        typer.echo(json.dumps([_due_document(r, s) for r, s in listed], indent=2))
        return
    for record, status in listed:
        typer.echo(f"{record.id}  {record.type}  {status.urgency}: {status.summary}")
    if not listed:
        typer.echo("nothing overdue or due soon")


@app.command("approve")
@user_errors
def approve(
    context: typer.Context,
    identifier: IdArg,
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Move the request to in progress (approved, or nothing left to check)."""
    _print(_service(context).approve(identifier, actor=who(actor)), output_format)


@app.command("deny")
@user_errors
def deny(
    context: typer.Context,
    identifier: IdArg,
    reason: ReasonOpt,
    excessive: Annotated[
        bool,
        typer.Option("--excessive", help="Refuse as excessive or repetitive (Art. 12(5)(b))."),
    ] = False,
    unfounded: Annotated[
        bool, typer.Option("--unfounded", help="Refuse as manifestly unfounded (Art. 12(5)(b)).")
    ] = False,
    programme: ProgrammeOpt = None,
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Deny the request, with the reason and complaint route owed to the subject.

    A refusal as excessive or unfounded (Art. 12(5)(b)) needs --excessive or --unfounded;
    the notice names the supervisory authorities (Art. 12(4), DL-7).
    """
    chosen = _programme(context, programme) if (programme or excessive or unfounded) else None
    if chosen is None and application(context).settings.programme:
        chosen = _programme(context, None)
    notice: tuple[str, ...] | None = None
    if excessive or unfounded:
        steps = application(context).staff_steps(chosen)
        decided = steps.refuse(
            identifier, reason, unfounded=unfounded, actor=who(actor), purge=chosen is None
        )
        record, notice = decided.request, decided.notice
    else:
        record = _service(context).deny(identifier, reason, actor=who(actor), purge=chosen is None)
    if chosen is not None:  # the letter the subject downloads (Art. 12(4), DL-7)
        application(context).answering(chosen).closing_letter(record.id, actor=who(actor))
    _print(record, output_format, notice=notice)


@app.command("extend")
@user_errors
def extend(
    context: typer.Context,
    identifier: IdArg,
    reason: ReasonOpt,
    notice_at: Annotated[
        str | None,
        typer.Option("--notice-at", help="When the subject was told, ISO 8601 (default: now)."),
    ] = None,
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Extend the deadline once, by up to two months (GDPR) or 45 days (CCPA)."""
    notice = None if notice_at is None else _moment(notice_at, "--notice-at")
    extended = _service(context).extend(identifier, reason, notice, actor=who(actor))
    if application(context).answering().tell_extension(extended.id, actor=who(actor)):
        typer.echo("the subject was told by e-mail (DL-6)", err=True)
    _print(extended, output_format)


@app.command("withdraw")
@user_errors
def withdraw(
    context: typer.Context,
    identifier: IdArg,
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Record that the subject withdrew the request."""
    chosen = application(context).settings.programme
    withdrawn = _service(context).withdraw(identifier, actor=who(actor), purge=not chosen)
    if chosen:  # the subject's letter, then the identity is purged
        application(context).answering(_programme(context, None)).closing_letter(
            withdrawn.id, actor=who(actor)
        )
    _print(withdrawn, output_format)


_ACTOR = re.compile(r"system|[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


def who(actor: str | None) -> str:
    """The ledger's actor: ``--actor`` as given, or ``staff:<login>``; RequestError if malformed."""
    if actor is None:
        login = "".join(c for c in getpass.getuser() if c.isalnum() or c in "._-")[:64]
        return f"staff:{login or 'unknown'}"
    if not _ACTOR.fullmatch(actor):
        raise RequestError("--actor is kind:name in letters and digits, e.g. staff:alice")
    return actor


def _service(context: typer.Context) -> RequestService:
    return application(context).request_service()


def _programme(context: typer.Context, path: Path | None) -> Programme:
    """The programme at ``path``, or at ``TUTELA_PROGRAMME``; ConfigurationError without one."""
    from tutela.errors import ConfigurationError
    from tutela.programme.loader import load_programme

    chosen = path or application(context).settings.programme
    if chosen is None:
        raise ConfigurationError(
            "this command needs the programme: give --programme PATH or set TUTELA_PROGRAMME"
        )
    return load_programme(Path(chosen))


def _identities(pairs: list[str], what: str = "identity") -> dict[str, str]:
    """``NAME=VALUE`` options as a mapping; RequestError naming the name, never the value."""
    found: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise RequestError(f"an {what} is NAME=VALUE, e.g. email=a@b.c")
        if name.strip() in found:
            raise RequestError(f"{what} {name.strip()[:40]} is given twice")
        found[name.strip()] = value
    return found


def _moment(text: str, option: str) -> datetime:
    """An ISO 8601 date and time with its UTC offset; RequestError otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip()) if len(text) <= 64 else None
    except ValueError:
        moment = None
    if moment is None:
        raise RequestError(f"{option}: not an ISO 8601 date and time (2025-03-05T10:00:00+01:00)")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RequestError(f"{option}: no UTC offset; give e.g. 2025-03-05T10:00:00+01:00")
    return moment


def _date(text: str) -> date:
    try:
        if len(text) <= 10:
            return date.fromisoformat(text.strip())
    except ValueError:
        pass
    raise RequestError("--due-before: not a date YYYY-MM-DD")


def _document(record: RequestRecord) -> dict[str, object]:
    return {
        "id": record.id,
        "type": record.type,
        "regime": record.regime,
        "state": record.state,
        "received_at": record.received_at.isoformat(),
        "due": record.due_date.isoformat(),
        "due_rule": record.due_rule,
        "extended": record.extended,
        "reason": record.reason,
        "details": json.loads(record.details) if record.details else {},
        "residence": record.residence,
        "zone": record.zone,
        "subject": record.subject,
        "updated_at": record.updated_at.isoformat(),
    }


def _due_document(record: RequestRecord, status: DueStatus) -> dict[str, object]:
    return {
        **_document(record),
        "urgency": str(status.urgency),
        "days_left": status.days_left,
        "summary": status.summary,
    }


def _print(
    record: RequestRecord, output_format: str, notice: tuple[str, ...] | None = None
) -> None:
    if output_format == "json":
        document = _document(record)
        if notice is not None:
            document["notice"] = list(notice)
        typer.echo(json.dumps(document, indent=2))
        return
    for line in notice or ():
        typer.echo(line)
    typer.echo(f"request {record.id}")
    typer.echo(f"  type: {record.type} ({record.regime})")
    typer.echo(f"  state: {record.state}")
    typer.echo(f"  received: {record.received_at.isoformat()}")
    typer.echo(f"  due: {record.due_date.isoformat()} ({record.zone})")
    if record.reason:
        typer.echo(f"  reason: {record.reason}")
    if record.details:
        typer.echo(f"  details: {record.details}")
    typer.echo("  " + record.due_rule.replace("\n", "\n  "))


from tutela.cli import request_steps  # noqa: E402  (registers verify, complete, fee...)

request_steps.register(app)
