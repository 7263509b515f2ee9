"""Who may log in: `tutela staff list`, `disable`, `enable` and `remove`, on every store.

Each command runs through Typer's runner on SQLite, PostgreSQL and MariaDB. A disabled
login is refused exactly like a wrong password (the same argon2 check of its own hash,
the same count in the attempts' window); its sessions and pending logins end in the
same transaction; the last enabled admin is never removed, not even by two removals at
once; every change is ledgered without a hash or secret.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from tutela.access import keys
from tutela.access.keys import AccessError
from tutela.access.limits import Window
from tutela.access.login_roster import ADMIN_ROLES, LoginRoster
from tutela.access.logins import LoginService, LoginThrottled, SecondStep
from tutela.cli.main import app
from tutela.requests.sealing import StoreKey
from tutela.store.console import (
    SqlLoginStore,
    login_roster,
    pending_table,
    session_table,
    staff_login_table,
)
from tutela.store.console_sessions import SqlSessionStore
from tutela.store.ledger import SqlLedger, open_ledger
from tutela.web.console_auth import Sessions

if TYPE_CHECKING:
    from collections.abc import Iterator

PASSWORD = "correct horse battery staple"
STORE_KEY = StoreKey.generate()


class Wall:
    """The wall clock (sessions and TOTP steps are read against it)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@pytest.fixture
def ledger(database_url: str) -> Iterator[SqlLedger]:
    found = open_ledger(database_url)
    yield found
    found.close()


@pytest.fixture
def logins(ledger: SqlLedger) -> LoginService:
    """``root`` (admin, enrolled) and ``alice`` (privacy officer), added as the CLI does."""
    store, key = SqlLoginStore(ledger.engine, ledger), StoreKey.parse(STORE_KEY)
    service = LoginService(store, Wall(), Window(3, timedelta(minutes=15)), key)
    service.add("root", "admin", PASSWORD)
    service.add("alice", "privacy_officer", PASSWORD)
    return service


@pytest.fixture
def roster(ledger: SqlLedger) -> LoginRoster:
    return login_roster(ledger, Wall())


def _cli(ledger: SqlLedger, *argv: str, given: str = "") -> Result:
    url = ledger.engine.url.render_as_string(hide_password=False)
    env = {"TUTELA_DATABASE_URL": url, "TUTELA_STORE_KEY": STORE_KEY}
    return CliRunner().invoke(app, ["staff", *argv], input=given, env=env)


def _logins(ledger: SqlLedger) -> list[tuple[str, bool]]:
    """Each login's name and whether it is disabled, by name."""
    query = sa.select(staff_login_table.c.name, staff_login_table.c.disabled_at)
    with ledger.engine.connect() as connection:
        rows = connection.execute(query.order_by(staff_login_table.c.name)).all()
    return [(row.name, row.disabled_at is not None) for row in rows]


