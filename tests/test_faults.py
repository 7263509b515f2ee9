"""Faults end cleanly and say what happened (issue 13 item 10): timeouts, store errors, secrets.

Every fault is on loopback and bounded: a socket server that accepts and never
answers (at most a few connections, closed after the test), a lock held by the
test itself, a port nothing listens on.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tutela import sqlengine
from tutela.bootstrap import build
from tutela.connectors.contract import seed_sql
from tutela.connectors.sql import SqlConnector
from tutela.connectors.urls import parse_url, render_url
from tutela.errors import ConfigurationError, ConnectorError, RequestError, StoreError
from tutela.programme.loader import load_programme
from tutela.store.dsr import SqlDsrStore

MINISHOP = Path(__file__).resolve().parent / "rights" / "fixtures" / "minishop"
SECRET = "S3cret-Pw-4711"
TIMEOUT = 2
"""The connect timeout the tests set, in seconds."""
BOUND = 8.0
"""A timed-out call must end well within this many seconds."""
AT_SIGN_URL = "postgresql://user:p@ss@word@127.0.0.1:5432/db"
AT_SIGN_FRAGMENTS = ("p@ss", "ss@word", "word")


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never sends a byte.

    Each connection is closed after :data:`BOUND` seconds, so a client without a
    timeout fails (with another message) instead of hanging the suite.
    """
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    held: list[tuple[float, socket.socket]] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                if len(held) < 16:
                    held.append((time.monotonic(), server.accept()[0]))
            except TimeoutError:
                pass
            except OSError:
                return
            for opened, connection in held:
                if time.monotonic() - opened > BOUND:
                    connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield int(server.getsockname()[1])
    stop.set()
    thread.join(timeout=2)
    for _, connection in held:
        connection.close()
    server.close()


def _url(scheme: str, port: int) -> str:
    return f"{scheme}://tutela:{SECRET}@127.0.0.1:{port}/shop"


@pytest.mark.parametrize("scheme", ["postgresql", "mysql"])
def test_connector_on_a_port_that_never_answers_times_out_naming_the_system(
    scheme: str, silent_port: int
) -> None:
    connector = SqlConnector(
        "shop", _url(scheme, silent_port), options={"connect_timeout": TIMEOUT}
    )
    started = time.monotonic()
    with pytest.raises(ConnectorError) as raised:
        connector.describe()
    elapsed = time.monotonic() - started
    connector.close()
    assert elapsed < BOUND
    message = str(raised.value)
    assert message.startswith("system 'shop': timed out")
    assert raised.value.retryable is True
    assert SECRET not in message and "Traceback" not in message


@pytest.mark.parametrize("scheme", ["postgresql+psycopg", "mysql+pymysql"])
def test_store_on_a_port_that_never_answers_times_out(scheme: str, silent_port: int) -> None:
    started = time.monotonic()
    with pytest.raises(StoreError) as raised:
        SqlDsrStore(_url(scheme, silent_port), FixedClock(), connect_timeout=TIMEOUT)
    assert time.monotonic() - started < BOUND
    message = str(raised.value)
    assert "timed out" in message and "TUTELA_CONNECT_TIMEOUT" in message
    assert SECRET not in message


def test_settings_bound_the_store_and_every_connector(silent_port: int) -> None:
    application = build(
        {
            "TUTELA_DATABASE_URL": _url("mysql+pymysql", silent_port),
            "TUTELA_CONNECT_TIMEOUT": str(TIMEOUT),
            "TUTELA_STATEMENT_TIMEOUT": "7",
        }
    )
    assert application.timeouts() == {"connect_timeout": TIMEOUT, "statement_timeout": 7}
    started = time.monotonic()
    with pytest.raises(StoreError, match="timed out"):
        application.store()
    assert time.monotonic() - started < BOUND
    with pytest.raises(ConfigurationError, match="TUTELA_CONNECT_TIMEOUT"):
        build({"TUTELA_CONNECT_TIMEOUT": "0"})


