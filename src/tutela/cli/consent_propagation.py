"""`tutela consent propagate | deliveries`: push consent changes to systems, and track them.

``propagate`` sends the deliveries due now to the systems' ``consent_webhook`` (signed,
retried on schedule, each outcome ledgered); ``deliveries`` lists what is tracked: ids,
events, systems, states, attempts and errors, never an identity. Exit 4 for an unknown
``--state``, 6 when the store fails, 7 when the store key or a setting is missing.
Registered on the ``tutela consent`` group by :mod:`tutela.cli.consent`; see
docs/propagation.md.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.consent import ProgrammeArg
from tutela.cli.context import application
from tutela.cli.errors import user_errors
from tutela.cli.requests import FormatOpt
from tutela.errors import RequestError

if TYPE_CHECKING:
    from pathlib import Path

    from tutela.consent.propagation import Delivery, DeliveryState
    from tutela.programme.models import Programme

StateOpt = Annotated[
    str | None,
    typer.Option(
        "--state", help="Only deliveries in this state: pending, retry, delivered, failed."
    ),
]


def propagate(context: typer.Context, path: ProgrammeArg) -> None:
    """Send the consent changes due now to the systems' webhooks, retrying on schedule."""
    report = application(context).deliver_propagations(_programme(path))
    typer.echo(f"{report.delivered} delivered, {report.retrying} to retry, {report.failed} failed")


def deliveries(
    context: typer.Context,
    path: ProgrammeArg,
    state: StateOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """List the tracked deliveries of consent changes to systems (no identity)."""
    from tutela.store.propagation import SqlPropagationStore

    _programme(path)  # the programme is checked, as by `propagate`
    chosen = _state(state)
    ledger = application(context).ledger()
    found = SqlPropagationStore(ledger.engine, ledger).deliveries(state=chosen)
    if output_format == "json":
        typer.echo(json.dumps([_document(d) for d in found], indent=2))
        return
    if not found:
        typer.echo("no deliveries")
    for d in found:
        due = f" next {d.next_at.isoformat()}" if d.next_at else ""
        error = f" ({d.last_error})" if d.last_error else ""
        typer.echo(
            f"{d.id} event {d.event_id} {d.system} {d.state.value} "
            f"attempts {d.attempts}{due}{error}"
        )


def register(app: typer.Typer) -> None:
    """Add ``propagate`` and ``deliveries`` to the ``tutela consent`` group."""
    app.command("propagate")(user_errors(propagate))
    app.command("deliveries")(user_errors(deliveries))


def _programme(path: Path) -> Programme:
    from tutela.programme.loader import load_programme

    return load_programme(path)


def _state(text: str | None) -> DeliveryState | None:
    from tutela.consent.propagation import DeliveryState

    if text is None:
        return None
    try:
        return DeliveryState(text)
    except ValueError:
        known = ", ".join(s.value for s in DeliveryState)
        raise RequestError(f"--state: one of {known}") from None


def _document(delivery: Delivery) -> dict[str, object]:
    """The delivery as JSON-ready values: ids, states, times in ISO 8601; no identity."""
    return {
        "id": delivery.id,
        "event": delivery.event_id,
        "system": delivery.system,
        "state": delivery.state.value,
        "attempts": delivery.attempts,
        "next_at": None if delivery.next_at is None else delivery.next_at.isoformat(),
        "created_at": delivery.created_at.isoformat(),
        "delivered_at": None
        if delivery.delivered_at is None
        else delivery.delivered_at.isoformat(),
        "last_error": delivery.last_error,
    }
