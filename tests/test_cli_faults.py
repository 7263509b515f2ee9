"""Every command, given broken URLs and hostile files, fails cleanly (issue 13 item 10).

The walk covers every command of the Typer app (as tests/test_docs.py walks it):
a command without hostile cases (:func:`_cases`, :data:`READ_NOTHING`) fails the
coverage test. Each case asserts an exit code from the documented table (never 0,
never 1 unless the command documents it), no traceback, no secret nor any
fragment of one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
import typer
from typer.main import get_command
from typer.testing import CliRunner

from tutela.cli.errors import EXIT_CODES, INTERNAL_ERROR, command_group, user_errors
from tutela.cli.main import app
from tutela.ledger.checkpoint import generate_key

ROOT = Path(__file__).resolve().parents[1]
MINISHOP = ROOT / "tests" / "rights" / "fixtures" / "minishop"
SECRET = "S3cretPw-0815"
AT_FRAGMENTS = ("p@ss", "ss@word", "word")
"""The fragments of the password ``p@ss@word`` (output may say "wording" elsewhere)."""

BROKEN_URLS = {
    "bad-port": f"postgresql://tutela:{SECRET}@127.0.0.1:abc/shop",
    "unknown-driver": f"nosuchdb+nodriver://tutela:{SECRET}@127.0.0.1/shop",
    "charset": f"mysql+pymysql://root:{SECRET}@127.0.0.1:3306/test?charset=nonsense",
    "unescaped-at": "postgresql://user:p@ss@word@127.0.0.1:5432/db",
    "unreachable-postgresql": f"postgresql://tutela:{SECRET}@127.0.0.1:1/shop",
    "unreachable-mariadb": f"mysql://tutela:{SECRET}@127.0.0.1:1/shop",
    "garbage": f"not a URL at all {SECRET}",
}

HOSTILE_FILES = {
    "binary": bytes(range(256)) * 64,
    "huge-cell": b"email,name\n" + b"a" * 200_000 + b"@example.test,Ann\n",
    "invalid-utf8": b"email\ncaf\xe9@example.test\norganisation:\n  name: \xff\xfe\n",
    "empty": b"",
}

PROGRAMME_COMMANDS = {
    "tutela check": ["check", "{file}"],
    "tutela statement render": ["statement", "render", "{file}"],
    "tutela statement diff": ["statement", "diff", str(MINISHOP), "{file}"],
    "tutela statement announce": [
        *("statement", "announce", str(MINISHOP), "--previous", "{file}"),
        *("--effective", "2099-01-01", "--dry-run"),
    ],
    "tutela records export": ["records", "export", "{file}"],
    "tutela translations missing": ["translations", "missing", "{file}", "--lang", "fr"],
    "tutela import fides": ["import", "fides", "{file}", "-o", "{tmp}/imported.yml"],
    "tutela init": ["init", "{file}"],
    "tutela demo": ["demo", "{file}", "--out", "{tmp}/demo"],
    "tutela dsr plan": ["dsr", "plan", "{file}", "--type", "access", "--identity", "email=a@b.c"],
    "tutela dsr run": ["dsr", "run", "{file}", "--type", "access", "--identity", "email=a@b.c"],
    "tutela requests submit": [
        *("requests", "submit", "{file}"),
        *("--type", "erasure", "--identity", "email=a@b.c"),
    ],
    "tutela serve": ["serve", "{file}", "--port", "1"],
    "tutela retention run": ["retention", "run", "{file}", "--dry-run"],
    "tutela retention hold place": [
        *("retention", "hold", "place", "{file}", "--customer", "acme", "--reason", "claim")
    ],
    "tutela retention proof": ["retention", "proof", "{file}", "acme"],
    "tutela consent give": [
        *("consent", "give", "{file}", "--identity", "email=a@b.c", "--purpose", "x")
    ],
    "tutela consent withdraw": [
        *("consent", "withdraw", "{file}", "--identity", "email=a@b.c", "--purpose", "x")
    ],
    "tutela consent history": ["consent", "history", "{file}", "--identity", "email=a@b.c"],
    "tutela consent object": [
        *("consent", "object", "{file}", "--identity", "email=a@b.c", "--purpose", "x")
    ],
    "tutela consent opt-out": [
        *("consent", "opt-out", "{file}", "--identity", "email=a@b.c", "--purpose", "x")
    ],
    "tutela consent link": [
        *("consent", "link", "{file}", "--identity", "email=a@b.c", "--purpose", "x")
    ],
    "tutela consent receipt": [
        *("consent", "receipt", "{file}", "00000000-0000-0000-0000-000000000000")
    ],
    "tutela consent propagate": ["consent", "propagate", "{file}"],
    "tutela consent deliveries": ["consent", "deliveries", "{file}", "--state", "failed"],
    "tutela decide": ["decide", "{file}", "--identity", "email=a@b.c", "--purpose", "x"],
    "tutela anonymise": ["anonymise", "stats", "--programme", "{file}", "--dry-run"],
    "tutela dsr resume": [
        "dsr",
        "resume",
        "{file}",
        "b1",
        "--type",
        "access",
        "--identity",
        "email=a@b.c",
    ],
}
"""Commands reading a programme (or a Fides file, or a folder to write): given each hostile file."""

INPUT_COMMANDS = {
    "tutela dsr batch": ["dsr", "batch", str(MINISHOP), "--type", "access", "--input", "{file}"],
    "tutela consent import": ["consent", "import", str(MINISHOP), "{file}"],
    "tutela discover": ["discover", "text", "{file}"],
    "tutela moderate": ["moderate", "{file}"],
}
"""Commands reading a requests file: given each hostile file as ``.csv``."""

ACCESS = ["--type", "access", "--identity", "email=a@b.c"]
REQUEST_ID = "00000000-0000-0000-0000-000000000000"
VKEY = ["--key", str(generate_key("tutela.local/ledger").verifier)]
URL_COMMANDS = {
    "tutela datasets reflect": (["datasets", "reflect", "{url}"], None),
    "tutela discover": (["discover", "{url}", "--format", "json"], None),
    "tutela dsr plan": (["dsr", "plan", str(MINISHOP), *ACCESS], "MINISHOP_URL"),
    "tutela dsr run": (["dsr", "run", str(MINISHOP), *ACCESS], "MINISHOP_URL"),
    "tutela dsr resume": (["dsr", "resume", str(MINISHOP), "b1", *ACCESS], "MINISHOP_URL"),
    "tutela dsr batch": (
        ["dsr", "batch", str(MINISHOP), "--type", "access", "--input", "{tmp}/ok.csv"],
        "MINISHOP_URL",
    ),
    "tutela store purge": (["store", "purge"], "TUTELA_DATABASE_URL"),
    "tutela anonymise": (["anonymise", "x", "--programme", str(MINISHOP)], "TUTELA_DATABASE_URL"),
    "tutela db upgrade": (["db", "upgrade"], "TUTELA_DATABASE_URL"),
    "tutela ledger checkpoint": (["ledger", "checkpoint"], "TUTELA_DATABASE_URL"),
    "tutela ledger verify": (["ledger", "verify", *VKEY], "TUTELA_DATABASE_URL"),
    "tutela ledger prove": (["ledger", "prove", "0", *VKEY], "TUTELA_DATABASE_URL"),
    "tutela ledger export": (
        ["ledger", "export", "req-1", "-o", "{tmp}/bundle.json", *VKEY],
        "TUTELA_DATABASE_URL",
    ),
    **{
        f"tutela requests {name}": (["requests", name, *argv], "TUTELA_DATABASE_URL")
        for name, argv in {
            "submit": [str(MINISHOP), *ACCESS],
            "show": [REQUEST_ID],
            "list": ["--due-before", "2025-01-01"],
            "due": [],
            "approve": [REQUEST_ID],
            "deny": [REQUEST_ID, "--reason", "unfounded"],
            "extend": [REQUEST_ID, "--reason", "complex"],
            "withdraw": [REQUEST_ID],
            "verify": [REQUEST_ID, "--send"],
            "complete": [REQUEST_ID, "--programme", str(MINISHOP)],
            "fee": [REQUEST_ID, "--paid"],
            "forward": [REQUEST_ID, "--customer", "acme", "--programme", str(MINISHOP)],
            "export": [REQUEST_ID, "--out", "{tmp}/answer.zip"],
            "link": [REQUEST_ID],
            "download": ["1.x.1.y", "--out", "{tmp}/answer.zip"],
            "purge": [],
            "notify": ["--programme", str(MINISHOP)],
            "recipients": [REQUEST_ID],
            "lift": [
                REQUEST_ID,
                "--lifts-at",
                "2030-01-01T09:00+01:00",
                "--programme",
                str(MINISHOP),
            ],
            "lift-due": ["--programme", str(MINISHOP)],
        }.items()
    },
    "tutela complaints list": (["complaints", "list"], "TUTELA_DATABASE_URL"),
    **{
        f"tutela consent {name}": (
            ["consent", name, str(MINISHOP), "--identity", "email=a@b.c", *argv],
            "TUTELA_DATABASE_URL",
        )
        for name, argv in {
            "give": ["--purpose", "marketing"],
            "withdraw": ["--purpose", "marketing"],
            "history": [],
            "object": ["--purpose", "marketing"],
            "opt-out": ["--purpose", "marketing"],
            "link": ["--purpose", "marketing"],
        }.items()
    },
    "tutela consent import": (
        ["consent", "import", str(MINISHOP), "{tmp}/ok.csv"],
        "TUTELA_DATABASE_URL",
    ),
    "tutela consent receipt": (
        ["consent", "receipt", str(MINISHOP), REQUEST_ID],
        "TUTELA_DATABASE_URL",
    ),
    "tutela consent propagate": (["consent", "propagate", str(MINISHOP)], "TUTELA_DATABASE_URL"),
    "tutela consent deliveries": (["consent", "deliveries", str(MINISHOP)], "TUTELA_DATABASE_URL"),
    "tutela decide": (
        ["decide", str(MINISHOP), "--identity", "email=a@b.c", "--purpose", "marketing"],
        "TUTELA_DATABASE_URL",
    ),
    "tutela mail ingest": (
        ["mail", "ingest", "{tmp}/ok.csv", "--programme", str(MINISHOP)],
        "TUTELA_DATABASE_URL",
    ),
    "tutela mail fetch": (["mail", "fetch", "--programme", str(MINISHOP)], "TUTELA_IMAP_URL"),
    "tutela mail listen": (
        ["mail", "listen", "--port", "1", "--programme", str(MINISHOP)],
        "TUTELA_DATABASE_URL",
    ),
    "tutela mail queue": (["mail", "queue"], "TUTELA_DATABASE_URL"),
    "tutela moderation queue": (["moderation", "queue"], "TUTELA_DATABASE_URL"),
    "tutela moderation show": (["moderation", "show", REQUEST_ID], "TUTELA_DATABASE_URL"),
    "tutela moderation decide": (
        ["moderation", "decide", REQUEST_ID, "--remove", "--reason", "health"],
        "TUTELA_DATABASE_URL",
    ),
    "tutela complaints show": (["complaints", "show", REQUEST_ID], "TUTELA_DATABASE_URL"),
    "tutela keys create": (["keys", "create", "alice", "--role", "admin"], "TUTELA_DATABASE_URL"),
    "tutela keys list": (["keys", "list"], "TUTELA_DATABASE_URL"),
    "tutela keys revoke": (["keys", "revoke", REQUEST_ID], "TUTELA_DATABASE_URL"),
    "tutela staff add-login": (
        ["staff", "add-login", "alice", "--role", "admin"],
        "TUTELA_DATABASE_URL",
    ),
    "tutela staff totp": (["staff", "totp", "alice"], "TUTELA_DATABASE_URL"),
    "tutela staff list": (["staff", "list"], "TUTELA_DATABASE_URL"),
    "tutela staff disable": (["staff", "disable", "alice"], "TUTELA_DATABASE_URL"),
    "tutela staff enable": (["staff", "enable", "alice"], "TUTELA_DATABASE_URL"),
    "tutela staff remove": (["staff", "remove", "alice", "--yes"], "TUTELA_DATABASE_URL"),
    "tutela serve": (["serve", str(MINISHOP), "--port", "1"], "TUTELA_DATABASE_URL"),
    "tutela worker": (["worker", "--once", "--programme", str(MINISHOP)], "TUTELA_DATABASE_URL"),
    **{
        f"tutela retention {name}": (
            ["retention", *name.split(), str(MINISHOP), *argv],
            "TUTELA_DATABASE_URL",
        )
        for name, argv in {
            "run": ["--dry-run"],
            "hold place": ["--collection", "shop.orders", "--reason", "claim"],
            "hold lift": [REQUEST_ID, "--reason", "settled"],
            "hold list": ["--all"],
            "scan-policy": [],
            "proof": ["acme"],
        }.items()
    },
}
"""Commands opening a database: the broken URL as argument or in the variable named."""

STORE_COMMANDS = ("tutela dsr plan", "tutela dsr run", "tutela dsr resume", "tutela dsr batch")
"""Commands that also open tutela's store: given each broken URL as TUTELA_DATABASE_URL."""

