"""The memory connector passes the connector contract, as the SQL connector does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tutela.connectors.contract import COLLECTIONS, NOTES, PEOPLE, ConnectorContract, run_contract
from tutela.connectors.memory import MemoryConnector
from tutela.ports import Connector


def seeded() -> MemoryConnector:
    return MemoryConnector("contract", COLLECTIONS, rows={"person": PEOPLE, "note": NOTES})


class TestMemoryConnectorContract(ConnectorContract):
    @pytest.fixture
    def contract_connector(self) -> Iterator[Connector]:
        connector = seeded()
        yield connector
        connector.close()


def test_the_memory_connector_is_a_connector() -> None:
    assert isinstance(seeded(), Connector)


def test_run_contract_passes_without_pytest() -> None:
    run_contract(seeded)