def _count(ledger: SqlLedger, table: sa.Table) -> int:
    with ledger.engine.connect() as connection:
        return int(connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _actions(ledger: SqlLedger) -> list[tuple[str, str]]:
    return [(entry.action, entry.actor) for entry in ledger.entries()]


def test_the_admin_roles_are_those_granting_keys_admin() -> None:
    assert sorted(ADMIN_ROLES) == ["admin"]


def test_list_shows_name_role_dates_and_totp_never_a_hash_or_secret(
    ledger: SqlLedger, logins: LoginService
) -> None:
    shown = _cli(ledger, "list")
    assert shown.exit_code == 0, shown.output
    alice, root = shown.output.splitlines()
    assert alice.split()[:2] == ["alice", "privacy_officer"] and "created" in alice
    assert "enabled" in alice and alice.endswith("totp no")
    assert root.split()[:2] == ["root", "admin"] and root.endswith("totp yes")
    as_json = _cli(ledger, "list", "--format", "json")
    assert as_json.exit_code == 0, as_json.output
    documents = json.loads(as_json.stdout)
    assert [d["name"] for d in documents] == ["alice", "root"]
    assert set(documents[0]) == {"name", "role", "created_at", "disabled_at", "totp_enrolled"}
    assert [d["totp_enrolled"] for d in documents] == [False, True]
    assert all(d["disabled_at"] is None for d in documents)
    with ledger.engine.connect() as connection:
        rows = connection.execute(sa.select(staff_login_table)).mappings().all()
    for row in rows:
        for output in (shown.output, as_json.output):
            assert row["hash"] not in output and "$argon2" not in output
            assert row["totp"] is None or row["totp"].hex() not in output


def test_list_of_no_logins_says_so(ledger: SqlLedger) -> None:
    assert _cli(ledger, "list").output == "no logins\n"
    assert json.loads(_cli(ledger, "list", "-f", "json").stdout) == []


def test_disable_refuses_the_login_and_enable_lets_it_in_again(
    ledger: SqlLedger, logins: LoginService
) -> None:
    assert logins.authenticate("alice", PASSWORD) is not None
    done = _cli(ledger, "disable", "alice")
    assert done.exit_code == 0, done.output
    assert "login alice disabled" in done.output and "sessions have ended" in done.output
    assert _logins(ledger) == [("alice", True), ("root", False)]
    assert logins.authenticate("alice", PASSWORD) is None
    again = _cli(ledger, "disable", "alice")
    assert again.exit_code == 0 and "disabled already" in again.output
    listed = json.loads(_cli(ledger, "list", "-f", "json").stdout)
    assert listed[0]["disabled_at"] is not None
    assert "disabled 2" in _cli(ledger, "list").output.splitlines()[0]
    enabled = _cli(ledger, "enable", "alice")
    assert enabled.exit_code == 0 and "login alice enabled" in enabled.output
    assert _cli(ledger, "enable", "alice").output == "login alice was enabled already\n"
    staff = logins.authenticate("alice", PASSWORD)
    assert staff is not None and staff.name == "alice"
    changes = [a for a in _actions(ledger) if a[0] in ("login_disabled", "login_enabled")]
    assert changes == [("login_disabled", "staff:alice"), ("login_enabled", "staff:alice")]


def test_a_disabled_login_is_refused_like_a_wrong_password(
    ledger: SqlLedger, logins: LoginService, roster: LoginRoster, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = keys.verify_key

    def spy(stored: str, presented: str) -> bool:
        checked.append(stored)
        return real(stored, presented)

    monkeypatch.setattr(keys, "verify_key", spy)
    own_hash = logins.store.find("alice").hash  # type: ignore[union-attr]
    assert logins.authenticate("alice", "not the password") is None  # a wrong password
    wrong = list(checked)
    checked.clear()
    roster.disable("alice")
    assert logins.authenticate("alice", PASSWORD) is None  # the right one, disabled
    assert checked == wrong == [own_hash]  # the same argon2 check of the login's own hash
    assert logins.authenticate("alice", "not the password") is None
    with pytest.raises(LoginThrottled):  # and counted in the same window (3 here)
        logins.authenticate("alice", PASSWORD)


def test_a_disabled_admin_gets_no_second_step(
    ledger: SqlLedger, logins: LoginService, roster: LoginRoster
) -> None:
    assert isinstance(logins.authenticate("root", PASSWORD), SecondStep)
    roster.disable("root")  # the last admin too: a departed admin's access ends at once
    assert logins.authenticate("root", PASSWORD) is None
    roster.enable("root")
    assert isinstance(logins.authenticate("root", PASSWORD), SecondStep)


def test_disable_ends_sessions_and_pending_logins_at_once(
    ledger: SqlLedger, logins: LoginService
) -> None:
    sessions = Sessions(SqlSessionStore(ledger.engine), Wall())
    staff = logins.authenticate("alice", PASSWORD)
    step = logins.authenticate("root", PASSWORD)
    assert staff is not None and not isinstance(staff, SecondStep)
    assert isinstance(step, SecondStep)
    opened, pending = sessions.open(staff), sessions.begin(step.login_id)
    assert sessions.find(opened) is not None and sessions.awaiting(pending) is not None
    assert _cli(ledger, "disable", "alice").exit_code == 0
    assert _cli(ledger, "disable", "root").exit_code == 0
    assert _count(ledger, session_table) == 0 and _count(ledger, pending_table) == 0
    assert sessions.find(opened) is None and sessions.awaiting(pending) is None
    _cli(ledger, "enable", "alice")
    assert sessions.find(opened) is None  # an ended session stays ended


def test_remove_deletes_the_login_and_its_sessions_with_yes(
    ledger: SqlLedger, logins: LoginService
) -> None:
    sessions = Sessions(SqlSessionStore(ledger.engine), Wall())
    staff = logins.authenticate("alice", PASSWORD)
    assert staff is not None and not isinstance(staff, SecondStep)
    opened = sessions.open(staff)
    done = _cli(ledger, "remove", "alice", "--yes")
    assert done.exit_code == 0, done.output
    assert "login alice (privacy_officer) removed" in done.output
    assert _logins(ledger) == [("root", False)] and _count(ledger, session_table) == 0
    assert sessions.find(opened) is None and logins.authenticate("alice", PASSWORD) is None
    assert _actions(ledger)[-1] == ("login_removed", "staff:alice")
    gone = _cli(ledger, "remove", "alice", "--yes")
    assert gone.exit_code == 7 and "no login named alice" in gone.output


@pytest.mark.parametrize("answer", ["n\n", "\n", "", "yes please\nn\n"])
def test_remove_asks_first_and_anything_but_yes_keeps_the_login(
    ledger: SqlLedger, logins: LoginService, answer: str
) -> None:
    before = _actions(ledger)
    result = _cli(ledger, "remove", "alice", given=answer)
    assert result.exit_code == 1, result.output
    assert "Remove the login alice (privacy_officer)?" in result.output
    assert "login alice not removed" in result.output and "Traceback" not in result.output
    assert _logins(ledger) == [("alice", False), ("root", False)]
    assert _actions(ledger) == before
    removed = _cli(ledger, "remove", "alice", given="y\n")
    assert removed.exit_code == 0 and _logins(ledger) == [("root", False)]


def test_remove_refuses_the_last_enabled_admin(ledger: SqlLedger, logins: LoginService) -> None:
    before = _actions(ledger)
    refused = _cli(ledger, "remove", "root", "--yes")
    assert refused.exit_code == 7, refused.output
    assert "root is the last enabled admin login" in refused.output
    assert "tutela staff add-login NAME --role admin" in refused.output
    asked = _cli(ledger, "remove", "root", given="y\n")  # refused before asking
    assert asked.exit_code == 7 and "Remove the login" not in asked.output
    assert _logins(ledger) == [("alice", False), ("root", False)] and _actions(ledger) == before
    logins.add("ops", "admin", PASSWORD)
    assert _cli(ledger, "remove", "root", "--yes").exit_code == 0
    assert _cli(ledger, "disable", "ops").exit_code == 0
    assert _cli(ledger, "remove", "ops", "--yes").exit_code == 0  # a disabled admin may go
    assert _logins(ledger) == [("alice", False)]


def test_remove_of_the_last_admin_is_refused_under_lock_too(
    ledger: SqlLedger, logins: LoginService, roster: LoginRoster
) -> None:
    checked = roster.removable("alice")
    assert checked.name == "alice"
    with pytest.raises(AccessError, match="last enabled admin"):
        roster.removable("root")
    with pytest.raises(AccessError, match="last enabled admin"):
        roster.remove("root")  # without asking first: the store's own check
    assert _logins(ledger) == [("alice", False), ("root", False)]


@pytest.mark.parametrize(
    "server",
    [
        pytest.param("postgres_url", marks=pytest.mark.postgres),
        pytest.param("mariadb_url", marks=pytest.mark.mariadb),
    ],
)  # SQLite runs one writer at a time: there is no race to lose
def test_two_removals_at_once_leave_one_admin(server: str, request: pytest.FixtureRequest) -> None:
    url = str(request.getfixturevalue(server))
    ledger = open_ledger(url)
    adding = LoginService(
        SqlLoginStore(ledger.engine, ledger), Wall(), key=StoreKey.parse(STORE_KEY)
    )
    for name in ("root", "ops"):
        adding.add(name, "admin", PASSWORD)
    start, outcomes = threading.Barrier(2), []

    def remove(name: str) -> None:
        own = open_ledger(url)
        start.wait()
        try:
            login_roster(own, Wall()).remove(name)
            outcomes.append("removed")
        except AccessError:
            outcomes.append("refused")
        finally:
            own.close()

    threads = [threading.Thread(target=remove, args=(name,)) for name in ("root", "ops")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["refused", "removed"]
    assert len(_logins(ledger)) == 1
    ledger.close()


def test_every_change_is_ledgered_without_a_hash_or_secret(
    ledger: SqlLedger, logins: LoginService
) -> None:
    for argv in (["disable", "alice"], ["enable", "alice"], ["remove", "alice", "--yes"]):
        assert _cli(ledger, *argv).exit_code == 0
    [login_id] = {e.request for e in ledger.entries() if e.action == "login_removed"}
    entries = [e for e in ledger.entries() if e.request == login_id]
    actions = [e.action for e in entries]
    assert actions == ["login_created", "login_disabled", "login_enabled", "login_removed"]
    assert {e.actor for e in entries} == {"staff:alice"}
    assert all(e.after is not None and len(e.after) == 64 and e.before is None for e in entries)
    assert all(PASSWORD not in repr(e) and "$argon2" not in repr(e) for e in entries)