READ_NOTHING = {
    "tutela connectors list": ["connectors", "list"],
    "tutela plugins list": ["plugins", "list"],
    "tutela ledger keygen": ["ledger", "keygen", "tutela.local/ledger"],
    "tutela db keygen": ["db", "keygen"],
}
"""Commands that read no file, URL or store: run in the broken environment, they succeed."""

EXIT_ONE = {"tutela check", "tutela statement render", "tutela records export", "tutela moderate"}
"""Commands documenting exit 1: the programme loads but `check` finds errors in it
(`moderate`: a line of the posts file is not a post)."""

EXIT_ZERO = {
    ("tutela statement diff", "empty"),
    ("tutela translations missing", "empty"),
    ("tutela discover", "empty"),  # `discover text` on an empty file: no documents, no spans
    ("tutela moderate", "empty"),  # an empty posts file: no posts, no verdicts
}
"""Cases that succeed: an empty programme loads, and after the minishop it is only editorial
changes (exit 0: no material change, as `statement diff` documents)."""

KNOWN_INTERNAL: set[tuple[str, str]] = set()
"""Cases still ending in an internal error (none: the demo refuses a file for its folder)."""


def _command_paths(command: object, prefix: str) -> list[str]:
    subcommands = getattr(command, "commands", None)
    if isinstance(subcommands, dict):
        return [
            p for name, sub in subcommands.items() for p in _command_paths(sub, f"{prefix} {name}")
        ]
    return [prefix]


