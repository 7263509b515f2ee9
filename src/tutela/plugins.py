"""The one registry of tutela's extension points: built-ins and entry-point plug-ins.

Every extension point is a :class:`Kind`, declared here in :data:`KINDS`: its
entry-point group, what an entry point must point to, and an explicit dict of
built-ins written the way a plug-in's ``pyproject.toml`` writes its entry points
(``"module:attribute"``). Built-ins are therefore listed, versioned and loaded
exactly as plug-ins are::

    [project.entry-points."tutela.masking"]
    shred = "acme_tutela.shred:ShredMasker"

Lazy, and cheap to import (stdlib and :mod:`tutela.errors` only): a kind's entry
points are listed on first use, under a lock; an entry is imported only when its
item is asked for (:meth:`Registry.load`) or the whole kind is enumerated
(:meth:`Registry.load_all`). Listing never imports a plug-in, so one broken
plug-in cannot hide the others.

Errors are :class:`~tutela.errors.ConfigurationError`, never a traceback: two
entries with one name (naming both owners), an unknown name (naming the installed
ones), a plug-in that fails to import or points at the wrong kind of object
(naming the plug-in). The kind-specific modules (``tutela.connectors.registry``,
``tutela.checks.registry``, ``tutela.rights.strategies``) only check the type of
what they load and give it their own typed API.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, cast

from tutela.errors import ConfigurationError

if TYPE_CHECKING:  # importlib.metadata is imported on first use: it costs ~40 ms
    from importlib.metadata import EntryPoint

T = TypeVar("T")

Loader = Callable[[], object]
"""A built-in given as a zero-argument callable returning the object (tests, embedding)."""

Target = str | Loader
"""Where a built-in lives: ``"module:attribute"`` (as an entry point writes it) or a loader."""

Accept = Callable[[object], T]
"""Checks and converts a loaded object; raises :class:`TypeError` when it is the wrong kind."""

BUILT_IN_ORIGIN = "built-in (tutela)"
"""The origin every built-in entry reports."""


@dataclass(frozen=True, eq=False)
class Kind:
    """One extension point: its entry-point group, what it expects and its built-ins.

    ``noun`` and ``plural`` name an item in messages (``masking strategy``);
    ``expects`` says what an entry point must point to; ``builtins`` maps each
    built-in name to its target, resolved only on first use.
    """

    name: str
    noun: str
    plural: str
    group: str
    expects: str
    builtins: Mapping[str, Target] = field(default_factory=dict)


CONNECTORS = Kind(
    name="connectors",
    noun="connector",
    plural="connectors",
    group="tutela.connectors",
    expects="a connector factory: a callable (system: System, env: Mapping[str, str]) -> Connector",
    builtins={
        "sql": "tutela.connectors.sql:SqlConnector.from_system",
        "memory": "tutela.connectors.memory:MemoryConnector.from_system",
    },
)
CHECKS = Kind(
    name="checks",
    noun="check area",
    plural="check areas",
    group="tutela.checks",
    expects="a Rule or a list of Rules (tutela.checks.rule)",
    builtins={
        "lawfulness": "tutela.checks.rules.lawfulness:RULES",
        "consent": "tutela.checks.rules.consent:RULES",
        "profiling": "tutela.checks.rules.profiling:RULES",
        "inventory": "tutela.checks.rules.inventory:RULES",
        "retention": "tutela.checks.rules.retention:RULES",
        "transfers": "tutela.checks.rules.transfers:RULES",
        "transfer_grounds": "tutela.checks.rules.transfer_grounds:RULES",
        "processors": "tutela.checks.rules.processors:RULES",
        "cookies": "tutela.checks.rules.cookies:RULES",
        "transparency": "tutela.checks.rules.transparency:RULES",
        "rights": "tutela.checks.rules.rights:RULES",
        "completeness": "tutela.checks.rules.completeness:RULES",
        "credentials": "tutela.checks.rules.credentials:RULES",
        "erasure": "tutela.checks.rules.erasure:RULES",
        "rectification": "tutela.checks.rules.rectification:RULES",
        "anonymisation": "tutela.checks.rules.anonymisation:RULES",
        "governance": "tutela.checks.rules.governance:RULES",
        "marketing": "tutela.checks.rules.marketing:RULES",
        "readability": "tutela.checks.rules.readability:RULES",
        "languages": "tutela.checks.rules.languages:RULES",
        "assumptions": "tutela.checks.rules.assumptions:RULES",
    },
)
MASKING = Kind(
    name="masking",
    noun="masking strategy",
    plural="masking strategies",
    group="tutela.masking",
    expects=(
        "a masking strategy: an object (or a class whose instances are) with name, "
        "kind (constant, per_row or delete) and mask(values, column, key)"
    ),
    builtins={
        "null": "tutela.rights.strategies.null:NullMasker",
        "fixed": "tutela.rights.strategies.fixed:FixedMasker",
        "hash": "tutela.rights.strategies.hash:HashMasker",
        "random": "tutela.rights.strategies.random:RandomMasker",
        "delete": "tutela.rights.strategies.delete:DeleteMasker",
    },
)
DETECTORS = Kind(
    name="detectors",
    noun="detector",
    plural="detectors",
    group="tutela.detectors",
    expects=(
        "a personal-data detector (tutela.discovery.models.Detector or ColumnNameDetector), "
        "a class whose instances are, or a list of them"
    ),
    builtins={
        "email": "tutela.discovery.detectors.email:DETECTOR",
        "phone": "tutela.discovery.detectors.phone:DETECTOR",
        "iban": "tutela.discovery.detectors.iban:DETECTOR",
        "payment_card": "tutela.discovery.detectors.payment_card:DETECTOR",
        "national_id": "tutela.discovery.detectors.national_id:DETECTORS",
        "ip_address": "tutela.discovery.detectors.ip_address:DETECTOR",
        "date_of_birth": "tutela.discovery.detectors.date_of_birth:DETECTOR",
        "postcode": "tutela.discovery.detectors.postcode:DETECTOR",
        "street_address": "tutela.discovery.detectors.street_address:DETECTOR",
        "person_name": "tutela.discovery.detectors.person_name:DETECTOR",
        "coordinates": "tutela.discovery.detectors.coordinates:DETECTOR",
        "profile_url": "tutela.discovery.detectors.profile_url:DETECTOR",
        "lookalikes": "tutela.discovery.detectors.lookalikes:DETECTORS",
        "column_name": "tutela.discovery.detectors.column_name:DETECTOR",
    },
)
NOTIFIERS = Kind(
    name="notifiers",
    noun="notifier",
    plural="notifiers",
    group="tutela.notifiers",
    expects="a notifier factory (declared now; notify/ uses it when it lands)",
)
STORAGE = Kind(
    name="storage",
    noun="storage backend",
    plural="storage backends",
    group="tutela.storage",
    expects="a storage backend factory (declared now; store/ uses it when it lands)",
)

KINDS: Mapping[str, Kind] = {
    kind.name: kind for kind in (CONNECTORS, CHECKS, MASKING, DETECTORS, NOTIFIERS, STORAGE)
}
"""Every extension point tutela has, by name, in documentation order."""


@dataclass(frozen=True, eq=False)
class Entry:
    """One named item of a kind: where it comes from and how to import it.

    ``origin`` is ``built-in (tutela)`` or ``plug-in <dist> <version> (<entry point>)``;
    ``version`` is tutela's for built-ins, the distribution's for plug-ins.
    """

    kind: Kind
    name: str
    origin: str
    version: str
    target: Target | EntryPoint

    @property
    def builtin(self) -> bool:
        """True for an entry tutela ships."""
        return self.origin == BUILT_IN_ORIGIN

    def load(self) -> object:
        """Import the entry's object (not cached: :meth:`Registry.load` caches).

        Raises :class:`ConfigurationError` naming the entry when the import fails.
        """
        try:
            if isinstance(self.target, str):
                return _resolve(self.target)
            if callable(self.target):
                return self.target()
            return self.target.load()
        except Exception as error:  # a broken plug-in must not take tutela down
            raise ConfigurationError(
                f"{self.kind.noun} {self.name!r} from {self.origin} cannot be loaded: "
                f"it failed to load with {type(error).__name__}: {error}"
            ) from error


def _resolve(target: str) -> object:
    """Import ``module:attribute.path`` the way an entry point is loaded."""
    module, _, attributes = target.partition(":")
    found: object = importlib.import_module(module)
    for attribute in filter(None, attributes.split(".")):
        found = getattr(found, attribute)
    return found


def duplicate(plural: str, name: str, first: str, second: str) -> ConfigurationError:
    """The error for two items of one name, naming both owners (``first`` came first)."""
    return ConfigurationError(
        f"two {plural} are named {name!r}, a name registered twice: {first} already "
        f"registered it, then {second}; uninstall one of them"
    )


class Registry:
    """The entries of one kind: its built-ins plus its plug-ins, listed once, loaded lazily.

    ``builtins`` defaults to the kind's; ``plugins`` lists entry points (default:
    the installed ones of the kind's group) and is called once, on first use.
    Thread-safe: the first listing and each first load happen under a lock.
    """

    def __init__(
        self,
        kind: Kind,
        *,
        builtins: Mapping[str, Target] | None = None,
        plugins: Callable[[], Iterable[EntryPoint]] | None = None,
    ) -> None:
        self.kind = kind
        self._builtins = dict(kind.builtins if builtins is None else builtins)
        self._plugins = plugins or (lambda: _installed_entry_points(kind.group))
        self._lock = threading.RLock()
        self._entries: dict[str, Entry] | None = None
        self._loaded: dict[tuple[str, Callable[[object], Any]], object] = {}

    def entries(self) -> list[Entry]:
        """Every entry, built-ins first (in declaration order), without importing any."""
        return list(self._catalogue().values())

    def names(self) -> list[str]:
        """The names of every entry, sorted."""
        return sorted(self._catalogue())

    def entry(self, name: str) -> Entry:
        """The entry called ``name``; ConfigurationError naming the installed ones otherwise."""
        found = self._catalogue().get(name)
        if found is None:
            raise ConfigurationError(
                f"no {self.kind.noun} is named {name!r}; installed: "
                f"{', '.join(self.names()) or 'none'} (`tutela plugins list`)"
            )
        return found

    def load(self, name: str, accept: Accept[T]) -> T:
        """The object of entry ``name``, imported now (once) and checked by ``accept``.

        ``accept`` returns the usable object or raises TypeError; that, an unknown
        name or a failed import is a ConfigurationError naming the entry. Pass a
        module-level function: results are cached per (name, accept).
        """
        with self._lock:
            key = (name, accept)
            if key not in self._loaded:
                entry = self.entry(name)
                self._loaded[key] = _accepted(entry, entry.load(), accept)
            return cast(T, self._loaded[key])

    def load_all(self, accept: Accept[T]) -> dict[str, T]:
        """Every entry's object, in :meth:`entries` order (imports the whole kind)."""
        return {entry.name: self.load(entry.name, accept) for entry in self.entries()}

    def refresh(self) -> None:
        """Forget what was listed and loaded: the next use lists the entry points again."""
        with self._lock:
            self._entries = None
            self._loaded.clear()

    def _catalogue(self) -> dict[str, Entry]:
        with self._lock:
            if self._entries is None:
                self._entries = _merge(self.kind, self._builtins, self._plugins())
            return self._entries


