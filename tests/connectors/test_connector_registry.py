"""The connector registry: built-ins and entry-point plug-ins, loaded lazily, no duplicates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.connectors.registry import GROUP, ConnectorRegistry
from tutela.connectors.sql import SqlConnector
from tutela.errors import ConfigurationError
from tutela.ports import Connector
from tutela.programme.models import ConnectorSettings, System

SQL_FACTORY = "tutela.connectors.sql:SqlConnector.from_system"


def _system(connector: ConnectorSettings | None) -> System:
    return System(key="crm", name="CRM", owner="Sales", hosting_country="BE", connector=connector)


def _plugins(*pairs: tuple[str, str]) -> list[EntryPoint]:
    return [EntryPoint(name=name, value=value, group=GROUP) for name, value in pairs]


def test_builtin_sql_connector_is_listed_and_built(sqlite_url: str) -> None:
    registry = ConnectorRegistry(plugins=list)
    assert registry.available() == [("memory", "built-in (tutela)"), ("sql", "built-in (tutela)")]
    Path(sqlite_url.removeprefix("sqlite:///")).touch()
    system = _system(ConnectorSettings(url_env="CRM_URL"))
    connector = registry.connector_for(system, {"CRM_URL": sqlite_url})
    assert isinstance(connector, SqlConnector) and isinstance(connector, Connector)
    assert connector.name == "crm" and connector.describe() == []
    connector.close()


def test_plugins_are_listed_on_first_use_and_imported_only_when_asked() -> None:
    calls: list[str] = []

    def plugins() -> Iterable[EntryPoint]:
        calls.append("listed")
        return _plugins(("lazy", "tutela_no_such_module:factory"), ("sql2", SQL_FACTORY))

    registry = ConnectorRegistry(plugins=plugins)
    assert calls == []
    names = [name for name, _ in registry.available()]
    assert names == ["lazy", "memory", "sql", "sql2"] and calls == ["listed"]
    assert registry.factory("sql2") == SqlConnector.from_system  # imported now
    with pytest.raises(ConfigurationError, match=r"connector 'lazy' .* cannot be loaded"):
        registry.factory("lazy")
    registry.available()
    assert calls == ["listed"]


def test_duplicate_names_are_an_error_naming_both_origins() -> None:
    registry = ConnectorRegistry(plugins=lambda: _plugins(("sql", SQL_FACTORY)))
    with pytest.raises(ConfigurationError, match=r"two connectors are named 'sql'.*built-in"):
        registry.available()


def test_unknown_type_and_missing_connector_name_the_system() -> None:
    registry = ConnectorRegistry(plugins=list)
    with pytest.raises(ConfigurationError, match="system 'crm': unknown connector type 'mongo'"):
        registry.connector_for(_system(ConnectorSettings(type="mongo")), {})
    with pytest.raises(ConfigurationError, match="system 'crm' has no connector"):
        registry.connector_for(_system(None), {})


def test_a_plugin_factory_receives_the_system_and_env() -> None:
    seen: dict[str, object] = {}

    def factory(system: System, env: Mapping[str, str]) -> Connector:
        seen.update(system=system.key, env=dict(env))
        return SqlConnector(system.key, "sqlite://")

    registry = ConnectorRegistry(builtins={"fake": factory}, plugins=list)
    connector = registry.connector_for(_system(ConnectorSettings(type="fake")), {"A": "1"})
    assert seen == {"system": "crm", "env": {"A": "1"}}
    connector.close()


def test_connectors_list_command_shows_name_and_origin() -> None:
    result = CliRunner().invoke(app, ["connectors", "list"])
    assert result.exit_code == 0, result.output
    assert "sql" in result.stdout and "built-in (tutela)" in result.stdout
