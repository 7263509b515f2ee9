"""Completed requests change what the decision point allows (RS-2, RS-3, OB-2, CO-3, GPC-1).

A restriction submitted, verified, approved and completed through the CLI on the shop
database denies every purpose of the shop until it is lifted; objections, withdrawals and
opt-outs completed by the lifecycle become the matching choice events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from tutela import bootstrap
from tutela.cli.main import app
from tutela.consent.decisions import DecisionTable
from tutela.consent.from_requests import RequestChoices
from tutela.consent.records import ALL_PURPOSES, Kind, Method, subject_ref
from tutela.consent.service import ConsentService, Context
from tutela.programme.loader import load_programme
from tutela.requests.records import RequestRecord
from tutela.requests.sealing import StoreKey
from tutela.store.consent import SqlChoiceStore
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
HASH_KEY = "from-requests-hash-key"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class Clock:
    moment: datetime = START

    def now(self) -> datetime:
        return self.moment


def cli(env: dict[str, str], clock: Clock, *args: str, code: int = 0) -> Result:
    application = bootstrap.build(env)
    application.clock = clock
    result = CliRunner().invoke(app, list(args), env=env, obj=application)
    assert result.exit_code == code, result.output
    return result


def test_rs_2_a_completed_restriction_denies_until_lifted(
    tmp_path: Path, inbox: tuple[object, int]
) -> None:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(shop, customers=6, seed=3)
    env = {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "TUTELA_SHOP_URL": shop,
        "TUTELA_HASH_KEY": HASH_KEY,
        "TUTELA_STORE_KEY": StoreKey.generate(),
        "TUTELA_SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}?starttls=false",
        "TUTELA_MAIL_FROM": "privacy@shop.example.test",
        "TUTELA_PROGRAMME": str(shopdb.shop_programme_path()),
    }
    clock = Clock()
    cli(env, clock, "db", "upgrade")
    programme = env["TUTELA_PROGRAMME"]
    engine = sa.create_engine(shop)
    with engine.connect() as connection:
        address = str(connection.execute(sa.text("SELECT email FROM customer LIMIT 1")).scalar())
    engine.dispose()

    def decision(purpose: str) -> dict[str, object]:
        shown = cli(
            env, clock, "decide", programme, "--identity", f"email={address}",
            "--purpose", purpose, "--format", "json",
        )  # fmt: skip
        return dict(json.loads(shown.output))

    assert decision("shop")["decision"] == "allow"
    submitted = cli(
        env, clock, "requests", "submit", programme, "--type", "restriction",
        "--identity", f"email={address}", "--detail", "ground=18(1)(d)", "--format", "json",
    )  # fmt: skip
    request = str(json.loads(submitted.output)["id"])
    cli(env, clock, "requests", "verify", request, "--accept", "--evidence", "seen at the desk")
    cli(env, clock, "requests", "approve", request)
    cli(env, clock, "requests", "complete", request)
    for purpose in ("shop", "security", "tax_records"):
        assert decision(purpose)["reasons"] == ["restriction"], purpose
    history = cli(env, clock, "consent", "history", programme, "--identity", f"email={address}")
    assert "restriction * by request" in history.output
    cli(env, clock, "requests", "lift", request, "--lifts-at", "2026-03-20T09:00+01:00")
    clock.moment = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
    cli(env, clock, "requests", "lift-due")
    assert decision("shop") == {
        "decision": "allow",
        "reasons": ["basis:contract"],
        "purpose": "shop",
        "basis": "contract",
    }


def record(kind: str, details: dict[str, str] | None = None) -> RequestRecord:
    """A completed request of ``kind`` (only its id, type and details matter here)."""
    return RequestRecord(
        id=f"00000000-0000-4000-8000-{abs(hash(kind)) % 10**12:012d}",
        type=kind,
        regime="gdpr",
        state="completed",
        received_at=START,
        due_date=date(2026, 4, 2),
        due_rule="",
        extended=False,
        subject="h:x",
        zone="Europe/Brussels",
        country="BE",
        created_at=START,
        updated_at=START,
        details=None if details is None else json.dumps(details, sort_keys=True),
    )


@pytest.fixture
def choices(sqlite_url: str) -> RequestChoices:
    ledger = open_ledger(sqlite_url)
    store = SqlChoiceStore(ledger.engine, ledger)
    clock = Clock(START + timedelta(days=1))
    return RequestChoices(ConsentService(store, load_programme(EXAMPLE), HASH_KEY.encode(), clock))


def test_ob_2_co_3_gpc_1_completed_requests_become_choices(choices: RequestChoices) -> None:
    ann = {"email": "ann@example.test"}
    choices.consent.give(ann, "direct_marketing", Context(Method.WEB_FORM), actor="system")
    made = choices.completed(
        [
            (record("objection_direct_marketing"), ann),
            (record("consent_withdrawal", {"purpose": "website_statistics"}), ann),
            (record("opt_out_sale_sharing"), ann),
            (record("access"), ann),
        ]
    )
    kinds = {(e.kind, e.purpose) for e in made}
    assert (Kind.OBJECTION, "direct_marketing") in kinds
    assert (Kind.OBJECTION, "direct_marketing_customers") in kinds
    assert (Kind.CONSENT_WITHDRAWN, "website_statistics") in kinds
    assert (Kind.OPT_OUT, ALL_PURPOSES) in kinds
    assert all(e.method is Method.REQUEST and e.evidence.startswith("request ") for e in made)
    assert len(made) == 4  # the access request changes no choice
    table = DecisionTable.compile(choices.consent.programme, choices.consent.store.events())
    ref = subject_ref("email", "ann@example.test", HASH_KEY.encode())
    at = START + timedelta(days=2)
    assert table.decide(ref, "direct_marketing", at).reasons == ("objection:direct_marketing",)