def _accepted(entry: Entry, loaded: object, accept: Accept[T]) -> T:
    try:
        return accept(loaded)
    except TypeError as error:
        raise ConfigurationError(
            f"{entry.kind.noun} {entry.name!r} from {entry.origin} is not usable: "
            f"it must point to {entry.kind.expects} ({error})"
        ) from None


def _merge(
    kind: Kind, builtins: Mapping[str, Target], plugins: Iterable[EntryPoint]
) -> dict[str, Entry]:
    version = _tutela_version()
    entries = {
        name: Entry(kind, name, BUILT_IN_ORIGIN, version, target)
        for name, target in builtins.items()
    }
    for point in plugins:
        entry = Entry(kind, point.name, plugin_origin(point), _plugin_version(point), point)
        if point.name in entries:
            raise duplicate(kind.plural, point.name, entries[point.name].origin, entry.origin)
        entries[point.name] = entry
    return entries


def plugin_origin(point: EntryPoint) -> str:
    """``plug-in <dist> <version> (<entry point value>)`` for an entry point."""
    distribution = getattr(point, "dist", None)
    package = f"{distribution.name} {distribution.version}" if distribution else "unknown package"
    return f"plug-in {package} ({point.value})"


def _plugin_version(point: EntryPoint) -> str:
    distribution = getattr(point, "dist", None)
    return str(distribution.version) if distribution else "unknown"