def _cases() -> list[tuple[str, str, list[str], dict[str, str]]]:
    cases = []
    for path, argv in {**PROGRAMME_COMMANDS, **INPUT_COMMANDS}.items():
        cases += [(path, kind, argv, {}) for kind in HOSTILE_FILES]
    for path, (argv, variable) in URL_COMMANDS.items():
        for kind, url in BROKEN_URLS.items():
            env = {variable: url} if variable else {}
            cases.append((path, kind, [part.replace("{url}", url) for part in argv], env))
    for path in STORE_COMMANDS:
        argv = URL_COMMANDS[path][0]
        cases += [
            (path, f"store-{kind}", argv, {"TUTELA_DATABASE_URL": url})
            for kind, url in BROKEN_URLS.items()
        ]
    return cases


@pytest.fixture
def workspace(tmp_path: Path) -> dict[str, str]:
    """A working folder with a valid store, a shop database file and a valid requests file."""
    sqlite3.connect(tmp_path / "shop.sqlite").close()
    (tmp_path / "ok.csv").write_text("email\na@b.c\n", encoding="utf-8")
    return {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "TUTELA_CONNECT_TIMEOUT": "3",
        "MINISHOP_URL": f"sqlite:///{tmp_path / 'shop.sqlite'}",
        "MINISHOP_HASH_KEY": "test-hash-key-for-faults",
    }


