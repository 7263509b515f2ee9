"""The installed detectors: tutela's built-ins and plug-ins, loaded the same way.

The built-ins are declared in :data:`tutela.plugins.DETECTORS` (one module per
detector under :mod:`tutela.discovery.detectors`); plug-ins add theirs under the
entry-point group ``tutela.detectors``. An entry point names a detector, a class
whose instances are, or a list of detectors (one national scheme per country, say).
Nothing is imported until the detectors are asked for, and then once per process.
"""

from __future__ import annotations

from dataclasses import dataclass

from tutela.discovery.models import ColumnNameDetector, Detector
from tutela.plugins import DETECTORS, Registry, installed

ENTRY_POINT_GROUP = DETECTORS.group
"""The entry-point group plug-ins register their detectors in."""

AnyDetector = Detector | ColumnNameDetector


def as_detectors(loaded: object) -> list[AnyDetector]:
    """``loaded`` as a list of detectors (a class is instantiated); TypeError otherwise."""
    items = list(loaded) if isinstance(loaded, list | tuple) else [loaded]
    found: list[AnyDetector] = []
    for item in items:
        if isinstance(item, type):
            try:
                item = item()
            except Exception as error:
                raise TypeError(f"calling it without arguments failed: {error}") from error
        if not isinstance(item, Detector | ColumnNameDetector):
            raise TypeError(f"found {type(item).__name__}, not a Detector or ColumnNameDetector")
        found.append(item)
    return found


@dataclass(frozen=True)
class Installed:
    """The loaded detectors, split by what they read: values and text, or column names."""

    values: tuple[Detector, ...]
    names: tuple[ColumnNameDetector, ...]

    def by_name(self, name: str) -> Detector:
        """The value detector called ``name``; KeyError when none is."""
        for detector in self.values:
            if detector.name == name:
                return detector
        raise KeyError(name)


_LOADED: dict[int, Installed] = {}


def detectors(registry: Registry | None = None) -> Installed:
    """Every installed detector (imports them all, once per registry).

    Raises ConfigurationError when a plug-in reuses a name, fails to import or is
    not a detector.
    """
    chosen = registry or installed(DETECTORS)
    cached = _LOADED.get(id(chosen))
    if cached is not None:
        return cached
    loaded = chosen.load_all(as_detectors)
    values = [d for group in loaded.values() for d in group if isinstance(d, Detector)]
    names = [d for group in loaded.values() for d in group if not isinstance(d, Detector)]
    result = Installed(tuple(values), tuple(names))
    _LOADED[id(chosen)] = result
    return result
