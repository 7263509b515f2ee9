"""Staff logins: argon2 hashes, generic refusals, throttling per name, and `tutela staff`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from tutela.access.keys import AccessError, Role, Scope
from tutela.access.limits import Window
from tutela.access.logins import LoginService, LoginThrottled, password
from tutela.cli.main import app
from tutela.store import migrate
from tutela.store.console import SqlLoginStore, login_service
from tutela.store.ledger import SqlLedger, open_ledger

PASSWORD = "correct horse battery staple"


class Clock:
    """A clock that moves only when told."""

    def __init__(self) -> None:
        self.at = datetime(2027, 1, 20, 9, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.at


@pytest.fixture
def url(tmp_path: Path) -> str:
    found = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(found).close()
    return found


@pytest.fixture
def ledger(url: str) -> SqlLedger:
    return open_ledger(url)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def logins(ledger: SqlLedger, clock: Clock) -> LoginService:
    return LoginService(
        SqlLoginStore(ledger.engine, ledger), clock, Window(3, timedelta(minutes=15))
    )


def _rows(ledger: SqlLedger) -> list[sa.RowMapping]:
    with ledger.engine.connect() as connection:
        query = sa.text("select name, role, hash, totp from tutela_staff_login")
        return list(connection.execute(query).mappings())


def test_the_store_is_at_the_console_revision(ledger: SqlLedger) -> None:
    assert migrate.revision(ledger.engine) == migrate.head() == "0010_console"


def test_a_login_keeps_an_argon2_hash_never_the_password(
    logins: LoginService, ledger: SqlLedger
) -> None:
    record = logins.add("alice", "privacy_officer", PASSWORD)
    [row] = _rows(ledger)
    assert row["name"] == "alice" and row["role"] == "privacy_officer" and row["totp"] is None
    assert row["hash"].startswith("$argon2id$") and PASSWORD not in row["hash"]
    staff = logins.authenticate("alice", PASSWORD)
    assert staff is not None and staff.key_id == record.id and staff.role is Role.PRIVACY_OFFICER
    assert Scope.REQUESTS_READ in staff.scopes and staff.actor == "staff:alice"
    entries = ledger.entries()
    assert [(e.action, e.actor) for e in entries][-1] == ("login_created", "staff:alice")


def test_wrong_unknown_and_malformed_logins_are_all_none(logins: LoginService) -> None:
    logins.add("alice", "agent", PASSWORD)
    assert logins.authenticate("alice", "not the password") is None
    assert logins.authenticate("bob", PASSWORD) is None
    assert logins.authenticate("a" * 10_000, PASSWORD) is None
    assert logins.authenticate("alice", None) is None
    assert logins.authenticate("alice", "x" * 10_000) is None


def test_attempts_per_name_are_limited_and_the_window_slides(
    logins: LoginService, clock: Clock
) -> None:
    logins.add("alice", "agent", PASSWORD)
    for _attempt in range(3):
        assert logins.authenticate("alice", "not the password") is None
    with pytest.raises(LoginThrottled, match="too many login attempts") as refused:
        logins.authenticate("alice", PASSWORD)
    assert refused.value.retry_after > 0
    assert logins.authenticate("bob", PASSWORD) is None  # another name is not throttled
    clock.at += timedelta(minutes=16)
    assert logins.authenticate("alice", PASSWORD) is not None


@pytest.mark.parametrize(
    ("name", "role", "secret", "says"),
    [
        ("a" * 10_000, "admin", PASSWORD, "1 to 64"),
        ("alice'; drop table x;--", "admin", PASSWORD, "1 to 64"),
        ("alice", "root", PASSWORD, "unknown role"),
        ("alice", "admin", "short", "12 to 256"),
        ("alice", "admin", "x" * 10_000, "12 to 256"),
        ("alice", "admin", f" {PASSWORD}", "spaces"),
    ],
)
def test_bad_logins_are_refused_and_nothing_is_stored(
    logins: LoginService, ledger: SqlLedger, name: str, role: str, secret: str, says: str
) -> None:
    with pytest.raises(AccessError, match=says):
        logins.add(name, role, secret)
    assert _rows(ledger) == []


def test_a_taken_name_is_refused(logins: LoginService, ledger: SqlLedger) -> None:
    logins.add("alice", "agent", PASSWORD)
    with pytest.raises(AccessError, match="already"):
        logins.add("alice", "admin", "another long password")
    assert [row["role"] for row in _rows(ledger)] == ["agent"]


def test_password_rejects_what_is_not_a_string() -> None:
    with pytest.raises(AccessError):
        password(None)


def test_cli_adds_a_login_with_the_password_from_stdin(url: str, ledger: SqlLedger) -> None:
    env = {"TUTELA_DATABASE_URL": url}
    result = CliRunner().invoke(
        app, ["staff", "add-login", "alice", "--role", "admin"], input=f"{PASSWORD}\n", env=env
    )
    assert result.exit_code == 0, result.output
    assert "login alice (admin) added" in result.output and PASSWORD not in result.output
    assert login_service(ledger, Clock()).authenticate("alice", PASSWORD) is not None


@pytest.mark.parametrize(
    ("argv", "given"),
    [
        (["a" * 10_000, "--role", "admin"], PASSWORD),
        (["alice", "--role", "root"], PASSWORD),
        (["alice", "--role", "admin"], "short"),
    ],
)
def test_cli_refuses_bad_logins_with_exit_7_and_stores_nothing(
    url: str, ledger: SqlLedger, argv: list[str], given: str
) -> None:
    result = CliRunner().invoke(
        app, ["staff", "add-login", *argv], input=f"{given}\n", env={"TUTELA_DATABASE_URL": url}
    )
    assert result.exit_code == 7, result.output
    assert "Traceback" not in result.output and given not in result.output
    assert _rows(ledger) == []
