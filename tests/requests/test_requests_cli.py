"""`tutela requests`: submit with its deadline, show, transitions and hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tutela.cli.main import app
from tutela.store.ledger import open_ledger

MINISHOP = Path(__file__).resolve().parents[1] / "rights" / "fixtures" / "minishop"
EMAIL = "ann.peeters@example.test"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's is read
    environ = {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "MINISHOP_HASH_KEY": "requests-cli-test-key",
    }
    assert CliRunner().invoke(app, ["db", "upgrade"], env=environ).exit_code == 0
    return environ


def run(env: dict[str, str], *args: str) -> Result:
    result = CliRunner().invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    assert "requests-cli-test-key" not in result.output
    return result


def submit(env: dict[str, str], kind: str = "erasure", *more: str) -> dict[str, object]:
    result = run(
        env, "requests", "submit", str(MINISHOP), "--type", kind,
        "--identity", f"email={EMAIL}", "--format", "json", *more,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document: dict[str, object] = json.loads(result.output)
    return document


def test_submit_prints_the_deadline_and_show_round_trips(env: dict[str, str]) -> None:
    made = submit(env, "erasure", "--received-at", "2025-03-05T10:00:00+00:00")
    assert (made["type"], made["regime"], made["state"]) == ("erasure", "gdpr", "received")
    assert (made["received_at"], made["due"]) == ("2025-03-05T10:00:00+00:00", "2025-04-07")
    assert "Saturday" in str(made["due_rule"])
    shown = run(env, "requests", "show", str(made["id"]), "--format", "json")
    assert shown.exit_code == 0 and json.loads(shown.output) == made
    text = run(env, "requests", "show", str(made["id"]))
    assert "due: 2025-04-07 (Europe/Brussels)" in text.output
    assert EMAIL not in text.output and EMAIL not in shown.output


def test_transitions_through_the_commands_write_the_ledger(env: dict[str, str]) -> None:
    made = submit(env, "erasure", "--received-at", "2025-03-05T10:00:00+00:00")
    ident = str(made["id"])
    refused = run(env, "requests", "approve", ident)
    assert refused.exit_code == 4 and "must pass its identity step first" in refused.output
    extended = run(
        env, "requests", "extend", ident, "--reason", "complex",
        "--notice-at", "2025-03-20T09:00:00+01:00", "--format", "json",
    )  # fmt: skip
    assert extended.exit_code == 0, extended.output
    assert json.loads(extended.output)["due"] == "2025-06-05"
    denied = run(env, "requests", "deny", ident, "--reason", "manifestly unfounded")
    assert denied.exit_code == 0 and "state: denied" in denied.output
    withdrawn = run(env, "requests", "withdraw", ident)
    assert withdrawn.exit_code == 4 and "denied is final" in withdrawn.output
    ledger = open_ledger(env["TUTELA_DATABASE_URL"])
    assert [e.action for e in ledger.entries()] == ["submitted", "extended", "denied"]
    ledger.close()
    listed = run(env, "requests", "list", "--state", "denied", "--format", "json")
    assert [r["id"] for r in json.loads(listed.output)] == [ident]
    due = run(env, "requests", "due")
    assert due.exit_code == 0 and due.output == "nothing overdue or due soon\n"


def test_due_lists_an_overdue_request(env: dict[str, str]) -> None:
    made = submit(env, "access", "--received-at", "2025-03-05T10:00:00+00:00")
    due = run(env, "requests", "due", "--format", "json")
    assert due.exit_code == 0
    [listed] = json.loads(due.output)
    assert (listed["id"], listed["urgency"]) == (made["id"], "overdue")
    assert "overdue" in run(env, "requests", "due").output
    assert run(env, "requests", "list").output.startswith(str(made["id"]))


@pytest.mark.parametrize(
    ("args", "why"),
    [
        (["--type", "forget_me", "--identity", "email=a@b.c"], "unknown request type"),
        (["--type", "erasure", "--identity", "email"], "NAME=VALUE"),
        (["--type", "erasure", "--identity", "email=" + "a" * 100_000], "characters"),
        (["--type", "erasure", "--identity", "email=a@b.c", "--received-at", "5 March"], "ISO"),
        (
            ["--type", "erasure", "--identity", "email=a@b.c", "--received-at", "2025-03-05T10:00"],
            "no UTC offset",
        ),
    ],
)
def test_submit_refuses_hostile_input(env: dict[str, str], args: list[str], why: str) -> None:
    result = run(env, "requests", "submit", str(MINISHOP), *args)
    assert result.exit_code == 4 and why in result.output
    assert "aaaaaaaaaa" not in result.output


def test_missing_hash_key_and_unknown_ids(env: dict[str, str]) -> None:
    no_key = {"TUTELA_DATABASE_URL": env["TUTELA_DATABASE_URL"]}
    result = run(
        no_key, "requests", "submit", str(MINISHOP), "--type", "access", "--identity", "email=a@b.c"
    )
    assert result.exit_code == 7 and "MINISHOP_HASH_KEY" in result.output
    unknown = run(env, "requests", "show", "00000000-0000-0000-0000-000000000000")
    assert unknown.exit_code == 4 and "no request" in unknown.output
    garbage = run(env, "requests", "deny", "x" * 10_000, "--reason", "r")
    assert garbage.exit_code == 4 and "xxxxxxxxxx" not in garbage.output
    bad_date = run(env, "requests", "list", "--due-before", "tomorrow")
    assert bad_date.exit_code == 4 and "YYYY-MM-DD" in bad_date.output
