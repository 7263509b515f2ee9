"""The steps of ``tutela requests`` after submit: identity, answer, and what follows it.

``verify``, ``complete``, ``fee``, ``forward``, ``export``, ``link``, ``download``,
``purge``, ``notify`` and ``recipients``.
Registered on the ``tutela requests`` group by :mod:`tutela.cli.requests`. The commands
that run a request on the systems or forward it read the programme (``--programme`` or
``TUTELA_PROGRAMME``); the others need only the request's id and tutela's store.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import user_errors
from tutela.cli.request_lift import lift, lift_due
from tutela.cli.requests import (
    ActorOpt,
    FormatOpt,
    IdArg,
    ProgrammeOpt,
    _document,
    _print,
    _programme,
    who,
)
from tutela.errors import RequestError

if TYPE_CHECKING:
    from tutela.requests.answering import Completion

OutOpt = Annotated[Path, typer.Option("--out", "-o", help="The file to write the answer to.")]
LangOpt = Annotated[str, typer.Option("--lang", help="The subject's language: en, fr, nl, de.")]


def register(app: typer.Typer) -> None:
    """Add this module's commands to ``app`` (the ``tutela requests`` group)."""
    for name, command in (
        ("verify", verify),
        ("complete", complete),
        ("fee", fee),
        ("forward", forward),
        ("export", export),
        ("link", link),
        ("download", download),
        ("purge", purge),
        ("notify", notify),
        ("recipients", recipients),
        ("lift", lift),
        ("lift-due", lift_due),
    ):
        app.command(name)(user_errors(command))


