"""Every command refuses a store not set up, older or newer, naming what to run (issue 15 §1).

`tutela db upgrade` migrates; every other command that opens tutela's store checks
its revision first (:func:`tutela.store.migrate.require_current`) and exits with
code 6 and one line saying what to do, never a traceback, and changes nothing.
Library callers (``SqlDsrStore``, ``open_ledger``) still upgrade by default.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory
from typer.testing import CliRunner, Result

from tutela import bootstrap
from tutela.cli.main import app
from tutela.ledger.checkpoint import generate_key
from tutela.store import migrate
from tutela.store.dsr import SqlDsrStore
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb

UPGRADE = "run `tutela db upgrade`"
NEWER = (
    "which this tutela does not know (written by a newer tutela?): upgrade tutela, "
    "or point TUTELA_DATABASE_URL at another store"
)
OLDER = "0004_requests"
FUTURE = "9999_future"
HEAD = str(ScriptDirectory.from_config(migrate.alembic_config()).get_current_head())
KEY = generate_key("tutela.local/ledger")
IDENTITY = ["--identity", "email=nobody@example.test"]

COMMANDS = {
    "requests list": (["requests", "list"], "no requests"),
    "ledger verify": (["ledger", "verify"], "ledger intact: 0 entries"),
    "store purge": (["store", "purge"], "purged 0 expired answer(s)"),
    "dsr plan": (
        ["dsr", "plan", str(shopdb.shop_programme_path()), "--type", "access", *IDENTITY],
        "shop_db.customer (system shop)",
    ),
}
"""Commands that open the store: their arguments and a part of their output once it is set up."""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """A new SQLite store (no file yet), a small shop and the ledger's key."""
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's is read
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(shop, customers=3, seed=2)
    return {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "TUTELA_SHOP_URL": shop,
        "TUTELA_HASH_KEY": "store-current-test-key",
        "TUTELA_LEDGER_KEY": KEY.private_text(),
    }


