"""Which connector type builds which connector: built-ins plus plug-ins.

A connector type (``connector.type`` in the programme) names a factory
``(system, env) -> Connector``. The built-ins are declared in :data:`BUILTINS`;
plug-ins add theirs through the entry-point group ``tutela.connectors``::

    [project.entry-points."tutela.connectors"]
    mongodb = "tutela_mongodb:connector_for"

Entry points are listed on first use and each is imported only when a
system asks for its type. Two connectors with one name are an error, never a
silent override. Every connector should pass :mod:`tutela.connectors.contract`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from tutela.connectors.sql import SqlConnector
from tutela.errors import ConfigurationError
from tutela.ports import Connector
from tutela.programme.models import System

ConnectorFactory = Callable[[System, Mapping[str, str]], Connector]
"""Builds the connector of a system; ``env`` holds the environment variables it may read."""

GROUP = "tutela.connectors"
"""The entry-point group plug-ins register their connector factories in."""

BUILTINS: dict[str, ConnectorFactory] = {"sql": SqlConnector.from_system}
"""The connectors tutela ships, registered exactly as plug-ins are."""

BUILTIN_ORIGIN = "built-in (tutela)"


@dataclass
class _Entry:
    origin: str
    factory: ConnectorFactory | None = None
    entry_point: EntryPoint | None = None


class ConnectorRegistry:
    """Connector types by name: the built-ins and the installed plug-ins.

    ``plugins`` lists entry points (default: the installed ``tutela.connectors``
    group); it is called once, on first use.
    """

    def __init__(
        self,
        builtins: Mapping[str, ConnectorFactory] | None = None,
        plugins: Callable[[], Iterable[EntryPoint]] | None = None,
    ) -> None:
        self._builtins = dict(BUILTINS if builtins is None else builtins)
        self._plugins = plugins or _installed_entry_points
        self._entries: dict[str, _Entry] | None = None
        self._lock = threading.Lock()

    def available(self) -> list[tuple[str, str]]:
        """Every connector type with where it comes from, sorted by name."""
        return sorted((name, entry.origin) for name, entry in self._catalogue().items())

    def factory(self, name: str) -> ConnectorFactory:
        """The factory of connector type ``name`` (a plug-in is imported now, once)."""
        entry = self._catalogue().get(name)
        if entry is None:
            known = ", ".join(sorted(self._catalogue()))
            raise ConfigurationError(f"unknown connector type {name!r} (installed: {known})")
        if entry.factory is None:
            entry.factory = _load(name, entry)
        return entry.factory

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

    def _catalogue(self) -> dict[str, _Entry]:
        with self._lock:
            if self._entries is None:
                self._entries = _merge(self._builtins, self._plugins())
            return self._entries


def _installed_entry_points() -> Iterable[EntryPoint]:
    return entry_points(group=GROUP)


def _merge(
    builtins: Mapping[str, ConnectorFactory], plugins: Iterable[EntryPoint]
) -> dict[str, _Entry]:
    entries = {name: _Entry(BUILTIN_ORIGIN, factory=factory) for name, factory in builtins.items()}
    for entry_point in plugins:
        origin = _origin(entry_point)
        if entry_point.name in entries:
            raise ConfigurationError(
                f"two connectors are named {entry_point.name!r}: "
                f"{entries[entry_point.name].origin} and {origin}; uninstall one"
            )
        entries[entry_point.name] = _Entry(origin, entry_point=entry_point)
    return entries


def _origin(entry_point: EntryPoint) -> str:
    distribution = getattr(entry_point, "dist", None)
    package = f"{distribution.name} {distribution.version}" if distribution else "unknown package"
    return f"plug-in {package} ({entry_point.value})"


def _load(name: str, entry: _Entry) -> ConnectorFactory:
    if entry.entry_point is None:
        raise ConfigurationError(f"connector {name!r} has neither a factory nor an entry point")
    try:
        factory = entry.entry_point.load()
    except Exception as error:  # a broken plug-in must not take tutela down with a traceback
        raise ConfigurationError(
            f"connector {name!r} from {entry.origin} cannot be loaded: {error}"
        ) from error
    if not callable(factory):
        raise ConfigurationError(f"connector {name!r} from {entry.origin} is not callable")
    return factory  # type: ignore[no-any-return]


@cache
def default_registry() -> ConnectorRegistry:
    """The registry of this process: built-ins plus installed plug-ins (built once)."""
    return ConnectorRegistry()


def connector_for(system: System, env: Mapping[str, str]) -> Connector:
    """The connector of ``system`` from :func:`default_registry`."""
    return default_registry().connector_for(system, env)
