"""A request's whole life through the CLI, in-process, with a real SMTP server.

Access: submit for a shop customer, read the code from the mail received, verify,
approve, complete, download through the signed link, and check the ZIP's JSON against
the database and its cover letter against the programme. Erasure: the same, then a new
access request finds only the fields kept under a legal obligation, with their end dates.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from tutela.cli.main import app
from tutela.ledger.checkpoint import generate_key
from tutela.programme.loader import load_programme
from tutela.requests.package import read_package
from tutela.requests.sealing import StoreKey
from tutela.testing import shopdb
from tutela.testing.smtp import Inbox

HASH_KEY = "lifecycle-e2e-hash-key"
STORE_KEY = StoreKey.generate()


@pytest.fixture
def shop(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(url, customers=12, seed=5)
    return url


@pytest.fixture
def env(
    tmp_path: Path, shop: str, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    environ = {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "TUTELA_SHOP_URL": shop,
        "TUTELA_HASH_KEY": HASH_KEY,
        "TUTELA_STORE_KEY": STORE_KEY,
        "TUTELA_SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}?starttls=false",
        "TUTELA_MAIL_FROM": "privacy@shop.example.test",
        "TUTELA_PROGRAMME": str(shopdb.shop_programme_path()),
        "TUTELA_ANSWER_WINDOW": "7d",
        "TUTELA_LEDGER_KEY": generate_key("shop.example.test/ledger").private_text(),
    }
    run(environ, "db", "upgrade")
    return environ


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    assert HASH_KEY not in result.output and STORE_KEY not in result.output
    assert result.exit_code == code, result.output
    return result


def customer(shop: str, number: int) -> dict[str, Any]:
    engine = sa.create_engine(shop)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM customer ORDER BY id")).mappings().all()
    engine.dispose()
    return dict(rows[number])


def table_rows(shop: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    engine = sa.create_engine(shop)
    with engine.connect() as connection:
        rows = [dict(r) for r in connection.execute(sa.text(sql), params).mappings()]
    engine.dispose()
    return rows


def submitted(
    env: dict[str, str], kind: str, address: str, identity: str = "", detail: str = ""
) -> str:
    more = ["--detail", detail] if detail else []
    result = run(
        env, "requests", "submit", env["TUTELA_PROGRAMME"], "--type", kind,
        "--identity", identity or f"email={address}", "--residence", "BE", "--format", "json",
        *more,
    )  # fmt: skip
    return str(json.loads(result.output)["id"])


def verified_by_code(env: dict[str, str], inbox: Inbox, request: str, address: str) -> None:
    run(env, "requests", "verify", request, "--send")
    message = inbox.messages[-1]
    assert message["To"] == address
    body = message.get_payload(decode=True).decode()
    (code,) = re.findall(r"\b(\d{6})\b", body)
    wrong = "000000" if code != "000000" else "111111"
    result = run(env, "requests", "verify", request, "--code", wrong, code=4)
    assert "not correct" in result.output
    shown = run(env, "requests", "verify", request, "--code", code, "--format", "json")
    assert json.loads(shown.output)["state"] in ("verified", "awaiting_approval")


def completed(env: dict[str, str], request: str) -> dict[str, Any]:
    run(env, "requests", "approve", request, "--actor", "staff:alice")
    result = run(env, "requests", "complete", request, "--format", "json")
    document: dict[str, Any] = json.loads(result.output)
    assert document["state"] == "completed"
    return document


def downloaded(env: dict[str, str], done: dict[str, Any], out: Path) -> bytes:
    token = parse_qs(urlsplit(done["answer"]["link"]).query)["token"][0]
    run(env, "requests", "download", token, "--out", str(out))
    return out.read_bytes()


def test_ac_1_access_request_end_to_end_with_real_smtp(
    env: dict[str, str], shop: str, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    person = customer(shop, 2)
    request = submitted(env, "access", person["email"])
    verified_by_code(env, inbox[0], request, person["email"])
    done = completed(env, request)
    told = inbox[0].messages[-1]  # Art. 12(3): the subject is told, with the link
    assert "is answered" in told["Subject"] and told["To"] == person["email"]
    assert done["answer"]["link"] in told.get_payload(decode=True).decode()
    files = read_package(downloaded(env, done, tmp_path / "answer.zip"))
    data = json.loads(files["data.json"])
    assert data["processed"] is True
    collections = {c["collection"]: c["rows"] for c in data["collections"]}
    (row,) = collections["shop_db.customer"]
    assert row["email"] == person["email"] and row["name"] == person["name"]
    orders = table_rows(shop, "SELECT id FROM orders WHERE customer_id = :c", c=person["id"])
    assert sorted(r["id"] for r in collections.get("shop_db.orders", [])) == sorted(
        r["id"] for r in orders
    )
    letter = files["letter.html"].decode()
    programme = load_programme(Path(env["TUTELA_PROGRAMME"]))
    for purpose in programme.purposes:
        assert str(purpose.name) in letter  # the customer's data serves every shop purpose
    assert "Belgian" in letter or "Gegevensbeschermingsautoriteit" in letter or "APD" in letter
    assert person["email"] not in (tmp_path / "store.sqlite").read_bytes().decode("latin-1")
    run(env, "ledger", "checkpoint")
    run(env, "ledger", "export", request, "-o", str(tmp_path / "evidence.json"))
    evidence = (tmp_path / "evidence.json").read_text()
    actions = [json.loads(e["entry"])["action"] for e in json.loads(evidence)["entries"]]
    assert actions[0] == "submitted" and "answer_downloaded" in actions
    assert "staff:alice" in evidence and person["email"] not in evidence


def test_er_2_erasure_then_access_finds_only_retained_fields(
    env: dict[str, str], shop: str, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    person = customer(shop, 3)
    erasure = submitted(env, "erasure", person["email"])
    verified_by_code(env, inbox[0], erasure, person["email"])
    done = completed(env, erasure)
    letter = downloaded(env, done, tmp_path / "erasure.html").decode()
    assert re.search(r"\d{4}-\d\d-\d\d|\d{1,2} \w+ \d{4}", letter)  # end dates (ER-2)
    assert "Tax records" in letter
    assert table_rows(shop, "SELECT id FROM customer WHERE email = :e", e=person["email"]) == []
    access = submitted(env, "access", person["email"], identity=f"customer_id={person['id']}")
    run(env, "requests", "verify", access, "--accept", "--evidence", "account session")
    files = read_package(downloaded(env, completed(env, access), tmp_path / "after.zip"))
    data = json.loads(files["data.json"])
    assert personal_fields(data) == {("shop_db.orders", "total"), ("shop_db.orders", "created_at")}
    assert "Tax records" in files["letter.html"].decode()  # with its retention (AC-2(d))
    run(env, "ledger", "checkpoint")
    run(env, "ledger", "verify")


def personal_fields(answer: dict[str, Any]) -> set[tuple[str, str]]:
    """The (collection, field) pairs of personal data (``user.*``) still in clear."""
    found = set()
    for collection in answer["collections"]:
        for name, labels in collection["schema"].items():
            values = [row.get(name) for row in collection["rows"]]
            clear = [v for v in values if v not in (None, "", "REDACTED") and not hashed(v)]
            personal = [c for c in labels["categories"] if c.startswith("user.")]
            if personal and clear:
                found.add((collection["collection"], name))
    return found


def hashed(value: object) -> bool:
    return isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value) is not None


def test_id_1_a_request_cannot_complete_before_identity_and_approval(
    env: dict[str, str], shop: str
) -> None:
    person = customer(shop, 4)
    request = submitted(env, "access", person["email"])
    result = run(env, "requests", "complete", request, code=4)
    assert "received" in result.output
    run(env, "requests", "approve", request, code=4)


def test_ac_5_a_foreign_or_altered_link_is_refused(
    env: dict[str, str], shop: str, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    first, second = customer(shop, 5), customer(shop, 6)
    one = submitted(env, "access", first["email"])
    verified_by_code(env, inbox[0], one, first["email"])
    done = completed(env, one)
    token = parse_qs(urlsplit(done["answer"]["link"]).query)["token"][0]
    forged = token.replace(one, submitted(env, "access", second["email"]))
    result = run(env, "requests", "download", forged, "--out", str(tmp_path / "x"), code=4)
    assert "altered" in result.output and not (tmp_path / "x").exists()
    result = run(env, "requests", "download", token[:-2] + "AA", "--out", "y", code=4)
    assert "altered" in result.output


HOSTILE = [
    ["requests", "verify", "not-a-uuid", "--send"],
    ["requests", "verify", "{id}", "--send", "--code", "123456"],
    ["requests", "verify", "{id}", "--code", "' OR 1=1 --"],
    ["requests", "download", "' OR 1=1 --", "--out", "x"],
    ["requests", "download", "A" * 5000, "--out", "x"],
    ["requests", "fee", "{id}", "--amount", "1e999999", "--basis", "copies"],
    ["requests", "fee", "{id}", "--amount", "12", "--basis", "copies", "--currency", "€€€"],
    ["requests", "forward", "{id}", "--customer", "../../etc/passwd"],
    ["requests", "export", "{id}", "--out", "answer.zip"],
    ["requests", "link", "{id}"],
    ["requests", "deny", "{id}", "--reason", "abusive", "--excessive"],
    ["requests", "submit", "{programme}", "--type", "access", "--identity", "email=a@b.c",
     "--detail", "ground"],
    ["requests", "submit", "{programme}", "--type", "rectification", "--identity",
     "email=a@b.c", "--change", "nonsense"],
    ["requests", "submit", "{programme}", "--type", "access", "--identity", "email=a@b.c",
     "--residence", "Atlantis"],
    ["complaints", "show", "{id}"],
    ["requests", "approve", "{id}", "--actor", "alice smith; DROP TABLE"],
]  # fmt: skip


@pytest.mark.parametrize("args", HOSTILE, ids=lambda a: " ".join(a)[:60])
def test_hostile_input_on_lifecycle_commands_is_refused_and_changes_nothing(
    env: dict[str, str], shop: str, args: list[str]
) -> None:
    request = submitted(env, "access", customer(shop, 1)["email"])
    before = run(env, "requests", "list", "--format", "json").output
    filled = [a.format(id=request, programme=env["TUTELA_PROGRAMME"]) for a in args]
    result = CliRunner().invoke(app, filled, env=env)
    assert result.exit_code in (2, 4), result.output
    assert "Traceback" not in result.output and "error" in result.output.lower()
    assert run(env, "requests", "list", "--format", "json").output == before


def test_dl_7_a_denial_leaves_a_letter_with_the_reason_and_the_complaint_route(
    env: dict[str, str], shop: str, tmp_path: Path
) -> None:
    request = submitted(env, "erasure", customer(shop, 7)["email"])
    run(env, "requests", "deny", request, "--reason", "We cannot identify you from what we hold")
    run(env, "requests", "export", request, "--out", str(tmp_path / "letter.html"))
    letter = (tmp_path / "letter.html").read_text()
    assert "We cannot identify you from what we hold" in letter
    assert "Art. 77" in letter or "supervisory authority" in letter


def test_ob_2_an_objection_to_direct_marketing_is_answered_without_weighing(
    env: dict[str, str], shop: str, tmp_path: Path
) -> None:
    request = submitted(env, "objection_direct_marketing", customer(shop, 8)["email"])
    done = completed(env, request)  # no identity step, no staff weighing (Art. 21(3))
    letter = downloaded(env, done, tmp_path / "letter.html").decode()
    assert "direct marketing is recorded" in letter


def test_ob_1_an_objection_on_legitimate_interests_is_weighed_by_staff(
    env: dict[str, str], shop: str, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    person = customer(shop, 9)
    programme = load_programme(Path(env["TUTELA_PROGRAMME"]))
    weighed = next(p.key for p in programme.purposes if p.legal_basis == "legitimate_interests")
    upheld = submitted(env, "objection", person["email"], detail=f"purpose={weighed}")
    verified_by_code(env, inbox[0], upheld, person["email"])
    shown = run(env, "requests", "show", upheld, "--format", "json")
    assert json.loads(shown.output)["state"] == "awaiting_approval"  # routed to staff
    letter = downloaded(env, completed(env, upheld), tmp_path / "upheld.html").decode()
    assert "objection is upheld" in letter
    overridden = submitted(env, "objection", person["email"], detail=f"purpose={weighed}")
    verified_by_code(env, inbox[0], overridden, person["email"])
    reason = "Compelling legitimate grounds: logins are kept to stop account takeover"
    run(env, "requests", "deny", overridden, "--reason", reason)
    run(env, "requests", "export", overridden, "--out", str(tmp_path / "overridden.html"))
    assert reason in (tmp_path / "overridden.html").read_text()


def test_re_1_a_rectification_changes_the_value_and_keeps_it_out_of_the_store(
    env: dict[str, str], shop: str, inbox: tuple[Inbox, int], tmp_path: Path
) -> None:
    person = customer(shop, 10)
    result = run(
        env, "requests", "submit", env["TUTELA_PROGRAMME"], "--type", "rectification",
        "--identity", f"email={person['email']}", "--change", "customer.name=Ann Peeters-Maes",
        "--detail", "mode=correct", "--format", "json",
    )  # fmt: skip
    request = json.loads(result.output)["id"]
    verified_by_code(env, inbox[0], request, person["email"])
    completed(env, request)
    (row,) = table_rows(shop, "SELECT name FROM customer WHERE id = :c", c=person["id"])
    assert row["name"] == "Ann Peeters-Maes"
    assert "Peeters-Maes" not in (tmp_path / "store.sqlite").read_bytes().decode("latin-1")


def test_dl_6_an_extension_is_told_to_the_subject_with_its_reason(
    env: dict[str, str], shop: str, inbox: tuple[Inbox, int]
) -> None:
    person = customer(shop, 11)
    request = submitted(env, "access", person["email"])
    reason = "The request covers ten years of tickets across three systems"
    run(env, "requests", "extend", request, "--reason", reason)
    told = inbox[0].messages[-1]
    assert "more time is needed" in told["Subject"] and told["To"] == person["email"]
    body = told.get_payload(decode=True).decode()
    assert reason in body and request[:8] in body
