"""`tutela store`: look after tutela's own store (``TUTELA_DATABASE_URL``)."""

from __future__ import annotations

from typing import Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.errors import ConfigurationError

app = command_group("tutela's own store: purge what has expired.")


@app.command("purge")
@user_errors
def purge(
    context: typer.Context,
    open_older_than: Annotated[
        str | None,
        typer.Option(
            "--open-older-than",
            help="Also abandon batches left open longer than this (e.g. 30d), "
            "deleting their checkpoints.",
        ),
    ] = None,
) -> None:
    """Delete answers whose delivery window has passed, and (optionally) stale open batches.

    Closed batches keep only their type, size, status, counts and a keyed digest;
    restrictions keep keyed hashes of identities. Nothing else about a subject stays.
    """
    from tutela.programme.durations import Duration

    app_ = application(context)
    now = app_.clock.now()
    before = None
    if open_older_than is not None:
        try:
            age = Duration.parse(open_older_than)
        except ValueError as error:
            raise ConfigurationError(f"--open-older-than: {error}") from None
        before = now - (age.after(now) - now)
    removed = app_.store().purge(now, open_before=before)
    typer.echo(
        f"purged {removed['answers']} expired answer(s); "
        f"abandoned {removed['abandoned']} stale open batch(es)"
    )
