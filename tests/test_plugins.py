"""The one plug-in registry: kinds, built-ins and entry points, lazy loading, errors, the CLI.

Plug-ins are real: a module and a ``*.dist-info`` folder written to a temporary folder;
their entry points come from ``importlib.metadata`` (with their distribution, so origin
and version are the installed package's). Nothing of tutela is mocked.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from importlib.metadata import Distribution, EntryPoint
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutela import plugins
from tutela.cli.main import app
from tutela.errors import ConfigurationError
from tutela.plugins import CONNECTORS, KINDS, MASKING, Registry

PLUGIN = """
from dataclasses import dataclass

IMPORTED = True


@dataclass(frozen=True)
class ShredMasker:
    name: str = "shred"
    kind: str = "per_row"

    def mask(self, values, column, key):
        return ["shredded"] * len(values)


def connector_for(system, env):
    raise NotImplementedError


NOT_A_MASKER = 42
"""

Install = Callable[[str, str, str], list[EntryPoint]]


@pytest.fixture
def module(tmp_path: Path) -> Iterator[str]:
    """A plug-in module on sys.path, named uniquely for this test."""
    name = f"acme_plugin_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(PLUGIN, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        yield name
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop(name, None)


@pytest.fixture
def install(tmp_path: Path) -> Install:
    """Write a distribution (name, version, entry_points.txt); return its entry points."""

    def write(dist: str, version: str, entry_points: str) -> list[EntryPoint]:
        info = tmp_path / "site" / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir(parents=True)
        metadata = f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n"
        (info / "METADATA").write_text(metadata, encoding="utf-8")
        (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")
        return list(Distribution.at(info).entry_points)

    return write


@pytest.fixture
def on_sys_path(tmp_path: Path) -> Iterator[None]:
    """Make the distributions written by ``install`` installed in this process."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    sys.path.insert(0, str(site))
    plugins.refresh()
    try:
        yield
    finally:
        sys.path.remove(str(site))
        plugins.refresh()


def _registry(kind: plugins.Kind, points: list[EntryPoint]) -> Registry:
    return Registry(kind, plugins=lambda: points)


def test_every_kind_declares_its_entry_point_group_and_what_it_expects() -> None:
    assert list(KINDS) == ["connectors", "checks", "masking", "detectors", "notifiers", "storage"]
    for name, kind in KINDS.items():
        assert kind.group == f"tutela.{name}" and kind.expects
        assert all(isinstance(target, str) and ":" in target for target in kind.builtins.values())


def test_every_builtin_module_is_declared_in_its_kind() -> None:
    source = Path(__file__).resolve().parents[1] / "src" / "tutela"
    areas = {p.stem for p in (source / "checks" / "rules").glob("*.py") if p.stem != "__init__"}
    assert set(plugins.CHECKS.builtins) == areas
    strategies = {p.stem for p in (source / "rights" / "strategies").glob("*.py")}
    assert set(MASKING.builtins) == strategies - {"__init__", "base"}


def test_a_plugin_reusing_a_builtin_name_is_an_error_naming_both_owners(
    module: str, install: Install
) -> None:
    points = install("acme-tutela", "1.4.0", f"[tutela.masking]\nhash = {module}:ShredMasker\n")
    with pytest.raises(ConfigurationError) as raised:
        _registry(MASKING, points).entries()
    message = str(raised.value)
    assert "two masking strategies are named 'hash'" in message
    assert "built-in (tutela)" in message
    assert f"plug-in acme-tutela 1.4.0 ({module}:ShredMasker)" in message


def test_two_plugins_with_one_name_are_an_error_naming_both_packages(
    module: str, install: Install
) -> None:
    first = install("acme-one", "1.0", f"[tutela.masking]\nshred = {module}:ShredMasker\n")
    second = install("acme-two", "2.0", f"[tutela.masking]\nshred = {module}:ShredMasker\n")
    with pytest.raises(ConfigurationError, match="named 'shred'") as raised:
        _registry(MASKING, first + second).names()
    assert "plug-in acme-one 1.0" in str(raised.value)
    assert "plug-in acme-two 2.0" in str(raised.value)


def test_origin_and_version_come_from_the_plugins_distribution(
    module: str, install: Install
) -> None:
    points = install("acme-tutela", "3.2.1", f"[tutela.masking]\nshred = {module}:ShredMasker\n")
    entries = {entry.name: entry for entry in _registry(MASKING, points).entries()}
    assert entries["shred"].origin == f"plug-in acme-tutela 3.2.1 ({module}:ShredMasker)"
    assert entries["shred"].version == "3.2.1" and not entries["shred"].builtin
    assert entries["hash"].origin == "built-in (tutela)" and entries["hash"].builtin
    assert entries["hash"].version == plugins._tutela_version()


def test_listing_imports_no_plugin_and_each_is_imported_only_when_asked(
    module: str, install: Install
) -> None:
    points = install(
        "acme-tutela",
        "1.0",
        f"[tutela.masking]\nshred = {module}:ShredMasker\nbroken = no_such_module_xyz:Masker\n",
    )
    registry = _registry(MASKING, points)
    assert registry.names() == ["broken", "delete", "fixed", "hash", "null", "random", "shred"]
    assert module not in sys.modules
    assert registry.load("shred", lambda loaded: loaded) is not None
    assert module in sys.modules
    with pytest.raises(ConfigurationError, match=r"masking strategy 'broken' from plug-in .*"):
        registry.load("broken", lambda loaded: loaded)


