"""The SQL connector passes the connector contract on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tutela.connectors.contract import ConnectorContract, seed_sql
from tutela.connectors.sql import SqlConnector
from tutela.ports import Connector


class TestSqlConnectorContract(ConnectorContract):
    @pytest.fixture
    def contract_connector(self, database_url: str) -> Iterator[Connector]:
        seed_sql(database_url)
        connector = SqlConnector("contract", database_url)
        yield connector
        connector.close()
