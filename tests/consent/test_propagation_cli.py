"""`tutela consent propagate | deliveries`, and the periodic duty, on a SQLite store.

A copy of the example programme whose marketing system asks for consent changes by
webhook, a real loopback server that checks each signature (CO-3).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests.consent.test_propagation import SECRET, Hooks, serve
from typer.testing import CliRunner, Result

from tutela.bootstrap import build
from tutela.cli.main import app as cli
from tutela.jobs.periodic import DUTIES, periodic
from tutela.programme.loader import load_programme
from tutela.requests.sealing import StoreKey

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
EMAIL = "cli.subject@example.test"
HASH_KEY = "propagation-cli-hash-key"
PURPOSES_LINE = "    purposes: [direct_marketing, direct_marketing_customers, analytics]\n"


@pytest.fixture
def hooks() -> Iterator[tuple[Hooks, str]]:
    yield from serve(None)


@pytest.fixture
def programme(tmp_path: Path, hooks: tuple[Hooks, str]) -> Path:
    """The example, its marketing system told of direct-marketing changes by webhook."""
    folder = tmp_path / "programme"
    shutil.copytree(EXAMPLE, folder)
    systems = folder / "systems" / "marketing.yml"
    text = systems.read_text(encoding="utf-8")
    assert text.count(PURPOSES_LINE) == 1
    webhook = (
        "    consent_webhook:\n"
        f"      url: {hooks[1]}/marketing\n"
        "      secret_env: MARKETING_HOOK_SECRET\n"
        "      purposes: [direct_marketing]\n"
    )
    systems.write_text(text.replace(PURPOSES_LINE, PURPOSES_LINE + webhook), encoding="utf-8")
    return folder


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    environ = {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "TUTELA_HASH_KEY": HASH_KEY,
        "TUTELA_STORE_KEY": StoreKey.generate(),
        "MARKETING_HOOK_SECRET": SECRET,
    }
    run(environ, "db", "upgrade")
    return environ


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(cli, list(args), env=env)
    assert "Traceback" not in result.output
    for secret in (HASH_KEY, SECRET, EMAIL, env.get("TUTELA_STORE_KEY", "-")):
        assert secret not in result.output
    assert result.exit_code == code, result.output
    return result


def listed(env: dict[str, str], programme: Path, *extra: str) -> list[dict[str, Any]]:
    found = run(env, "consent", "deliveries", str(programme), "--format", "json", *extra)
    documents: list[dict[str, Any]] = json.loads(found.output)
    return documents


def test_co3_propagate_delivers_what_give_queued_and_deliveries_tracks_it(
    env: dict[str, str], programme: Path, hooks: tuple[Hooks, str]
) -> None:
    received, _ = hooks
    give = ("consent", "give", str(programme), "--identity", f"email={EMAIL}")
    run(env, *give, "--purpose", "direct_marketing", "--format", "json")
    [pending] = listed(env, programme)
    assert (pending["system"], pending["state"], pending["attempts"]) == ("marketing", "pending", 0)
    assert set(pending) == {
        *("id", "event", "system", "state", "attempts", "next_at", "created_at"),
        *("delivered_at", "last_error"),
    }
    done = run(env, "consent", "propagate", str(programme))
    assert done.output.strip() == "1 delivered, 0 to retry, 0 failed"
    assert received.refused == [] and len(received.bodies["/marketing"]) == 1
    [document] = received.documents("/marketing")
    assert document["metadata"]["uid"] == pending["event"]
    assert [d["state"] for d in listed(env, programme, "--state", "delivered")] == ["delivered"]
    assert listed(env, programme, "--state", "pending") == []
    text = run(env, "consent", "deliveries", str(programme)).output
    assert pending["id"] in text and "marketing delivered attempts 1" in text
    again = run(env, "consent", "propagate", str(programme))
    assert again.output.strip() == "0 delivered, 0 to retry, 0 failed"


@pytest.mark.parametrize("state", ["sent", "PENDING", "pending\u0000", "x" * 300])
def test_an_unknown_state_is_refused_with_exit_4(
    env: dict[str, str], programme: Path, state: str
) -> None:
    refused = run(env, "consent", "deliveries", str(programme), "--state", state, code=4)
    assert "pending, retry, delivered, failed" in refused.output


def test_propagate_without_the_webhook_secret_keeps_the_delivery_for_a_retry(
    env: dict[str, str], programme: Path, hooks: tuple[Hooks, str]
) -> None:
    give = ("consent", "give", str(programme), "--identity", f"email={EMAIL}")
    run(env, *give, "--purpose", "direct_marketing")
    unset = {k: v for k, v in env.items() if k != "MARKETING_HOOK_SECRET"}
    assert run(unset, "consent", "propagate", str(programme)).output.startswith("0 delivered, 1")
    [waiting] = listed(env, programme, "--state", "retry")
    assert "secret_env" in waiting["last_error"] and hooks[0].bodies == {}


def test_the_periodic_notify_duty_pushes_the_consent_changes(
    env: dict[str, str], programme: Path, hooks: tuple[Hooks, str]
) -> None:
    give = ("consent", "give", str(programme), "--identity", f"email={EMAIL}")
    run(env, *give, "--purpose", "direct_marketing")
    app = build(env)
    notify = tuple(d for d in DUTIES if d.name == "notify")
    ran = periodic(app, load_programme(programme), datetime.now(UTC), worker="w", duties=notify)
    assert ran == ["notify"] and len(hooks[0].bodies["/marketing"]) == 1
    assert [d["state"] for d in listed(env, programme)] == ["delivered"]
