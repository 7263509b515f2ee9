"""``tutela requests lift`` and ``lift-due``: lift a restriction, the subject told first (RS-3).

``lift ID --lifts-at WHEN`` mails the subject of a completed restriction that it will be
lifted at WHEN and why (Art. 18(3)); ``lift-due`` lifts every restriction whose date has
come: the systems' flag is set false, the restriction records end, the identity is purged.
Registered on the ``tutela requests`` group by :mod:`tutela.cli.request_steps`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated

import typer

from tutela.cli.context import application
from tutela.cli.requests import ActorOpt, FormatOpt, IdArg, ProgrammeOpt, _print, _programme, who
from tutela.errors import RequestError

LiftsAtOpt = Annotated[
    str,
    typer.Option(
        "--lifts-at",
        help="When the restriction lifts: ISO 8601 with a UTC offset, e.g. 2026-05-01T09:00+02:00.",
    ),
]


def lift(
    context: typer.Context,
    identifier: IdArg,
    lifts_at: LiftsAtOpt,
    programme: ProgrammeOpt = None,
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Tell the subject a completed restriction will be lifted at --lifts-at, and why (RS-3)."""
    when = lift_time(lifts_at)
    loaded = _programme(context, programme)
    record = application(context).lifting(loaded).notify(identifier, when, actor=who(actor))
    if output_format == "text":
        typer.echo(f"subject told; the restriction lifts at {when.isoformat()}", err=True)
    _print(record, output_format)


def lift_due(
    context: typer.Context,
    programme: ProgrammeOpt = None,
    actor: ActorOpt = None,
    output_format: FormatOpt = "text",
) -> None:
    """Lift every restriction whose notified date has come (flag false, identity purged)."""
    app_ = application(context)
    loaded = _programme(context, programme)
    dsr = app_.dsr_service(loaded)
    try:
        lifted = app_.lifting(loaded).lift_due(dsr, actor=who(actor))
    finally:
        dsr.close()
    if output_format == "json":
        typer.echo(json.dumps({"lifted": lifted}, indent=2))
        return
    for request in lifted:
        typer.echo(f"restriction lifted: request {request}")
    typer.echo(f"{len(lifted)} restriction(s) lifted")


def lift_time(text: str) -> datetime:
    """``text`` as an aware time; RequestError saying how to write it otherwise."""
    try:
        moment = datetime.fromisoformat(text.strip()) if len(text) <= 64 else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or moment.utcoffset() is None:
        raise RequestError(
            "--lifts-at is a date and time with a UTC offset, e.g. 2026-05-01T09:00+02:00"
        )
    return moment
