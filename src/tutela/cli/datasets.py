"""`tutela datasets` commands: describe a system's data for the programme."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors
from tutela.errors import ConfigurationError

if TYPE_CHECKING:
    from tutela.connectors.reflect import Proposal

app = command_group("Datasets: propose dataset YAML from a database.")


@app.command("reflect")
@user_errors
def reflect(
    context: typer.Context,
    db_url: Annotated[
        str | None,
        typer.Argument(
            metavar="URL",
            help="Database URL, e.g. postgresql://user@host/db (better: --url-env).",
            show_default=False,
        ),
    ] = None,
    url_env: Annotated[
        str | None, typer.Option("--url-env", help="Environment variable holding the URL.")
    ] = None,
    password_env: Annotated[
        str | None,
        typer.Option("--password-env", help="Environment variable holding the password."),
    ] = None,
    key: Annotated[
        str | None,
        typer.Option(
            "--key", help="Dataset key (default: the --as-system key, else the database name)."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the YAML here, not to stdout.")
    ] = None,
    as_system: Annotated[
        str | None,
        typer.Option(
            "--as-system",
            metavar="KEY",
            help="Write a whole runnable `systems:` section: system KEY, its connector "
            "(URL from --url-env, default KEY_URL) and TODO owner and country.",
        ),
    ] = None,
) -> None:
    """Read a database catalog and propose a dataset block (YAML) for review.

    The block lists collections, columns with types and lengths, primary keys,
    foreign keys as references, and guessed categories and identities marked
    `# guessed ...`. Paste it under `datasets:` of the system holding the database,
    or pass --as-system KEY for a `systems:` section that `tutela dsr` runs as is.
    """
    from tutela.connectors.reflect import reflect_database

    _check_key(key, "--key")
    _check_key(as_system, "--as-system")
    if as_system is not None:
        _check_env(url_env, "--url-env")
        _check_env(password_env, "--password-env")
    connector = application(context).database(db_url, url_env=url_env, password_env=password_env)
    try:
        proposal = reflect_database(connector, key or as_system)
    finally:
        connector.close()
    text, what = _render(proposal, as_system, url_env, password_env, connector.url)
    _write(text, output)
    sys.stderr.write(f"wrote {what} to {output or 'stdout'}\n")


_KEY = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")
_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def _check_key(value: str | None, option: str) -> None:
    if value is not None and not (_KEY.match(value) and len(value) <= 120):
        raise typer.BadParameter(
            f"{value!r} is not a programme key: use lower-case letters, digits, `_`, `-`, `.`",
            param_hint=option,
        )


def _check_env(name: str | None, option: str) -> None:
    if name is not None and not _ENV.match(name):
        raise typer.BadParameter(
            f"{name!r} cannot be written as a connector's variable: use upper-case letters, "
            "digits and `_`, e.g. SHOP_URL",
            param_hint=option,
        )


def _render(
    proposal: Proposal,
    system: str | None,
    url_env: str | None,
    password_env: str | None,
    source: str,
) -> tuple[str, str]:
    """The YAML to write and what it is: a dataset block, or a system with its connector."""
    from tutela.connectors.reflect import render_proposal, render_system
    from tutela.programme.skeleton import url_env_for

    count = len(proposal.dataset.collections)
    if system is None:
        return render_proposal(proposal, source=source), f"a dataset block ({count} collections)"
    env = url_env or url_env_for(system)
    text = render_system(
        proposal, system=system, url_env=env, password_env=password_env, source=source
    )
    return text, f"system {system!r} ({count} collections; its URL is read from ${env})"


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot write {output}: {error.strerror}") from None
