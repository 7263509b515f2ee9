"""Pooled connections are pinged before use only after sitting idle (tutela.sqlengine)."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from tutela.sqlengine import ping_after_idle


def counted_pings(engine: sa.Engine, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    pings: list[int] = []
    original = engine.dialect.do_ping

    def ping(connection: Any) -> bool:
        pings.append(1)
        return bool(original(connection))

    monkeypatch.setattr(engine.dialect, "do_ping", ping)
    return pings


def test_connection_used_a_moment_ago_is_lent_without_a_ping(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = sa.create_engine(sqlite_url)
    ping_after_idle(engine, seconds=60)
    pings = counted_pings(engine, monkeypatch)
    for _ in range(3):
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    assert pings == []
    engine.dispose()


def test_connection_idle_too_long_is_pinged_before_use(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = sa.create_engine(sqlite_url)
    ping_after_idle(engine, seconds=0)
    pings = counted_pings(engine, monkeypatch)
    for _ in range(3):
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    assert len(pings) == 3
    engine.dispose()


def _backend_pid(engine: sa.Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def _terminate(url: str, pid: int) -> None:
    admin = sa.create_engine(url)
    with admin.connect() as connection:
        connection.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    admin.dispose()


@pytest.mark.postgres
def test_idle_connection_closed_by_the_server_is_replaced_before_use(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    ping_after_idle(engine, seconds=0)
    dead = _backend_pid(engine)
    _terminate(postgres_url, dead)
    assert _backend_pid(engine) != dead  # pinged, found dead, replaced: no error
    engine.dispose()


@pytest.mark.postgres
def test_connection_dying_within_the_idle_window_fails_once_then_reconnects(
    postgres_url: str,
) -> None:
    engine = sa.create_engine(postgres_url)
    ping_after_idle(engine, seconds=60)
    dead = _backend_pid(engine)
    _terminate(postgres_url, dead)
    with pytest.raises(sa.exc.OperationalError):
        _backend_pid(engine)  # lent without a ping: the statement fails (a retryable error)
    assert _backend_pid(engine) != dead  # the pool was discarded: a fresh connection
    engine.dispose()