def test_a_broken_plugin_fails_only_its_kind_when_that_kind_is_enumerated(
    module: str, install: Install
) -> None:
    points = install(
        "acme-tutela",
        "1.0",
        "[tutela.masking]\nbroken = no_such_module_xyz:Masker\n"
        f"[tutela.connectors]\nmongo = {module}:connector_for\n",
    )
    masking = _registry(MASKING, [p for p in points if p.group == MASKING.group])
    connectors = _registry(CONNECTORS, [p for p in points if p.group == CONNECTORS.group])
    with pytest.raises(ConfigurationError, match=r"cannot be loaded.*ModuleNotFoundError"):
        masking.load_all(lambda loaded: loaded)
    assert connectors.names() == ["memory", "mongo", "sql"]
    assert callable(connectors.load("mongo", lambda loaded: loaded))


def test_a_plugin_pointing_at_the_wrong_object_is_an_error_naming_it(module: str) -> None:
    point = EntryPoint("odd", f"{module}:NOT_A_MASKER", MASKING.group)

    def accept(loaded: object) -> object:
        raise TypeError(f"found {type(loaded).__name__}")

    with pytest.raises(ConfigurationError) as raised:
        _registry(MASKING, [point]).load("odd", accept)
    message = str(raised.value)
    assert f"masking strategy 'odd' from plug-in unknown package ({module}:NOT_A_MASKER)" in message
    assert "must point to a masking strategy" in message and "found int" in message


def test_an_unknown_name_is_an_error_naming_the_installed_ones() -> None:
    with pytest.raises(ConfigurationError, match=r"no masking strategy is named 'shread'.*hash"):
        _registry(MASKING, []).entry("shread")


def test_the_first_listing_happens_once_under_concurrent_use() -> None:
    calls: list[int] = []

    def slow_listing() -> list[EntryPoint]:
        calls.append(1)
        time.sleep(0.05)
        return []

    registry = Registry(MASKING, plugins=slow_listing)
    threads = [threading.Thread(target=registry.entries) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert calls == [1]


def test_import_tutela_plugins_stays_cheap_and_listing_imports_no_builtin() -> None:
    code = (
        "import sys, tutela.plugins as p\n"
        "print(sorted(m for m in ('sqlalchemy', 'pydantic', 'typer', 'importlib.metadata')"
        " if m in sys.modules))\n"
        "[p.installed(kind).entries() for kind in p.KINDS]\n"
        "capabilities = ('tutela.connectors', 'tutela.checks', 'tutela.rights', 'sqlalchemy')\n"
        "print(sorted(m for m in sys.modules if m.startswith(capabilities)))\n"
        "p.installed('masking').load('hash', lambda loaded: loaded)\n"
        "print('tutela.rights.strategies.hash' in sys.modules, 'sqlalchemy' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    at_import, after_listing, after_load = result.stdout.splitlines()
    assert at_import == "[]"
    assert after_listing == "[]"
    assert after_load == "True False"


# --- tutela plugins list ------------------------------------------------------------------------


def test_plugins_list_shows_every_kind_with_name_origin_and_version() -> None:
    result = CliRunner().invoke(app, ["plugins", "list"])
    assert result.exit_code == 0, result.output
    for name, kind in KINDS.items():
        assert f"{name} ({kind.group})" in result.stdout
    assert "sql     built-in (tutela)" in result.stdout
    assert "memory  built-in (tutela)" in result.stdout
    assert "hash    built-in (tutela)" in result.stdout
    assert "(none installed)" in result.stdout


def test_plugins_list_as_json_has_every_entry(
    module: str, install: Install, on_sys_path: None
) -> None:
    install("acme-tutela", "1.4.0", f"[tutela.masking]\nshred = {module}:ShredMasker\n")
    plugins.refresh()
    result = CliRunner().invoke(app, ["plugins", "list", "--format", "json"])
    assert result.exit_code == 0, result.output
    kinds = {item["kind"]: item for item in json.loads(result.stdout)["kinds"]}
    assert list(kinds) == list(KINDS)
    masking = {entry["name"]: entry for entry in kinds["masking"]["entries"]}
    assert masking["shred"] == {
        "name": "shred",
        "origin": f"plug-in acme-tutela 1.4.0 ({module}:ShredMasker)",
        "version": "1.4.0",
        "builtin": False,
    }
    assert masking["null"]["builtin"] is True and kinds["storage"]["entries"] == []
    assert module not in sys.modules


def test_plugins_list_reports_a_duplicate_in_its_kind_and_lists_the_others(
    module: str, install: Install, on_sys_path: None
) -> None:
    install("acme-tutela", "1.4.0", f"[tutela.connectors]\nsql = {module}:connector_for\n")
    plugins.refresh()
    result = CliRunner().invoke(app, ["plugins", "list"])
    assert result.exit_code == 7
    assert "error: two connectors are named 'sql'" in result.stdout
    assert "acme-tutela 1.4.0" in result.stdout
    assert "hash    built-in (tutela)" in result.stdout
    assert "Traceback" not in result.output


@pytest.mark.parametrize("bad", [["--format", "xml"], ["--format", ""], ["--kind", "masking"]])
def test_plugins_list_rejects_hostile_options_with_a_clear_error(bad: list[str]) -> None:
    result = CliRunner().invoke(app, ["plugins", "list", *bad])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Invalid value for '--format'" in result.output or "No such option" in result.output