def _installed_entry_points(group: str) -> Iterable[EntryPoint]:
    from importlib.metadata import entry_points

    return entry_points(group=group)


@cache
def _tutela_version() -> str:
    """The installed tutela distribution's version, as plug-ins report theirs."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tutela")
    except PackageNotFoundError:
        return "unknown"


_INSTALLED: dict[str, Registry] = {}
_INSTALLED_LOCK = threading.Lock()


def installed(kind: Kind | str) -> Registry:
    """The registry of this process for ``kind`` (a Kind or its name), built on first use.

    It holds the kind's built-ins plus the installed entry points of its group.
    Raises ConfigurationError for a kind name that is not in :data:`KINDS`.
    """
    if isinstance(kind, str):
        if kind not in KINDS:
            raise ConfigurationError(
                f"no plug-in kind is named {kind!r}; kinds: {', '.join(KINDS)}"
            )
        kind = KINDS[kind]
    with _INSTALLED_LOCK:
        registry = _INSTALLED.get(kind.name)
        if registry is None:
            registry = _INSTALLED[kind.name] = Registry(kind)
        return registry


def refresh() -> None:
    """Make every registry of this process list the installed entry points again.

    For a process that installs a plug-in while it runs (and for tests).
    """
    importlib.invalidate_caches()
    with _INSTALLED_LOCK:
        registries = list(_INSTALLED.values())
    for registry in registries:
        registry.refresh()
