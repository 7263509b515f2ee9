"""`tutela consent give | withdraw | history` through the CLI, on a SQLite store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from tutela.cli.main import app

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
HASH_KEY = "consent-cli-hash-key"
EMAIL = "Ann.Subject@Example.test"
ANN = ["--identity", f"email={EMAIL}"]
MARKETING = ["--purpose", "direct_marketing"]


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
    events: list[dict[str, Any]] = json.loads(found.output)
    return events


def test_co2_give_records_the_notice_method_and_evidence(env: dict[str, str]) -> None:
    given = consent(env, "give", *ANN, *MARKETING, "--evidence", "form-17", "--format", "json")
    [event] = json.loads(given.output)
    assert event["kind"] == "consent_given" and event["purpose"] == "direct_marketing"
    assert event["method"] == "api" and event["evidence"] == "form-17"
    assert event["notice_version"] == "marketing-consent-2026-1"
    assert event["subject"].startswith("h:") and len(event["subject"]) == 66
    assert history(env) == [event]


def test_co3_withdraw_takes_the_same_options_and_reconsent_is_recorded(
    env: dict[str, str],
) -> None:
    consent(env, "give", *ANN, *MARKETING, "--method", "checkbox")
    consent(env, "withdraw", *ANN, *MARKETING, "--method", "checkbox")
    consent(env, "give", *ANN, *MARKETING, "--method", "checkbox")
    events = history(env)
    kinds = [e["kind"] for e in events]
    assert kinds == ["consent_given", "consent_withdrawn", "consent_given"]
    assert len({e["subject"] for e in events}) == 1
    assert history(env, "--identity", "email=other@example.test") == []


def test_co2_the_email_is_lower_cased_so_one_subject_has_one_history(
    env: dict[str, str],
) -> None:
    consent(env, "give", *ANN, *MARKETING)
    lower = history(env, "--identity", f"email={EMAIL.lower()}")
    assert [e["kind"] for e in lower] == ["consent_given"]


def test_co2_history_text_names_no_identity(env: dict[str, str]) -> None:
    consent(env, "give", *ANN, *MARKETING)
    text = consent(env, "history", *ANN).output
    assert "consent_given direct_marketing by api" in text
    assert EMAIL.lower() not in text.lower()


def test_co2_a_purpose_not_based_on_consent_is_refused_naming_its_basis(
    env: dict[str, str],
) -> None:
    refused = consent(env, "give", *ANN, "--purpose", "analytics", code=4)
    assert "analytics" in refused.output and "legitimate_interests" in refused.output
    refused = consent(env, "withdraw", *ANN, "--purpose", "legal_compliance", code=4)
    assert "legal_obligation" in refused.output
    assert history(env) == []


def test_co2_an_unknown_purpose_is_refused(env: dict[str, str]) -> None:
    refused = consent(env, "give", *ANN, "--purpose", "nonexistent", code=4)
    assert "nonexistent" in refused.output and "not in the programme" in refused.output


@pytest.mark.parametrize(
    "identity",
    ["email=not-an-address", "email=", "Email=a@b.c", "email=a@b.c\x1b[31m", "noequals"],
)
def test_co2_a_hostile_identity_is_refused_without_echoing_it(
    env: dict[str, str], identity: str
) -> None:
    refused = consent(env, "give", "--identity", identity, *MARKETING, code=4)
    assert "not-an-address" not in refused.output and "\x1b" not in refused.output
    assert history(env, "--identity", "email=a@b.c") == []


def test_co2_a_bad_method_is_refused(env: dict[str, str]) -> None:
    refused = consent(env, "give", *ANN, *MARKETING, "--method", "telepathy", code=4)
    assert "method" in refused.output


def test_co2_the_store_file_holds_no_identity_in_clear(env: dict[str, str], tmp_path: Path) -> None:
    consent(env, "give", *ANN, *MARKETING, "--evidence", "form-17")
    consent(env, "withdraw", *ANN, *MARKETING)
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("store.sqlite*"))
    assert b"form-17" in stored  # the file is readable: the events are in it
    for text in (EMAIL, EMAIL.lower(), "Ann.Subject", "ann.subject"):
        assert text.encode() not in stored


def test_co2_without_a_hash_key_nothing_is_recorded(env: dict[str, str]) -> None:
    keyless = {**env, "TUTELA_HASH_KEY": ""}
    refused = consent(keyless, "give", *ANN, *MARKETING, code=7)
    assert "hash key" in refused.output
    assert history(env) == []
