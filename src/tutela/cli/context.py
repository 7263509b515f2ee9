"""The application of the running command: built by bootstrap once per command line."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

    from tutela.bootstrap import Application


def application(context: typer.Context) -> Application:
    """The :class:`~tutela.bootstrap.Application` of this invocation, built on first use.

    Kept on the root context, so every part of one command line shares it and a
    new invocation (a test, a step of ``tutela demo``, which passes its own) reads
    its settings anew.
    """
    from tutela import bootstrap

    root = context.find_root()
    if not isinstance(root.obj, bootstrap.Application):
        root.obj = bootstrap.build()
    return root.obj