def run(env: dict[str, str], args: list[str]) -> Result:
    """``tutela ARGS`` in ``env``: never a traceback, never a secret."""
    result = CliRunner().invoke(app, args, env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert env["TUTELA_LEDGER_KEY"] not in result.output
    assert env["TUTELA_HASH_KEY"] not in result.output
    return result


def tables(url: str) -> set[str]:
    """The tables in the database at ``url``."""
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def revision(url: str) -> str | None:
    """The revision of the store at ``url``."""
    engine = sa.create_engine(url)
    try:
        return migrate.revision(engine)
    finally:
        engine.dispose()


def migrate_to(url: str, target: str) -> None:
    """Bring the store at ``url`` to ``target``; ``FUTURE`` stamps one no tutela knows."""
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        config = migrate.alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, HEAD if target == FUTURE else target)
        if target == FUTURE:
            connection.execute(
                sa.text("UPDATE tutela_alembic_version SET version_num = :revision"),
                {"revision": FUTURE},
            )
    engine.dispose()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_command_on_a_new_store_exits_6_naming_db_upgrade_and_creates_nothing(
    env: dict[str, str], name: str
) -> None:
    args, _ = COMMANDS[name]
    url = env["TUTELA_DATABASE_URL"]
    refused = run(env, args)
    assert refused.exit_code == 6, refused.output
    assert f"error: tutela's store at {url} is not set up (no schema): {UPGRADE}" in refused.output
    assert tables(url) == set()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_after_db_upgrade_the_command_works(env: dict[str, str], name: str) -> None:
    args, expected = COMMANDS[name]
    upgraded = run(env, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert f"tutela's store is at revision {HEAD}" in upgraded.output
    result = run(env, args)
    assert result.exit_code == 0, result.output
    assert expected in result.output


def test_a_store_at_an_older_revision_is_refused_naming_both_revisions(
    env: dict[str, str],
) -> None:
    migrate_to(env["TUTELA_DATABASE_URL"], OLDER)
    for args, _ in COMMANDS.values():
        refused = run(env, args)
        assert refused.exit_code == 6, refused.output
        assert f"is at revision {OLDER}, this tutela needs {HEAD}: {UPGRADE}" in refused.output
    assert revision(env["TUTELA_DATABASE_URL"]) == OLDER  # the refusals changed nothing
    assert run(env, ["db", "upgrade"]).exit_code == 0
    assert run(env, ["requests", "list"]).exit_code == 0


def test_a_store_written_by_a_newer_tutela_is_refused_by_every_command(
    env: dict[str, str],
) -> None:
    migrate_to(env["TUTELA_DATABASE_URL"], FUTURE)
    for args, _ in COMMANDS.values():
        refused = run(env, args)
        assert refused.exit_code == 6, refused.output
        assert f"is at revision {FUTURE}, {NEWER}" in refused.output
    upgrade = run(env, ["db", "upgrade"])  # nor can this tutela upgrade it
    assert upgrade.exit_code == 6 and FUTURE in upgrade.output


@pytest.mark.postgres
def test_postgres_stores_not_current_are_refused_without_the_password(postgres_url: str) -> None:
    url = sa.make_url(postgres_url).set(password="pw-not-shown")
    text = url.render_as_string(hide_password=False)
    shown = url.render_as_string(hide_password=True)
    env = {
        "TUTELA_DATABASE_URL": text,
        "TUTELA_HASH_KEY": "store-current-test-key",
        "TUTELA_LEDGER_KEY": KEY.private_text(),
    }
    new = run(env, ["requests", "list"])
    assert new.exit_code == 6, new.output
    assert f"tutela's store at {shown} is not set up (no schema): {UPGRADE}" in new.output
    assert "pw-not-shown" not in new.output and tables(text) == set()
    migrate_to(text, OLDER)
    older = run(env, ["ledger", "verify", "--key", str(KEY.verifier)])
    assert older.exit_code == 6 and f"{OLDER}, this tutela needs {HEAD}" in older.output
    migrate_to(text, FUTURE)
    newer = run(env, ["store", "purge"])
    assert newer.exit_code == 6 and f"{FUTURE}, {NEWER}" in newer.output
    assert "pw-not-shown" not in older.output + newer.output


def test_library_callers_still_upgrade_unless_told_not_to(database_url: str) -> None:
    with pytest.raises(migrate.StoreNotCurrent, match="not set up"):
        SqlDsrStore(database_url, bootstrap.SystemClock(), upgrade=False)
    with pytest.raises(migrate.StoreNotCurrent, match="not set up"):
        open_ledger(database_url, upgrade=False)
    assert tables(database_url) == set()
    SqlDsrStore(database_url, bootstrap.SystemClock()).close()  # the default upgrades, as before
    open_ledger(database_url, upgrade=False).close()
    SqlDsrStore(database_url, bootstrap.SystemClock(), upgrade=False).close()


def test_the_application_never_upgrades(tmp_path: Path) -> None:
    application = bootstrap.build({"TUTELA_DATABASE_URL": f"sqlite:///{tmp_path}/s.db"})
    with pytest.raises(migrate.StoreNotCurrent, match="tutela db upgrade"):
        application.store()
    with pytest.raises(migrate.StoreNotCurrent, match="tutela db upgrade"):
        application.ledger()
    assert tables(f"sqlite:///{tmp_path}/s.db") == set()


def test_require_current_reads_the_revision_once_per_engine(sqlite_url: str) -> None:
    migrate_to(sqlite_url, HEAD)
    engine = sa.create_engine(sqlite_url)
    statements: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        migrate.require_current(engine)
        assert statements  # the first check reads the version table
        asked = len(statements)
        migrate.require_current(engine)
        migrate.require_current(engine)
        assert len(statements) == asked
    finally:
        engine.dispose()


def test_a_refused_store_is_asked_again_once_it_is_upgraded(sqlite_url: str) -> None:
    engine = sa.create_engine(sqlite_url)
    try:
        with pytest.raises(migrate.StoreNotCurrent, match="not set up"):
            migrate.require_current(engine)
        migrate_to(sqlite_url, OLDER)
        with pytest.raises(migrate.StoreNotCurrent, match=f"at revision {OLDER}"):
            migrate.require_current(engine)
        migrate.upgrade(engine)
        migrate.require_current(engine)
    finally:
        engine.dispose()


def test_store_not_current_is_a_store_error_exit_6() -> None:
    from tutela.cli.errors import exit_code
    from tutela.errors import StoreError

    assert issubclass(migrate.StoreNotCurrent, StoreError)
    assert exit_code(migrate.StoreNotCurrent("x")) == 6