def test_settings_bound_the_programmes_connectors_and_datasets_reflect(silent_port: int) -> None:
    url = _url("mysql", silent_port)
    application = build({"MINISHOP_URL": url, "TUTELA_CONNECT_TIMEOUT": str(TIMEOUT)})
    shop = application.connectors(load_programme(MINISHOP))["shop"]
    reflected = application.database(url)
    for connector in (shop, reflected):
        started = time.monotonic()
        with pytest.raises(ConnectorError, match="timed out"):
            connector.describe()
        assert time.monotonic() - started < BOUND  # the default (10 s) would not be
        connector.close()


@pytest.mark.postgres
def test_postgresql_statement_blocked_by_a_lock_ends_at_the_statement_timeout(
    postgres_url: str,
) -> None:
    _statement_blocked_by_a_lock_times_out(postgres_url)


@pytest.mark.mariadb
def test_mariadb_statement_blocked_by_a_lock_ends_at_the_statement_timeout(
    mariadb_url: str,
) -> None:
    _statement_blocked_by_a_lock_times_out(mariadb_url)


def _statement_blocked_by_a_lock_times_out(url: str) -> None:
    seed_sql(url)
    # Without the statement timeout, the lock wait limit of the URL ends the wait ("locked").
    parsed = sa.make_url(url)
    bounded = parsed.update_query_dict(
        {"options": "-c lock_timeout=8000"}
        if parsed.get_backend_name() == "postgresql"
        else {"init_command": "SET SESSION innodb_lock_wait_timeout = 8"}
    )
    connector = SqlConnector("people", bounded, options={"statement_timeout": 1})
    holder = sa.create_engine(url)
    try:
        with holder.begin() as connection:
            connection.execute(sa.text("UPDATE person SET score = 0 WHERE id = 1"))
            started = time.monotonic()
            with pytest.raises(ConnectorError) as raised:
                connector.update("person", {"id": [1]}, {"score": 1})
            elapsed = time.monotonic() - started
    finally:
        holder.dispose()
        connector.close()
    assert 0.8 < elapsed < 1 + BOUND
    assert str(raised.value).startswith("system 'people': timed out")
    assert raised.value.retryable is True


def test_sqlite_waits_for_a_lock_only_as_long_as_the_connect_timeout(sqlite_url: str) -> None:
    seed_sql(sqlite_url)
    connector = SqlConnector("people", sqlite_url, options={"connect_timeout": 1})
    holder = sa.create_engine(sqlite_url)
    try:
        with holder.connect() as connection:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            started = time.monotonic()
            with pytest.raises(ConnectorError, match="locked") as raised:
                connector.update("person", {"id": [1]}, {"score": 1})
            elapsed = time.monotonic() - started
            connection.exec_driver_sql("ROLLBACK")
    finally:
        holder.dispose()
        connector.close()
    assert 0.8 < elapsed < BOUND  # the default (10 s) would still be waiting
    assert raised.value.retryable is True


def test_statement_timeout_zero_sends_no_limit_and_the_url_keeps_its_own() -> None:
    url = sa.make_url("postgresql+psycopg://u@h/db?options=-c%20lock_timeout%3D200")
    assert sqlengine._connect_args(url, 10, 0) == {"connect_timeout": 10}
    assert sqlengine._connect_args(url, 10, 3)["options"] == (
        "-c lock_timeout=200 -c statement_timeout=3000"
    )
    own = sa.make_url("mysql+pymysql://u@h/db?read_timeout=5")
    assert sqlengine._connect_args(own, 4, 3) == {"connect_timeout": 4, "write_timeout": 4}
    with pytest.raises(ConfigurationError, match="statement_timeout' must be at least 0"):
        SqlConnector("shop", "sqlite://", options={"statement_timeout": -1})


# --- secrets ---------------------------------------------------------------------------------


