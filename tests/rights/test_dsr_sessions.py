"""One transaction per system for a whole batch run (tutela.rights.sessions) on real SQLite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tutela.connectors.contract import seed_sql
from tutela.connectors.sql import SqlConnector
from tutela.rights.sessions import Sessions


@pytest.fixture
def systems(tmp_path: Path) -> Iterator[dict[str, SqlConnector]]:
    connectors = {}
    for name in ("a", "b"):
        url = f"sqlite:///{tmp_path / name}.sqlite"
        seed_sql(url)
        connectors[name] = SqlConnector(name, url)
    yield connectors
    for connector in connectors.values():
        connector.close()


def score(connector: SqlConnector) -> int:
    return int(connector.fetch("person", {"id": [1]}, ["score"])[0]["score"])


def test_a_system_committed_stays_and_an_error_rolls_back_the_open_ones(
    systems: dict[str, SqlConnector],
) -> None:
    a, b = systems["a"], systems["b"]
    with pytest.raises(RuntimeError, match="killed"), Sessions(systems, ["a", "b"]) as sessions:
        a.update("person", {"id": [1]}, {"score": 0})
        b.update("person", {"id": [1]}, {"score": 0})
        sessions.commit("a")
        raise RuntimeError("killed")
    assert (score(a), score(b)) == (0, 10)


def test_leaving_the_block_commits_what_is_still_open(systems: dict[str, SqlConnector]) -> None:
    with Sessions(systems, ["a", "b"]):
        for connector in systems.values():
            connector.update("person", {"id": [1]}, {"score": 1})
    assert [score(connector) for connector in systems.values()] == [1, 1]