def test_every_command_has_hostile_cases() -> None:
    covered = {case[0] for case in _cases()} | set(READ_NOTHING)
    missing = sorted(set(_command_paths(get_command(app), "tutela")) - covered)
    assert missing == [], f"commands without hostile cases in tests/test_cli_faults.py: {missing}"


@pytest.mark.parametrize(
    ("path", "kind", "argv", "env"),
    _cases(),
    ids=[f"{case[0][7:]}:{case[1]}" for case in _cases()],
)
def test_a_broken_input_fails_cleanly_with_a_documented_code(
    path: str,
    kind: str,
    argv: list[str],
    env: dict[str, str],
    workspace: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's is read
    suffix = ".csv" if path in INPUT_COMMANDS else ".yml"
    hostile = tmp_path / f"{kind}{suffix}"
    hostile.write_bytes(HOSTILE_FILES.get(kind, b""))
    args = [part.replace("{file}", str(hostile)).replace("{tmp}", str(tmp_path)) for part in argv]
    result = CliRunner().invoke(app, args, env={**workspace, **env})
    output = result.output
    assert "Traceback" not in output, output
    secrets = (SECRET, *AT_FRAGMENTS) if kind.endswith("unescaped-at") else (SECRET,)
    for secret in secrets:
        assert secret not in output, f"{secret!r} leaked: {output}"
    allowed = set(EXIT_CODES.values()) | {2}
    allowed |= {1} if path in EXIT_ONE else set()
    allowed |= {0} if (path, kind) in EXIT_ZERO else set()
    allowed |= {INTERNAL_ERROR} if (path, kind) in KNOWN_INTERNAL else set()
    assert result.exit_code in allowed, f"exit {result.exit_code}: {output}"


@pytest.mark.parametrize("path", sorted(READ_NOTHING))
def test_commands_that_read_nothing_succeed_in_a_broken_environment(
    path: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = {
        "TUTELA_DATABASE_URL": BROKEN_URLS["unescaped-at"],
        "MINISHOP_URL": BROKEN_URLS["bad-port"],
    }
    result = CliRunner().invoke(app, READ_NOTHING[path], env=env)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    assert not any(secret in result.output for secret in (SECRET, *AT_FRAGMENTS))


HOSTILE_LOGIN_NAMES = {
    "unknown": ("nobody", "no login named nobody"),
    "empty": ("", "1 to 64"),
    "blank": ("   ", "1 to 64"),
    "huge": ("a" * 10_000, "1 to 64"),
    "sql": ("alice'; DROP TABLE tutela_staff_login;--", "1 to 64"),
    "sql-or": ("' OR 1=1 --", "1 to 64"),
    "nul": ("alice\x00", "1 to 64"),
    "other-script": ("\u0430lice", "1 to 64"),  # a Cyrillic а, not alice
    "surrogates": ("alice\udcff\udcfe", "1 to 64"),  # what Python makes of non-UTF-8 argv
}
"""Names `tutela staff disable/enable/remove` must refuse: (name, what the error says)."""
LOGIN_COMMANDS = (["disable"], ["enable"], ["remove", "--yes"], ["remove"])


@pytest.fixture
def staff_store(tmp_path: Path) -> str:
    """A store with the admin ``alice`` and the agent ``bob``; its URL."""
    from tutela.bootstrap import SystemClock
    from tutela.requests.sealing import StoreKey
    from tutela.store.console import login_service
    from tutela.store.ledger import open_ledger

    url = f"sqlite:///{tmp_path / 'staff.sqlite'}"
    ledger = open_ledger(url)
    logins = login_service(ledger, SystemClock(), StoreKey.parse(StoreKey.generate()))
    logins.add("alice", "admin", "correct horse battery staple")
    logins.add("bob", "agent", "correct horse battery staple")
    ledger.close()
    return url


def _staff_state(url: str) -> tuple[list[tuple[object, ...]], int]:
    """Every login row and the number of ledger entries."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("select * from tutela_staff_login order by name"))
        entries = connection.execute(sa.text("select count(*) from tutela_ledger_entry"))
        found = ([tuple(row) for row in rows], int(entries.scalar_one()))
    engine.dispose()
    return found


@pytest.mark.parametrize("command", LOGIN_COMMANDS, ids=" ".join)
@pytest.mark.parametrize("kind", sorted(HOSTILE_LOGIN_NAMES))
def test_staff_login_commands_refuse_hostile_names_and_change_nothing(
    command: list[str], kind: str, staff_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    name, says = HOSTILE_LOGIN_NAMES[kind]
    before = _staff_state(staff_store)
    verb, *options = command
    result = CliRunner().invoke(
        app, ["staff", verb, name, *options], input="y\n", env={"TUTELA_DATABASE_URL": staff_store}
    )
    assert result.exit_code == 7, result.output
    assert says in result.output and "Traceback" not in result.output
    assert "Remove the login" not in result.output  # refused before asking
    assert len(result.output) < 400  # the name is not echoed back
    assert _staff_state(staff_store) == before


def test_staff_login_commands_refuse_non_utf8_argv(staff_store: str, tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    before = _staff_state(staff_store)
    env = {**os.environ, "TUTELA_DATABASE_URL": staff_store, "LC_ALL": "C.UTF-8"}
    code = "from tutela.cli.main import main; main()"
    for argv in (
        [b"disable", b"\xff\xfe"],
        [b"remove", b"al\xe9ce", b"--yes"],
        [b"enable", b"\xc3"],
    ):
        done = subprocess.run(
            [sys.executable, "-c", code, "staff", *argv],
            capture_output=True,
            env=env,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 7, done.stderr
        assert b"1 to 64" in done.stderr and b"Traceback" not in done.stderr
    assert _staff_state(staff_store) == before


def test_staff_remove_refuses_the_last_admin_and_unknown_names_list_nothing(
    staff_store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = _staff_state(staff_store)
    env = {"TUTELA_DATABASE_URL": staff_store}
    result = CliRunner().invoke(app, ["staff", "remove", "alice", "--yes"], env=env)
    assert result.exit_code == 7 and "last enabled admin" in result.output
    listed = CliRunner().invoke(app, ["staff", "list", "--format", "xml"], env=env)
    assert listed.exit_code == 2 and "Traceback" not in listed.output
    assert _staff_state(staff_store) == before


def _probe_app() -> typer.Typer:
    probe = command_group("Commands that fail on purpose.")

    @probe.command("bug")
    @user_errors
    def bug() -> None:
        raise ValueError(f"cannot use postgresql://app:{SECRET}@db.internal/shop\nsecond line")

    @probe.command("interrupted")
    @user_errors
    def interrupted() -> None:
        raise KeyboardInterrupt

    return probe


RELEASE = "  - {key: stats, name: S, description: S., method: k_anonymity, k: 2,\n"
HOSTILE_RELEASES = {
    "unknown-key": (RELEASE + "     quasi_identifiers: [a], source: {csv: s.csv}}", "nope", 2),
    "no-source": (RELEASE + "     quasi_identifiers: [a]}", "stats", 2),
    "bad-bytes": (RELEASE + "     quasi_identifiers: [a], source: {csv: bad.csv}}", "stats", 2),
    "not-select": (
        RELEASE + "     quasi_identifiers: [a], source: {system: crm, query: DELETE FROM a}}",
        "stats",
        2,
    ),
    "outside-tree": (
        RELEASE + "     quasi_identifiers: [a], source: {csv: s.csv},\n"
        "     hierarchies: {a: {tree: {x: [X]}}}}",
        "stats",
        2,
    ),
}
"""`tutela anonymise` on releases that cannot be made: (release YAML, key, exit code)."""


@pytest.mark.parametrize("kind", sorted(HOSTILE_RELEASES))
def test_anonymise_refuses_a_release_that_cannot_be_made_cleanly(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    monkeypatch.chdir(tmp_path)
    release, key, code = HOSTILE_RELEASES[kind]
    folder = tmp_path / "programme"
    shutil.copytree(ROOT / "tests" / "fixtures" / "minimal", folder)
    (folder / "anonymisation.yml").write_text(f"anonymisation:\n{release}\n", encoding="utf-8")
    (folder / "s.csv").write_text("a\nx\ny\n", encoding="utf-8")
    (folder / "bad.csv").write_bytes(b"a\nx\n\xff\xfe\n")
    result = CliRunner().invoke(app, ["anonymise", key, "--programme", str(folder), "--dry-run"])
    assert "Traceback" not in result.output
    assert result.exit_code == code, result.output
    assert not (tmp_path / f"{key}.csv").exists()


def test_an_unexpected_exception_prints_one_line_without_secrets_and_exits_70() -> None:
    result = CliRunner().invoke(_probe_app(), ["bug"])
    assert result.exit_code == INTERNAL_ERROR == 70
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("internal error: ValueError: cannot use ")
    assert "postgresql://app:***@db.internal/shop" in lines[0] and "report" in lines[0]
    assert SECRET not in result.output and "Traceback" not in result.output


def test_an_interrupted_command_exits_130_quietly() -> None:
    result = CliRunner().invoke(_probe_app(), ["interrupted"])
    assert (result.exit_code, result.output.strip()) == (130, "interrupted")