def _assert_no_fragment(text: str) -> None:
    for fragment in AT_SIGN_FRAGMENTS:
        assert fragment not in text, f"{fragment!r} leaked: {text}"


def test_an_unescaped_at_sign_in_a_password_leaks_no_fragment() -> None:
    for attempt in (
        lambda: parse_url(AT_SIGN_URL, source="SHOP_URL"),
        lambda: SqlConnector("shop", AT_SIGN_URL),
        lambda: SqlDsrStore(AT_SIGN_URL, FixedClock()),
        lambda: sqlengine.create_engine(sa.make_url(AT_SIGN_URL), owner="TUTELA_DATABASE_URL"),
    ):
        with pytest.raises(ConfigurationError, match="unescaped '@'") as raised:
            attempt()
        _assert_no_fragment(str(raised.value))
    _assert_no_fragment(render_url(AT_SIGN_URL))


def test_an_escaped_at_sign_is_a_password_like_any_other() -> None:
    url = parse_url("postgresql://user:p%40ss%40word@127.0.0.1:1/db", source="SHOP_URL")
    assert url.password == "p@ss@word" and url.host == "127.0.0.1"
    with pytest.raises(ConnectorError, match="connection refused") as raised:
        SqlConnector("shop", url).describe()
    _assert_no_fragment(str(raised.value))


def test_a_short_password_is_hidden_where_it_stands_alone_only() -> None:
    from tutela.sqlfailures import hide_secrets

    assert hide_secrets("user 'ab' failed: ab\nsecond line ab", ["ab"]) == "user '***' failed: ***"
    assert hide_secrets("about the cabin", ["ab"]) == "about the cabin"
    assert hide_secrets("x S3cret-Pw-4711y", [SECRET]) == "x ***y"


# --- the store says which failure it was --------------------------------------------------------


def _store_error(url: str) -> str:
    with pytest.raises(StoreError) as raised:
        SqlDsrStore(url, FixedClock(), connect_timeout=TIMEOUT)
    message = str(raised.value)
    assert SECRET not in message and "Traceback" not in message
    return message


def test_store_names_a_missing_folder(tmp_path: Path) -> None:
    message = _store_error(f"sqlite:///{tmp_path / 'nowhere' / 'tutela.sqlite'}")
    assert "folder does not exist" in message and "nowhere" in message


@pytest.mark.parametrize("scheme", ["postgresql+psycopg", "mysql+pymysql"])
def test_store_names_a_refused_connection(scheme: str) -> None:
    assert "connection refused" in _store_error(_url(scheme, 1))


@pytest.mark.postgres
def test_store_names_failed_authentication_and_a_missing_database_on_postgresql(
    postgres_url: str,
) -> None:
    url = sa.make_url(postgres_url)
    nobody = url.set(username="nobody_here", password=SECRET)
    assert "authentication failed" in _store_error(nobody.render_as_string(hide_password=False))
    assert "database does not exist" in _store_error(str(url.set(database="no_such_db")))


@pytest.mark.mariadb
def test_store_names_failed_authentication_and_a_missing_database_on_mariadb(
    mariadb_url: str,
) -> None:
    url = sa.make_url(mariadb_url)
    wrong = url.set(password=SECRET)
    assert "authentication failed" in _store_error(wrong.render_as_string(hide_password=False))
    assert "database does not exist" in _store_error(str(url.set(database="no_such_db")))


# --- hostile request files ----------------------------------------------------------------------


def test_a_csv_cell_over_the_field_limit_is_a_request_error_naming_the_line() -> None:
    from tutela.rights.intake import parse_requests
    from tutela.rights.models import request_type

    text = "email\nok@example.test\n" + "a" * 200_000 + "@example.test\n"
    with pytest.raises(RequestError, match=r"'big.csv' line 3: a cell is longer than \d+"):
        parse_requests(text, "big.csv", request_type("access"))
    fine = parse_requests(
        "email\n" + "a" * 1000 + "@example.test\n", "ok.csv", request_type("access")
    )
    assert len(fine) == 1
