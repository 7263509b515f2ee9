"""A withdrawal honoured by every service process on the same store (CO-3, issue 17).

Two real ``tutela serve`` processes on one store, SQLite (the change counter) and
PostgreSQL (``LISTEN``/``NOTIFY``); consent is given, then withdrawn, by a third process
(the CLI); both processes' ``POST /api/v1/decisions`` must turn from allow to deny. The
one-second target is measured by ``benchmarks/decisions.py``; the wait here is bounded.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.programme.loader import load_programme
from tutela.requests.sealing import StoreKey
from tutela.testing.processes import Processes, listening, wait_for
from tutela.testing.smtp import free_port
from tutela.testing.synthetic import build_systems

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
ANN = "email=ann@example.test"
BODY = {"identity": {"email": "ann@example.test"}, "purpose": "direct_marketing"}


def cli(env: dict[str, str], *args: str) -> str:
    """Run ``tutela ARGS`` in this process; it must succeed."""
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh store: a SQLite file or a PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    return str(request.getfixturevalue("postgres_url"))


@pytest.fixture
def group(tmp_path: Path, store_url: str) -> Iterator[Processes]:
    """Two ``tutela serve`` processes on the store, killed at the end."""
    systems = build_systems(load_programme(EXAMPLE), tmp_path / "systems", people=5)
    env = systems | {
        "TUTELA_DATABASE_URL": store_url,
        "TUTELA_HASH_KEY": "two-processes-hash-key",
        "TUTELA_STORE_KEY": StoreKey.generate(),
        "TUTELA_PROGRAMME": str(EXAMPLE),
    }
    cli(env, "db", "upgrade")
    processes = Processes(env, tmp_path)
    ports = [free_port(), free_port()]
    for n, port in enumerate(ports):
        processes.start(f"serve-{n}", "serve", str(EXAMPLE), "--port", str(port))
    processes.ports = ports  # type: ignore[attr-defined]
    yield processes
    processes.stop()


@pytest.mark.slow
def test_co_3_a_withdrawal_reaches_both_service_processes(group: Processes) -> None:
    env = group.environ
    key = cli(env, "keys", "create", "reader", "--role", "auditor").strip()
    headers = {"Authorization": f"Bearer {key}"}
    clients = [
        httpx.Client(base_url=f"http://127.0.0.1:{p}", headers=headers, timeout=10)
        for p in group.ports  # type: ignore[attr-defined]
    ]

    def verdicts() -> list[str]:
        return [c.post("/api/v1/decisions", json=BODY).json()["decision"] for c in clients]

    for client in clients:
        wait_for("the API listens", lambda c=client: listening(c), group, 30)
    assert verdicts() == ["deny", "deny"]
    cli(env, "consent", "give", str(EXAMPLE), "--identity", ANN, "--purpose", "direct_marketing")
    wait_for("both processes allow", lambda: verdicts() == ["allow", "allow"], group, 10)
    cli(
        env, "consent", "withdraw", str(EXAMPLE), "--identity", ANN, "--purpose", "direct_marketing"
    )
    wait_for("both processes deny", lambda: verdicts() == ["deny", "deny"], group, 10)
    answer = clients[1].post("/api/v1/decisions", json=BODY).json()
    assert answer["reasons"] == ["consent:withdrawn"]
    for client in clients:
        client.close()
