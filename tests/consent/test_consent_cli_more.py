"""`tutela consent import | object | opt-out` through the CLI, on a SQLite store (CO-2, OB-2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tutela.cli.main import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
HASH_KEY = "consent-cli-more-hash-key"
ANN = ["--identity", "email=Ann@Example.test"]


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    environ = {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "TUTELA_HASH_KEY": HASH_KEY,
    }
    run(environ, "db", "upgrade")
    return environ


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    assert HASH_KEY not in result.output
    assert result.exit_code == code, result.output
    return result


def consent(env: dict[str, str], verb: str, *extra: str, code: int = 0) -> Result:
    return run(env, "consent", verb, str(EXAMPLE), *extra, code=code)


def history(env: dict[str, str], *identity: str) -> list[dict[str, Any]]:
    found = consent(env, "history", *(identity or ANN), "--format", "json")
    events: list[dict[str, Any]] = json.loads(found.stdout)
    return events


def decide(env: dict[str, str], purpose: str, *identity: str) -> dict[str, Any]:
    found = run(env, "decide", str(EXAMPLE), *(identity or ANN), "--purpose", purpose, "-f", "json")
    decision: dict[str, Any] = json.loads(found.stdout)
    return decision


def write(tmp_path: Path, *lines: str) -> str:
    path = tmp_path / "list.csv"
    path.write_text("\n".join(["email,purpose,choice,at,evidence", *lines, ""]), "utf-8")
    return str(path)


GOOD = "ann@example.test,direct_marketing,given,2025-01-10T09:00:00+01:00,list-2025"
BAD = "bob@example.test,analytics,given,2025-01-10,"


def test_co2_import_records_a_good_list_and_prints_the_report(
    env: dict[str, str], tmp_path: Path
) -> None:
    unsubscribed = "carol@example.test,direct_marketing_customers,unsubscribed,,"
    found = consent(env, "import", write(tmp_path, GOOD, unsubscribed), "--actor", "staff:dpo")
    assert "2 lines read, 2 accepted, 0 rejected: recorded" in found.stdout
    assert "1 lines had no `at`" in found.stdout
    [event] = history(env)
    assert (event["method"], event["evidence"]) == ("import", "list-2025")
    assert event["at"] == "2025-01-10T08:00:00+00:00"
    assert decide(env, "direct_marketing")["reasons"] == ["consent:given"]
    carol = decide(env, "direct_marketing_customers", "--identity", "email=carol@example.test")
    assert carol["reasons"] == ["objection:direct_marketing"]


def test_co2_import_with_a_bad_line_records_nothing_and_exits_4_naming_line_and_column(
    env: dict[str, str], tmp_path: Path
) -> None:
    found = consent(env, "import", write(tmp_path, GOOD, BAD), code=4)
    assert "2 lines read, 0 accepted, 1 rejected: nothing recorded" in found.stdout
    assert "line 3, column purpose: purpose analytics rests on legitimate_interests" in found.stdout
    assert "--skip-bad" in found.stdout and "bob@" not in found.stdout
    assert history(env) == []


def test_co2_import_with_skip_bad_records_the_good_lines_and_reports_the_bad(
    env: dict[str, str], tmp_path: Path
) -> None:
    found = consent(env, "import", write(tmp_path, GOOD, BAD), "--skip-bad", "--format", "json")
    report = json.loads(found.stdout)
    assert (report["read"], report["accepted"], report["rejected"]) == (2, 1, 1)
    assert report["rejections"] == [
        {"line": 3, "column": "purpose", "reason": report["rejections"][0]["reason"]}
    ]
    assert report["committed"] is True
    assert [e["kind"] for e in history(env)] == ["consent_given"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "email,purpose,choice\nzoë@example.test,direct_marketing,given\n".encode("latin-1"),
            "line 2",
        ),
        (b"", "empty"),
        (b"email,purpose,choice,shoe_size\n", "shoe_size"),
    ],
    ids=["latin-1", "empty", "unknown-column"],
)
def test_co2_import_refuses_a_file_it_cannot_read_with_exit_4(
    env: dict[str, str], tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    found = consent(env, "import", str(path), code=4)
    assert message in found.output


def test_co2_import_of_a_missing_file_or_a_folder_exits_4(
    env: dict[str, str], tmp_path: Path
) -> None:
    assert "no such file" in consent(env, "import", str(tmp_path / "none.csv"), code=4).output
    assert "is a folder" in consent(env, "import", str(tmp_path), code=4).output


def test_co2_import_without_a_hash_key_records_nothing_and_exits_7(
    env: dict[str, str], tmp_path: Path
) -> None:
    keyless = {**env, "TUTELA_HASH_KEY": ""}
    assert "hash key" in consent(keyless, "import", write(tmp_path, GOOD), code=7).output
    assert history(env) == []


def test_ob2_an_objection_to_direct_marketing_beats_consent_given_before_and_after(
    env: dict[str, str],
) -> None:
    consent(env, "give", *ANN, "--purpose", "direct_marketing")
    found = consent(env, "object", *ANN, "--purpose", "direct_marketing", "--evidence", "mail-9")
    assert "objection direct_marketing by api" in found.stdout
    assert "absolutely" in found.stdout and "OB-2" in found.stdout
    consent(env, "give", *ANN, "--purpose", "direct_marketing")
    decision = decide(env, "direct_marketing")
    assert decision["decision"] == "deny"
    assert decision["reasons"] == ["objection:direct_marketing"]
    kinds = [e["kind"] for e in history(env)]
    assert kinds == ["consent_given", "objection", "consent_given"]


def test_ob2_an_objection_to_marketing_on_legitimate_interests_is_absolute_too(
    env: dict[str, str],
) -> None:
    assert decide(env, "direct_marketing_customers")["decision"] == "allow"
    consent(env, "object", *ANN, "--purpose", "direct_marketing_customers")
    assert decide(env, "direct_marketing_customers")["reasons"] == ["objection:direct_marketing"]


def test_ob1_an_objection_to_a_legitimate_interest_goes_to_staff_to_weigh(
    env: dict[str, str],
) -> None:
    found = consent(env, "object", *ANN, "--purpose", "analytics", "--format", "json")
    [event] = json.loads(found.stdout)
    assert event["kind"] == "objection" and event["purpose"] == "analytics"
    assert "staff" in found.stderr and "Art. 21(1)" in found.stderr
    assert decide(env, "analytics")["reasons"] == ["objection"]


def test_ob1_an_objection_to_a_legal_obligation_is_recorded_but_does_not_stop_it(
    env: dict[str, str],
) -> None:
    found = consent(env, "object", *ANN, "--purpose", "legal_compliance")
    assert "does not stop it" in found.stdout
    assert decide(env, "legal_compliance")["decision"] == "allow"


def test_gpc1_opt_out_takes_the_same_options_and_says_what_it_changes(
    env: dict[str, str],
) -> None:
    found = consent(
        env, "opt-out", *ANN, "--purpose", "analytics", "--method", "gpc", "--evidence", "sig-1"
    )
    assert "opt_out analytics by gpc" in found.stdout
    assert "neither sells nor shares" in found.stdout
    [event] = history(env)
    assert (event["kind"], event["evidence"]) == ("opt_out", "sig-1")


@pytest.mark.parametrize("verb", ["object", "opt-out"])
def test_co2_object_and_opt_out_refuse_an_unknown_purpose_or_identity(
    env: dict[str, str], verb: str
) -> None:
    refused = consent(env, verb, *ANN, "--purpose", "nonexistent", code=4)
    assert "not in the programme" in refused.output
    refused = consent(env, verb, "--identity", "email=nope", "--purpose", "analytics", code=4)
    assert "nope" not in refused.output
    assert history(env) == []
