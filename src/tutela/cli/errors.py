"""One table from error type to exit code, the printing of user errors, and how apps are made."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from tutela.errors import (
    ConfigurationError,
    ConnectorError,
    PolicyError,
    PolicyErrors,
    RequestError,
    StoreError,
    TutelaError,
)

EXIT_CODES: dict[type[TutelaError], int] = {
    PolicyErrors: 2,
    PolicyError: 2,
    RequestError: 4,
    ConnectorError: 5,
    StoreError: 6,
    ConfigurationError: 7,
}
"""Exit code per error type. 1 = check found errors, 3 = material statement change."""


def exit_code(error: TutelaError) -> int:
    """The exit code for ``error`` (the most specific type in :data:`EXIT_CODES` wins)."""
    for kind in type(error).__mro__:
        if kind in EXIT_CODES:
            return EXIT_CODES[kind]
    return 2


def report(error: TutelaError) -> int:
    """Print ``error`` for a person on stderr, no traceback; return its exit code."""
    sys.stderr.write(f"error: {error}\n")
    return exit_code(error)


P = ParamSpec("P")
R = TypeVar("R")


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command so a :class:`TutelaError` prints cleanly and sets the exit code."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except TutelaError as error:
            raise typer.Exit(report(error)) from None

    return run


def command_group(help_text: str, **options: object) -> typer.Typer:
    """A Typer app for a command or group of commands, as every tutela command is made.

    Help is plain text (``rich_markup_mode=None``): rendering it with Rich would
    import Rich and Markdown parsers and add a tenth of a second to ``--help``.
    """
    settings: dict[str, object] = {
        "no_args_is_help": True,
        "pretty_exceptions_enable": False,
        "rich_markup_mode": None,
        **options,
    }
    return typer.Typer(help=help_text, **settings)  # type: ignore[arg-type]
