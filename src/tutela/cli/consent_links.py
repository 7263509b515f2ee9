"""`tutela consent link` and `tutela consent receipt`: unsubscribe links and consent receipts.

``link`` prints a subject's one-click unsubscribe link for a purpose and the two headers
marketing mail carries (RFC 8058); ``receipt`` prints the receipt of one choice event
(ISO/IEC TS 27560 and Kantara v1.1 fields), or with ``--link`` the subject's signed
download link. Both read the store (``TUTELA_DATABASE_URL``) and need the hash key (the
subject is a keyed reference) and the store key or the hash key (links are signed).
Exit 4 for a link that cannot be made as asked or an unknown event, 6 when the store
fails, 7 when a key is missing.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated

import typer

from tutela.cli.consent import IdentityOpt, ProgrammeArg, PurposeOpt
from tutela.cli.context import application
from tutela.cli.errors import user_errors
from tutela.cli.requests import FormatOpt, _identities

DaysOpt = Annotated[
    int,
    typer.Option("--days", min=1, max=3650, help="How many days the link works."),
]
EventArg = Annotated[str, typer.Argument(metavar="EVENT_ID", help="The choice event's id.")]
LinkOpt = Annotated[
    bool, typer.Option("--link", help="Print the subject's signed download link instead.")
]


@user_errors
def link(
    context: typer.Context,
    path: ProgrammeArg,
    identity: IdentityOpt,
    purpose: PurposeOpt,
    days: DaysOpt = 180,
    output_format: FormatOpt = "text",
) -> None:
    """Print a one-click unsubscribe link and its List-Unsubscribe headers (RFC 8058)."""
    from tutela.programme.loader import load_programme

    unsubscribing = application(context).unsubscribing(load_programme(path))
    unsubscribing.lifetime = timedelta(days=days)
    url = unsubscribing.unsubscribe_link(_identities(identity), purpose)
    headers = unsubscribing.headers_for(url)
    if output_format == "json":
        typer.echo(json.dumps({"url": url, "headers": headers}, indent=2))
        return
    typer.echo(url)
    for name, value in headers.items():
        typer.echo(f"{name}: {value}")


@user_errors
def receipt(
    context: typer.Context, path: ProgrammeArg, event_id: EventArg, link: LinkOpt = False
) -> None:
    """Print the consent receipt of one choice event as JSON (no identity in clear)."""
    from tutela.programme.loader import load_programme

    receipts = application(context).receipts(load_programme(path))
    if link:
        typer.echo(receipts.receipt_link(receipts.event(event_id)))
        return
    typer.echo(json.dumps(receipts.receipt(event_id), indent=2, ensure_ascii=False))


def register(group: typer.Typer) -> None:
    """Add ``link`` and ``receipt`` to the ``tutela consent`` group."""
    group.command("link")(link)
    group.command("receipt")(receipt)