def verify(
    context: typer.Context,
    identifier: IdArg,
    send: Annotated[bool, typer.Option("--send", help="Mail a new code to the subject.")] = False,
    code: Annotated[str | None, typer.Option("--code", help="The code the subject typed.")] = None,
    accept: Annotated[
        bool, typer.Option("--accept", help="Staff verified the subject or agent by other means.")
    ] = False,
    evidence: Annotated[
        str | None, typer.Option("--evidence", help="What staff accepted (no personal data).")
    ] = None,
    source: Annotated[str, typer.Option("--source", help="Where the code was asked from.")] = "cli",
    lang: LangOpt = "en",
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Verify the subject: mail a code (--send), check one (--code), or accept (--accept)."""
    if sum((send, code is not None, accept)) != 1:
        raise RequestError("give exactly one of --send, --code CODE, --accept --evidence TEXT")
    steps = application(context).verification()
    if send:
        sent = steps.send_code(identifier, source=source, lang=lang, actor=who(actor))
        typer.echo(f"code sent; valid until {sent.expires_at.isoformat()}", err=True)
        _print(sent.request, output_format)
    elif accept:
        _print(steps.accept(identifier, evidence or "", actor=who(actor)), output_format)
    else:
        checked = steps.check_code(identifier, code, actor=who(actor))
        if not checked.outcome == "verified":
            raise RequestError(f"{checked.outcome.message} ({checked.attempts_left} attempts left)")
        _print(checked.request, output_format)


def complete(
    context: typer.Context,
    identifier: IdArg,
    programme: ProgrammeOpt = None,
    lang: LangOpt = "en",
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Run the request on the systems, keep its answer, tell recipients, mark it completed."""
    app_ = application(context)
    loaded = _programme(context, programme)
    dsr = app_.dsr_service(loaded)
    try:
        done = app_.answering(loaded).complete(identifier, dsr, lang=lang, actor=who(actor))
    finally:
        dsr.close()
    if done.notifications:  # the first attempt now; `tutela requests notify` retries
        app_.deliver_notifications(loaded)
    url, _until = app_.answering(loaded).link(done.request.id)
    _completion(done, url, output_format)


def _completion(done: Completion, url: str, output_format: str) -> None:
    answer = done.answer
    document = {
        **_document(done.request),
        "answer": {
            "kind": str(answer.kind),
            "digest": answer.digest,
            "size": answer.size,
            "expires_at": answer.expires_at.isoformat(),
            "link": url,
        },
        "recipients_notified": [n.recipient for n in done.notifications],
        "recipients_unreachable": list(done.unreachable),
        "processor_systems": list(done.processor_systems),
    }
    if output_format == "json":
        typer.echo(json.dumps(document, indent=2))
        return
    _print(done.request, output_format)
    typer.echo(f"  answer: {answer.kind}, {answer.size} bytes, until {answer.expires_at:%Y-%m-%d}")
    typer.echo(f"  link: {url}")
    for n in done.notifications:
        typer.echo(f"  recipient told (Art. 19): {n.recipient}")
    for name in done.unreachable:
        typer.echo(f"  recipient to tell by hand (no contact in the programme): {name}")
    for system in done.processor_systems:
        typer.echo(
            f"  processor data in {system}: forward with "
            "`tutela requests forward ID --customer KEY` if the subject is a customer's user"
        )


def fee(
    context: typer.Context,
    identifier: IdArg,
    amount: Annotated[str | None, typer.Option("--amount", help="e.g. 12.50")] = None,
    currency: Annotated[str, typer.Option("--currency", help="ISO 4217 code.")] = "EUR",
    basis: Annotated[
        str | None, typer.Option("--basis", help="The administrative costs the fee is based on.")
    ] = None,
    unfounded: Annotated[bool, typer.Option("--unfounded", help="Manifestly unfounded.")] = False,
    further_copy: Annotated[
        bool, typer.Option("--further-copy", help="A further copy of an access answer (15(3)).")
    ] = False,
    paid: Annotated[bool, typer.Option("--paid", help="Record that the fee was paid.")] = False,
    programme: ProgrammeOpt = None,
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Ask a reasonable fee with the notice owed (DL-7), or record its payment.

    Only for a manifestly unfounded or excessive request (Art. 12(5)(a)) or a further
    copy of an access answer (Art. 15(3)); answering and the first copy are free.
    """
    if paid:
        steps = application(context).staff_steps()
        _print(steps.fee_paid(identifier, actor=who(actor)), output_format)
        return
    if amount is None or basis is None:
        raise RequestError("a fee needs --amount and --basis (or --paid to record payment)")
    steps = application(context).staff_steps(_programme(context, programme))
    decided = steps.fee(
        identifier,
        amount,
        currency,
        basis,
        unfounded=unfounded,
        further_copy=further_copy,
        actor=who(actor),
    )
    _print(decided.request, output_format, notice=decided.notice)


def forward(
    context: typer.Context,
    identifier: IdArg,
    customer: Annotated[str, typer.Option("--customer", help="The DPA register's customer key.")],
    programme: ProgrammeOpt = None,
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Forward a request about processor data to the customer (PR-2) and tell the subject."""
    steps = application(context).staff_steps(_programme(context, programme))
    decided = steps.forward(identifier, customer, actor=who(actor), purge=False)
    application(context).answering(steps.programme).closing_letter(
        decided.request.id, actor=who(actor)
    )
    _print(decided.request, output_format, notice=decided.notice)


def export(context: typer.Context, identifier: IdArg, out: OutOpt, actor: ActorOpt = None) -> None:
    """Write the request's answer to a file, for staff to deliver; ledgered as a download."""
    answer, body = application(context).answering().export(identifier, actor=who(actor))
    _write(out, body)
    typer.echo(f"{answer.kind} written to {out} ({answer.size} bytes, sha256 {answer.digest})")


def link(context: typer.Context, identifier: IdArg) -> None:
    """Print the signed download link of the request's answer and its expiry."""
    url, until = application(context).answering().link(identifier)
    typer.echo(url)
    typer.echo(f"valid until {until.isoformat()}", err=True)


def download(
    context: typer.Context,
    token: Annotated[str, typer.Argument(metavar="TOKEN", help="The link's token= value.")],
    out: OutOpt,
) -> None:
    """Fetch an answer through its signed link's token, as the subject would; ledgered."""
    answer, body = application(context).answering().download(token)
    _write(out, body)
    typer.echo(f"{answer.kind} written to {out} ({answer.size} bytes)")


def purge(context: typer.Context, actor: ActorOpt = None) -> None:
    """Purge the answers whose delivery window has ended (each purge ledgered)."""
    purged = application(context).answering().purge(actor=who(actor))
    typer.echo(f"{len(purged)} answer(s) purged")


def notify(context: typer.Context, programme: ProgrammeOpt = None) -> None:
    """Send the recipients' notifications due now (Art. 19), retrying on schedule."""
    report = application(context).deliver_notifications(_programme(context, programme))
    typer.echo(f"{report.delivered} delivered, {report.retrying} to retry, {report.failed} failed")


def recipients(
    context: typer.Context, identifier: IdArg, output_format: FormatOpt = "text"
) -> None:
    """List the recipients told of the request; the subject may ask (Art. 19)."""
    found = application(context).answering().recipients(identifier)
    if output_format == "json":
        typer.echo(json.dumps([_notification(n) for n in found], indent=2))
        return
    for n in found:
        typer.echo(f"{n.recipient}  {n.channel}  {n.state}  attempts {n.attempts}")
    if not found:
        typer.echo("no recipient was told of this request")


def _notification(n: object) -> dict[str, object]:
    from tutela.requests.keeping import NotificationRecord

    assert isinstance(n, NotificationRecord)
    return {
        "recipient": n.recipient,
        "channel": str(n.channel),
        "state": str(n.state),
        "attempts": n.attempts,
        "delivered_at": n.delivered_at.isoformat() if n.delivered_at else None,
        "last_error": n.last_error,
    }


def _write(out: Path, body: bytes) -> None:
    try:
        out.write_bytes(body)
    except OSError as error:
        raise RequestError(f"cannot write {out}: {error.strerror}") from None
