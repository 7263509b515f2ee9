"""Which connector type builds which connector: the ``connectors`` kind of :mod:`tutela.plugins`.

A connector type (``connector.type`` in the programme) names a factory
``(system, env) -> Connector``. The built-ins are declared in
:data:`tutela.plugins.CONNECTORS` (``sql``); plug-ins add theirs through the
entry-point group ``tutela.connectors``::

    [project.entry-points."tutela.connectors"]
    mongodb = "tutela_mongodb:connector_for"

Entry points are listed on first use and each is imported only when a system
asks for its type (so listing connectors imports neither SQLAlchemy nor any
plug-in). Two connectors with one name are an error, never a silent override.
Every connector should pass :mod:`tutela.connectors.contract`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib.metadata import EntryPoint

from tutela.errors import ConfigurationError
from tutela.plugins import BUILT_IN_ORIGIN, CONNECTORS, Loader, Registry, Target, installed
from tutela.ports import Connector
from tutela.programme.models import System

ConnectorFactory = Callable[[System, Mapping[str, str]], Connector]
"""Builds the connector of a system; ``env`` holds the environment variables it may read."""

GROUP = CONNECTORS.group
"""The entry-point group plug-ins register their connector factories in."""

BUILTINS: Mapping[str, Target] = CONNECTORS.builtins
"""The connectors tutela ships, as import paths, registered exactly as plug-ins are."""

BUILTIN_ORIGIN = BUILT_IN_ORIGIN


def as_factory(loaded: object) -> ConnectorFactory:
    """``loaded`` if it can build connectors (a callable); TypeError otherwise."""
    if not callable(loaded):
        raise TypeError(f"found {type(loaded).__name__}, which is not callable")
    return loaded


class ConnectorRegistry:
    """Connector types by name: the built-ins and the installed plug-ins.

    Without arguments it is the process's registry (:func:`tutela.plugins.installed`).
    ``builtins`` replaces the built-in factories; ``plugins`` lists entry points
    (default: the installed ``tutela.connectors`` group) and is called once, on first use.
    """

    def __init__(
        self,
        builtins: Mapping[str, ConnectorFactory] | None = None,
        plugins: Callable[[], Iterable[EntryPoint]] | None = None,
    ) -> None:
        if builtins is None and plugins is None:
            self._registry = installed(CONNECTORS)
        else:
            given = None if builtins is None else {n: _given(f) for n, f in builtins.items()}
            self._registry = Registry(CONNECTORS, builtins=given, plugins=plugins)

    def available(self) -> list[tuple[str, str]]:
        """Every connector type with where it comes from, sorted by name."""
        return sorted((entry.name, entry.origin) for entry in self._registry.entries())

    def factory(self, name: str) -> ConnectorFactory:
        """The factory of connector type ``name`` (a plug-in is imported now, once)."""
        known = self._registry.names()
        if name not in known:
            raise ConfigurationError(
                f"unknown connector type {name!r} (installed: {', '.join(known)})"
            )
        return self._registry.load(name, as_factory)

    def connector_for(self, system: System, env: Mapping[str, str]) -> Connector:
        """The connector of ``system``; ``env`` supplies the variables its settings name.

        Raises :class:`ConfigurationError` when the system has no connector, the
        type is unknown or the plug-in cannot be loaded.
        """
        if system.connector is None:
            raise ConfigurationError(
                f"system {system.key!r} has no connector; add one (type and url or url_env)"
            )
        try:
            factory = self.factory(system.connector.type)
        except ConfigurationError as error:
            raise ConfigurationError(f"system {system.key!r}: {error}") from None
        return factory(system, env)


def _given(factory: ConnectorFactory) -> Loader:
    return lambda: factory


@cache
def default_registry() -> ConnectorRegistry:
    """The registry of this process: built-ins plus installed plug-ins (one per process)."""
    return ConnectorRegistry()


def connector_for(system: System, env: Mapping[str, str]) -> Connector:
    """The connector of ``system`` from :func:`default_registry`."""
    return default_registry().connector_for(system, env)
