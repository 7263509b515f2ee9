"""`tutela retention`: run the retention sweep, place and lift legal holds, prove deletions.

``run`` sweeps every rule with ``covers`` once (``--dry-run`` counts and changes nothing);
``hold place|lift|list`` manage legal holds (RT-3), ledgered with their reason; ``scan-policy``
lists or sets each processor customer's choice for its scan data (24h, 48h or keep), and
``proof`` exports, per scan, the rows deleted and when. Everything is kept in tutela's
store (``TUTELA_DATABASE_URL``). Exit 4 when a hold, policy or proof cannot be made as
asked (an unknown customer, collection, column or hold), 5 when a system fails, 6 when
the store fails, 7 when a key is missing. See docs/retention.md.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import typer

from tutela.cli.consent import ProgrammeArg
from tutela.cli.context import application
from tutela.cli.errors import EXIT_CODES, command_group, user_errors
from tutela.cli.requests import ActorOpt, _identities, who
from tutela.errors import ConnectorError, RequestError

if TYPE_CHECKING:
    from tutela.retention.holds import Hold
    from tutela.retention.ports import ScanPolicy
    from tutela.retention.service import RetentionService

app = command_group("Run retention sweeps, place and lift legal holds, and prove deletions.")
holds = command_group("Place, lift and list legal holds: held rows are never swept (RT-3).")
app.add_typer(holds, name="hold")

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for tools instead of text.")]
ReasonOpt = Annotated[
    str, typer.Option("--reason", help="Why (kept and ledgered; no personal data).")
]
_LONGEST_REASON = 1000
_LONGEST_VALUE = 320


@app.command("run")
@user_errors
def run(
    context: typer.Context,
    path: ProgrammeArg,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count the rows that would go; change nothing.")
    ] = False,
    rule: Annotated[
        list[str] | None,
        typer.Option("--rule", metavar="KEY", help="Sweep only this rule (repeatable)."),
    ] = None,
    actor: ActorOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Sweep once: per rule and collection, rows examined, deleted, held back, and time.

    A collection that fails is reported on its row and the others are still swept; the
    command then exits 5.
    """
    service = _service(context, path)
    report = service.run(dry_run=dry_run, rules=tuple(rule or ()), actor=who(actor))
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        typer.echo(report.table())
    if report.errors:  # the other collections were swept; say the sweep is incomplete
        typer.echo(f"error: {len(report.errors)} collection(s) could not be swept", err=True)
        raise typer.Exit(EXIT_CODES[ConnectorError])


@holds.command("place")
@user_errors
def place(
    context: typer.Context,
    path: ProgrammeArg,
    reason: ReasonOpt,
    subject_email: Annotated[
        str | None, typer.Option("--subject-email", help="Hold one person's data, by e-mail.")
    ] = None,
    identity: Annotated[
        str | None,
        typer.Option(
            "--identity", metavar="TYPE=VALUE", help="Hold one person's data, by an identity."
        ),
    ] = None,
    customer: Annotated[
        str | None,
        typer.Option("--customer", metavar="KEY", help="Hold a processor customer's data."),
    ] = None,
    collection: Annotated[
        str | None,
        typer.Option(
            "--collection",
            metavar="DATASET.COLLECTION",
            help="Hold a whole collection (or narrow a subject or customer hold to it).",
        ),
    ] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(
            "--where",
            metavar="COLUMN=VALUE",
            help="With --collection: hold only the rows matching (repeatable: all must match).",
        ),
    ] = None,
    review: Annotated[
        str | None,
        typer.Option("--review", metavar="DATE", help="When to review the hold (YYYY-MM-DD)."),
    ] = None,
    actor: ActorOpt = None,
) -> None:
    """Place a legal hold: the rows it covers are kept by sweeps and erasure (Art. 17(3)(e))."""
    _text(reason, "--reason", _LONGEST_REASON)
    person = _person(subject_email, identity)
    scope = _scope(person, customer, collection, where or [])
    service = _service(context, path)
    owner = who(actor)
    hold = service.place_hold(
        scope=scope,
        reason=reason.strip(),
        owner=owner,
        review_at=None if review is None else _date(review, "--review"),
        identity=person,
        customer=customer,
        collection=collection,
        conditions=tuple(where or ()),
        actor=owner,
    )
    typer.echo(f"placed hold {hold.id}: {hold.describe()}")


@holds.command("lift")
@user_errors
def lift(
    context: typer.Context,
    path: ProgrammeArg,
    hold_id: Annotated[str, typer.Argument(metavar="HOLD_ID", help="The hold's id.")],
    reason: ReasonOpt,
    actor: ActorOpt = None,
) -> None:
    """Lift a legal hold: its rows are swept again when their retention has ended."""
    _text(reason, "--reason", _LONGEST_REASON)
    _text(hold_id, "HOLD_ID", 64)
    hold = _service(context, path).lift_hold(hold_id.strip(), actor=who(actor), reason=reason)
    typer.echo(f"lifted hold {hold.id}: {hold.describe()}")


