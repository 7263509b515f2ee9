"""Fixtures shared by the whole suite: fresh databases on the real servers.

Each fixture creates its own database on the loopback server and drops it
afterwards. A server that cannot be reached fails the test (never skips): CI
(``CI=true``) and developers run against the same real services.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tutela.testing.smtp import Inbox, smtp_inbox

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cloudockit"

PG_ADMIN_URL = os.environ.get(
    "TUTELA_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
MARIADB_ADMIN_URL = os.environ.get(
    "TUTELA_TEST_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser, Celery and MariaDB tests are slow suites: `make test-slow` runs them (CI too).

    `make test` keeps SQLite and PostgreSQL; the MariaDB parity of every store, connector
    and command is the slow half of the database matrix (its databases are the slowest to
    create), run by `make test-slow` and on every CI run.
    """
    slow_kinds = ("browser", "celery", "mariadb")
    for item in items:
        if any(item.get_closest_marker(kind) for kind in slow_kinds):
            item.add_marker(pytest.mark.slow)


def _fresh_database(admin_url: str, prefix: str) -> Iterator[str]:
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f"CREATE DATABASE {name}"))
    except sa.exc.OperationalError as error:  # pragma: no cover - environment failure
        admin.dispose()
        pytest.fail(f"database server at {admin_url} is not reachable: {error}")
    try:
        yield sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            if admin.dialect.name == "postgresql":
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """URL of a fresh, empty PostgreSQL database, dropped after the test."""
    yield from _fresh_database(PG_ADMIN_URL, "tutela_test")


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """URL of a fresh, empty MariaDB database, dropped after the test."""
    yield from _fresh_database(MARIADB_ADMIN_URL, "tutela_test")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh SQLite database file in the test's temporary folder."""
    return f"sqlite:///{tmp_path / 'system.sqlite'}"


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgres),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def database_url(request: pytest.FixtureRequest) -> str:
    """A fresh database on each backend tutela supports: SQLite, PostgreSQL, MariaDB."""
    fixture = {"sqlite": "sqlite_url", "postgresql": "postgres_url", "mariadb": "mariadb_url"}
    return str(request.getfixturevalue(fixture[request.param]))


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server on loopback keeping what tutela sends, and its port."""
    with smtp_inbox() as running:
        yield running
