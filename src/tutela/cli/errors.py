"""One table from error type to exit code, the printing of user errors, and how apps are made."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer

from tutela.errors import (
    AnonymisationError,
    ConfigurationError,
    ConnectorError,
    PolicyError,
    PolicyErrors,
    ReleaseRefused,
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
    ReleaseRefused: 1,
    AnonymisationError: 2,
}
"""Exit code per error type. 1 = check found errors, 3 = material statement change."""

INTERNAL_ERROR = 70
"""Exit code of an unexpected failure, a bug in tutela (``EX_SOFTWARE`` of sysexits.h)."""

INTERRUPTED = 130
"""Exit code when the user interrupts a command (Ctrl-C), as shells report it."""

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+")
_LONGEST = 300


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


def report_internal(error: Exception) -> int:
    """Print an unexpected ``error`` as one line on stderr, no traceback; return 70.

    The line names the exception's type and its first line, shortened, with any
    URL in it shown through :func:`tutela.connectors.urls.render_url` (no password).
    """
    lines = str(error).strip().splitlines()
    text = _hide_urls(lines[0] if lines else "")
    if len(text) > _LONGEST:
        text = text[: _LONGEST - 3] + "..."
    sys.stderr.write(
        f"internal error: {type(error).__name__}: {text} "
        "(a bug in tutela: please report it with the command you ran, without secrets)\n"
    )
    return INTERNAL_ERROR


def _hide_urls(text: str) -> str:
    if "://" not in text:
        return text
    from tutela.connectors.urls import render_url

    return _URL.sub(lambda found: render_url(found.group(0)), text)


P = ParamSpec("P")
R = TypeVar("R")


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Decorate a command so no traceback reaches the user.

    A :class:`TutelaError` prints its message and exits with its code from
    :data:`EXIT_CODES`; Ctrl-C exits with :data:`INTERRUPTED`; any other
    exception is a bug and prints one line (:func:`report_internal`), exit
    :data:`INTERNAL_ERROR`. Typer's exits and usage errors (``BadParameter``) pass through.
    """

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except TutelaError as error:
            raise typer.Exit(report(error)) from None
        except (typer.Exit, typer.Abort, typer.TyperException):  # Typer's exits and usage errors
            raise
        except KeyboardInterrupt:
            sys.stderr.write("interrupted\n")
            raise typer.Exit(INTERRUPTED) from None
        except Exception as error:  # the last resort: a bug, told in one line
            raise typer.Exit(report_internal(error)) from None

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