@holds.command("list")
@user_errors
def list_holds(
    context: typer.Context,
    path: ProgrammeArg,
    everything: Annotated[bool, typer.Option("--all", help="Lifted holds too.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """List the legal holds: scope and reason, never a held person's identity."""
    found = _service(context, path).holds(include_lifted=everything)
    if as_json:
        typer.echo(json.dumps([_hold_document(hold) for hold in found], indent=2))
        return
    if not found:
        typer.echo("no legal holds")
    for hold in found:
        state = "active" if hold.active else f"lifted {hold.lifted_at:%Y-%m-%d}"
        review = f" review {hold.review_at}" if hold.review_at else ""
        typer.echo(f"{hold.id} {state} {hold.describe()}: {hold.reason} (by {hold.owner}{review})")


@app.command("scan-policy")
@user_errors
def scan_policy(
    context: typer.Context,
    path: ProgrammeArg,
    customer: Annotated[
        str | None,
        typer.Argument(metavar="CUSTOMER", help="The DPA register's customer key, to set."),
    ] = None,
    choice: Annotated[
        str | None, typer.Argument(metavar="CHOICE", help="24h, 48h or keep.")
    ] = None,
    actor: ActorOpt = None,
) -> None:
    """List each customer's choice for its scan data, or set one (24h, 48h or keep)."""
    service = _service(context, path)
    if customer is None:
        _print_policies(service.scan_policies())
        return
    if choice is None:
        raise RequestError("give the customer's choice after its key: 24h, 48h or keep")
    _text(customer, "CUSTOMER", 100)
    _text(choice, "CHOICE", 16)
    policy = service.set_scan_policy(customer.strip(), choice.strip(), actor=who(actor))
    typer.echo(f"{policy.customer}: {policy.choice} (set)")


@app.command("proof")
@user_errors
def proof(
    context: typer.Context,
    path: ProgrammeArg,
    customer: Annotated[
        str, typer.Argument(metavar="CUSTOMER", help="The DPA register's customer key.")
    ],
    output_format: Annotated[
        Literal["json", "csv"], typer.Option("--format", "-f", help="json or csv (a row a table).")
    ] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file (default: print).")
    ] = None,
) -> None:
    """Export, per scan of the customer, the rows deleted from each table and when."""
    _text(customer, "CUSTOMER", 100)
    service = _service(context, path)
    text = service.proof_document(customer.strip(), output_format)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise RequestError(f"cannot write {output}: {error.strerror or 'not writable'}") from None
    typer.echo(f"proof of {customer.strip()}'s scans written to {output}")


def _service(context: typer.Context, path: Path) -> RetentionService:
    from tutela.programme.loader import load_programme

    return application(context).retention(load_programme(path))


def _text(value: str, option: str, longest: int) -> None:
    """RequestError when ``value`` is blank, too long or holds control characters."""
    if not value.strip():
        raise RequestError(f"{option} is empty")
    if len(value) > longest:
        raise RequestError(f"{option} is longer than {longest} characters")
    if any(ord(c) < 32 and c not in "\t" for c in value):
        raise RequestError(f"{option} holds control characters")


def _person(email: str | None, identity: str | None) -> tuple[str, str] | None:
    """The held subject's identity (type, value) from ``--subject-email`` or ``--identity``."""
    if email is not None and identity is not None:
        raise RequestError("give one of --subject-email and --identity, not both")
    if email is not None:
        _text(email, "--subject-email", _LONGEST_VALUE)
        return ("email", email.strip())
    if identity is None:
        return None
    ((kind, value),) = _identities([identity]).items()
    _text(kind, "--identity's type", 64)
    _text(value, "--identity's value", _LONGEST_VALUE)
    return (kind, value.strip())


def _scope(
    person: tuple[str, str] | None, customer: str | None, collection: str | None, where: list[str]
) -> str:
    """The hold's scope: subject, customer, collection or filter; RequestError when unclear."""
    if person is not None and customer is not None:
        raise RequestError("a hold is on a subject or on a customer, not both")
    if where and collection is None:
        raise RequestError("--where filters the rows of one collection: give --collection too")
    if where and (person is not None or customer is not None):
        raise RequestError("--where makes a filter hold: leave out the subject and customer")
    for text in (customer, collection, *where):
        if text is not None:
            _text(text, "a hold's scope", _LONGEST_VALUE)
    if person is not None:
        return "subject"
    if customer is not None:
        return "customer"
    if collection is None:
        raise RequestError(
            "say what is held: --subject-email, --identity, --customer or --collection"
        )
    return "filter" if where else "collection"


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip()) if len(text) <= 32 else date.min
    except ValueError:
        raise RequestError(f"{option}: not a date (YYYY-MM-DD)") from None


def _hold_document(hold: Hold) -> dict[str, Any]:
    """A hold as JSON-ready text: its scope and reason, never the identity nor its reference."""
    return {
        "id": hold.id,
        "scope": hold.scope,
        "describe": hold.describe(),
        "reason": hold.reason,
        "owner": hold.owner,
        "placed_at": hold.placed_at.isoformat(),
        "review_at": hold.review_at.isoformat() if hold.review_at else None,
        "identity_type": hold.identity,
        "customer": hold.customer,
        "collection": hold.collection,
        "conditions": [[c.column, c.op, str(c.value)] for c in hold.conditions],
        "active": hold.active,
        "lifted_at": hold.lifted_at.isoformat() if hold.lifted_at else None,
        "lifted_by": hold.lifted_by,
        "lift_reason": hold.lift_reason,
    }


def _print_policies(policies: list[ScanPolicy]) -> None:
    if not policies:
        typer.echo("no processor customers in the DPA register")
    for policy in policies:
        since = f" since {policy.set_at:%Y-%m-%d %H:%M}" if policy.set_at else ""
        typer.echo(f"{policy.customer}: {policy.choice} ({policy.source}{since})")
