"""Staff logins: argon2 hashes, generic refusals, throttling per name, admins' TOTP second
factor, and `tutela staff`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from typer.testing import CliRunner, Result

from tutela.access.keys import AccessError, Role, Scope
from tutela.access.limits import Window
from tutela.access.logins import LoginService, LoginThrottled, SecondStep, password
from tutela.access.service import Staff
from tutela.cli.main import app
from tutela.errors import ConfigurationError
from tutela.requests.sealing import StoreKey
from tutela.store import migrate
from tutela.store.console import STAFF_LOGIN, SqlLoginStore, login_service
from tutela.store.ledger import SqlLedger, open_ledger

PASSWORD = "correct horse battery staple"
KEY = StoreKey.parse(StoreKey.generate())


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
        SqlLoginStore(ledger.engine, ledger), clock, Window(3, timedelta(minutes=15)), KEY
    )


def _rows(ledger: SqlLedger) -> list[sa.RowMapping]:
    with ledger.engine.connect() as connection:
        query = sa.text("select name, role, hash, totp from tutela_staff_login")
        return list(connection.execute(query).mappings())


def test_the_store_is_at_the_head_past_the_console_revisions(ledger: SqlLedger) -> None:
    assert migrate.revision(ledger.engine) == migrate.head()
    applied = ScriptDirectory.from_config(migrate.alembic_config()).walk_revisions()
    assert {"0010_console", "0011_console_sessions"} <= {script.revision for script in applied}
    columns = {column["name"] for column in sa.inspect(ledger.engine).get_columns(STAFF_LOGIN)}
    assert {"totp", "totp_step"} <= columns


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
        app, ["staff", "add-login", "alice", "--role", "agent"], input=f"{PASSWORD}\n", env=env
    )
    assert result.exit_code == 0, result.output
    assert "login alice (agent) added" in result.output and PASSWORD not in result.output
    assert "otpauth://" not in result.output
    staff = login_service(ledger, Clock()).authenticate("alice", PASSWORD)
    assert isinstance(staff, Staff) and staff.role is Role.AGENT


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


# --- Admins' second factor (TOTP, RFC 6238) ------------------------------------------------


def _secret_of(uri: str) -> str:
    """The base32 secret of an ``otpauth://`` URI."""
    parsed = urlsplit(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    return parse_qs(parsed.query)["secret"][0]


def _code(secret: str, at: datetime, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(at, counter_offset=steps)


@pytest.fixture
def admin(logins: LoginService) -> tuple[str, str]:
    """An admin login ``root`` just added: its id and its TOTP secret."""
    record = logins.add("root", "admin", PASSWORD)
    return record.id, _secret_of(logins.provisioning_uri(record))


def test_an_admin_is_enrolled_sealed_and_ledgered_without_the_secret(
    logins: LoginService, ledger: SqlLedger, admin: tuple[str, str]
) -> None:
    login_id, secret = admin
    [row] = _rows(ledger)
    assert isinstance(row["totp"], bytes) and secret.encode() not in row["totp"]
    entries = [e for e in ledger.entries() if e.request == login_id]
    assert [e.action for e in entries] == ["login_created", "totp_enrolled"]
    assert all(secret not in repr(entry) for entry in entries)
    uri = logins.provisioning_uri(logins.store.find("root"))  # type: ignore[arg-type]
    assert "issuer=tutela" in uri and "root" in uri


def test_an_admin_password_alone_opens_nothing(
    logins: LoginService, admin: tuple[str, str]
) -> None:
    step = logins.authenticate("root", PASSWORD)
    assert step == SecondStep(admin[0], "root", enrolled=True)
    assert logins.authenticate("root", "not the password") is None


@pytest.mark.parametrize("steps", [-1, 0, 1])
def test_a_code_of_the_current_step_or_one_step_off_is_accepted(
    logins: LoginService, clock: Clock, admin: tuple[str, str], steps: int
) -> None:
    login_id, secret = admin
    staff = logins.confirm(login_id, _code(secret, clock.at, steps))
    assert isinstance(staff, Staff) and staff.role is Role.ADMIN and staff.name == "root"
    assert Scope.KEYS_ADMIN in staff.scopes


@pytest.mark.parametrize("steps", [-3, -2, 2, 3])
def test_a_code_two_steps_off_is_refused(
    logins: LoginService, clock: Clock, admin: tuple[str, str], steps: int
) -> None:
    login_id, secret = admin
    assert logins.confirm(login_id, _code(secret, clock.at, steps)) is None


def test_a_code_is_accepted_once_and_older_steps_after_it_never(
    logins: LoginService, clock: Clock, admin: tuple[str, str]
) -> None:
    login_id, secret = admin
    assert logins.confirm(login_id, _code(secret, clock.at, 1)) is not None
    assert logins.confirm(login_id, _code(secret, clock.at, 1)) is None  # replayed
    assert logins.confirm(login_id, _code(secret, clock.at)) is None  # an older step
    clock.at += timedelta(minutes=16)  # past the attempts' window too
    assert logins.confirm(login_id, _code(secret, clock.at)) is not None  # a newer one


@pytest.mark.parametrize(
    "code",
    ["", " ", "12345", "1234567", "12a456", "x" * 100_000, "١٢٣٤٥٦", "１２３４５６", None, 123456],
)
def test_garbage_codes_are_refused(
    logins: LoginService, clock: Clock, admin: tuple[str, str], code: object
) -> None:
    login_id, secret = admin
    assert logins.confirm(login_id, code) is None
    assert logins.confirm(login_id, _code(secret, clock.at)) is not None  # nothing spent


def test_code_attempts_count_in_the_login_window(
    logins: LoginService, clock: Clock, admin: tuple[str, str]
) -> None:
    login_id, secret = admin
    assert isinstance(logins.authenticate("root", PASSWORD), SecondStep)
    assert logins.confirm(login_id, "not a code") is None
    assert logins.confirm(login_id, "") is None
    with pytest.raises(LoginThrottled):
        logins.confirm(login_id, _code(secret, clock.at))


def test_unknown_and_non_admin_logins_confirm_nothing(
    logins: LoginService, clock: Clock, admin: tuple[str, str]
) -> None:
    agent = logins.add("ann", "agent", PASSWORD)
    assert logins.confirm(agent.id, _code(admin[1], clock.at)) is None
    assert logins.confirm("00000000-0000-0000-0000-000000000000", "123456") is None


def test_an_admin_without_a_store_key_cannot_be_added_nor_log_in(
    ledger: SqlLedger, clock: Clock
) -> None:
    keyless = login_service(ledger, clock)
    with pytest.raises(ConfigurationError, match="TUTELA_STORE_KEY"):
        keyless.add("root", "admin", PASSWORD)
    assert _rows(ledger) == []
    login_service(ledger, clock, KEY).add("root", "admin", PASSWORD)
    assert keyless.authenticate("root", PASSWORD) == SecondStep(
        _rows_id(ledger), "root", enrolled=False
    )


def _rows_id(ledger: SqlLedger) -> str:
    with ledger.engine.connect() as connection:
        return str(connection.execute(sa.text("select id from tutela_staff_login")).scalar())


def test_a_new_secret_voids_the_old_one(
    logins: LoginService, clock: Clock, admin: tuple[str, str]
) -> None:
    login_id, old = admin
    new = _secret_of(logins.provisioning_uri(logins.enrol("root")))
    assert new != old
    assert logins.confirm(login_id, _code(old, clock.at)) is None
    assert logins.confirm(login_id, _code(new, clock.at)) is not None


def test_only_admins_get_a_second_factor(logins: LoginService) -> None:
    logins.add("ann", "agent", PASSWORD)
    with pytest.raises(AccessError, match="not an admin"):
        logins.enrol("ann")
    with pytest.raises(AccessError, match="no login named"):
        logins.enrol("nobody")


def _cli(url: str, argv: list[str], given: str = "", key: str | None = None) -> Result:
    env = {"TUTELA_DATABASE_URL": url, "TUTELA_STORE_KEY": key or STORE_KEY_TEXT}
    return CliRunner().invoke(app, ["staff", *argv], input=given, env=env)


STORE_KEY_TEXT = StoreKey.generate()


def test_cli_enrols_an_admin_and_prints_the_uri_once(url: str, ledger: SqlLedger) -> None:
    result = _cli(url, ["add-login", "root", "--role", "admin"], f"{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    [uri] = [line for line in result.output.splitlines() if line.startswith("otpauth://")]
    secret = _secret_of(uri)
    [row] = _rows(ledger)
    assert secret.encode() not in row["totp"] and PASSWORD not in result.output
    logins = login_service(ledger, Clock(), StoreKey.parse(STORE_KEY_TEXT))
    step = logins.authenticate("root", PASSWORD)
    assert isinstance(step, SecondStep) and step.enrolled
    assert logins.confirm(step.login_id, _code(secret, Clock().at)) is not None


def test_cli_totp_replaces_the_secret(url: str, ledger: SqlLedger) -> None:
    first = _cli(url, ["add-login", "root", "--role", "admin"], f"{PASSWORD}\n")
    again = _cli(url, ["totp", "root"])
    assert again.exit_code == 0, again.output
    assert "otpauth://" in again.output and "sessions have ended" in again.output
    assert _secret_of(again.output.splitlines()[-1]) != _secret_of(first.output.splitlines()[-1])
    assert [e.action for e in ledger.entries()][-1] == "totp_enrolled"


@pytest.mark.parametrize(
    ("argv", "key", "says"),
    [
        (["totp", "nobody"], None, "no login named"),
        (["totp", "a" * 10_000], None, "1 to 64"),
        (["totp", "alice'; drop table x;--"], None, "1 to 64"),
        (["totp", "ann"], None, "not an admin"),
        (["add-login", "root", "--role", "admin"], "not a key", "TUTELA_STORE_KEY"),
    ],
)
def test_cli_refuses_bad_enrolments_with_exit_7(
    url: str, ledger: SqlLedger, argv: list[str], key: str | None, says: str
) -> None:
    assert _cli(url, ["add-login", "ann", "--role", "agent"], f"{PASSWORD}\n").exit_code == 0
    before = _rows(ledger)
    result = _cli(url, argv, f"{PASSWORD}\n", key)
    assert result.exit_code == 7, result.output
    assert says in result.output and "Traceback" not in result.output
    assert "otpauth://" not in result.output and _rows(ledger) == before
