"""Erasure strategies (ER-1, Art. 17(1)): one module per strategy, found by name.

The strategies are the ``masking`` kind of :mod:`tutela.plugins`: the built-ins
(``null``, ``fixed``, ``hash``, ``random``, ``delete``, one module each) are
declared in :data:`tutela.plugins.MASKING`, plug-ins add theirs under the
entry-point group ``tutela.masking``. An entry point names a :class:`Masker`, or a
class whose instances are; the name programmes write is the entry point's name.
Nothing here imports a strategy until it is asked for.
"""

from __future__ import annotations

from tutela.errors import RequestError
from tutela.plugins import MASKING, Registry, installed
from tutela.rights.strategies.base import (
    MASK_KINDS,
    ColumnCheck,
    ColumnSpec,
    Masker,
    MaskKind,
    column_domain,
    integer_bits,
    shared_domain,
)

__all__ = [
    "BUILTINS",
    "ENTRY_POINT_GROUP",
    "ColumnCheck",
    "ColumnSpec",
    "MaskKind",
    "Masker",
    "as_masker",
    "column_domain",
    "integer_bits",
    "masker",
    "shared_domain",
    "strategies",
]

ENTRY_POINT_GROUP = MASKING.group
"""The entry-point group plug-ins register their strategies in."""

BUILTINS = MASKING.builtins
"""The strategies tutela ships, by name, as import paths (registered as plug-ins are)."""


def as_masker(loaded: object) -> Masker:
    """``loaded`` as a strategy (a class is instantiated without arguments); TypeError otherwise."""
    if isinstance(loaded, type):
        try:
            loaded = loaded()
        except Exception as error:
            raise TypeError(f"calling it without arguments failed: {error}") from error
    if not isinstance(loaded, Masker):
        raise TypeError(f"found {type(loaded).__name__}")
    if loaded.kind not in MASK_KINDS:
        raise TypeError(f"its kind is {loaded.kind!r}")
    return loaded


def strategies(registry: Registry | None = None) -> dict[str, Masker]:
    """Every strategy by name: built-ins plus plug-ins (imports them all, once).

    ``registry`` defaults to the process's. Raises ConfigurationError when a
    plug-in reuses a name, fails to import or is not a Masker.
    """
    return (registry or installed(MASKING)).load_all(as_masker)


def masker(name: str, registry: Registry | None = None) -> Masker:
    """The strategy called ``name``; RequestError naming the installed ones otherwise.

    A plug-in is imported on first use; ConfigurationError if it cannot be.
    """
    found = registry or installed(MASKING)
    known = found.names()
    if name not in known:
        raise RequestError(f"unknown masking strategy {name!r}; installed: {', '.join(known)}")
    return found.load(name, as_masker)
