"""A request's whole life over HTTP: submit, code by real SMTP, verify, staff approve, download.

The completion runs as the worker will run it: ``application.answering(programme).complete``.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from fastapi.testclient import TestClient

from tutela.bootstrap import Application
from tutela.programme.models import Programme
from tutela.requests.package import read_package

from .conftest import Inbox, bearer


def customer(shop: str, number: int) -> dict[str, Any]:
    engine = sa.create_engine(shop)
    with engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT * FROM customer ORDER BY id")).mappings().all()
    engine.dispose()
    return dict(rows[number])


def submitted(client: TestClient, address: str, kind: str = "access") -> dict[str, Any]:
    body = {"type": kind, "identity": {"email": address}, "residence": "BE"}
    response = client.post("/api/v1/requests", json=body)
    assert response.status_code == 201, response.text
    document: dict[str, Any] = response.json()
    return document


def token_of(done: dict[str, Any]) -> dict[str, str]:
    return {"X-Status-Token": done["status_token"]}


def test_ac_1_access_request_over_http_end_to_end(
    client: TestClient,
    application: Application,
    programme: Programme,
    shop: str,
    inbox: tuple[Inbox, int],
    keys: dict[str, str],
) -> None:
    person = customer(shop, 2)
    done = submitted(client, person["email"])
    assert done["state"] == "awaiting_identity" and done["code_sent"] is True
    assert "subject" not in done and person["email"] not in json.dumps(done)
    request = done["id"]
    code = inbox[0].code_for(person["email"])
    wrong = "000000" if code != "000000" else "111111"
    refused = client.post(
        f"/api/v1/requests/{request}/verify", json={"code": wrong}, headers=token_of(done)
    )
    assert refused.status_code == 422 and refused.json()["attempts_left"] >= 1
    verified = client.post(
        f"/api/v1/requests/{request}/verify", json={"code": code}, headers=token_of(done)
    )
    assert verified.status_code == 200 and verified.json()["state"] == "verified"
    approved = client.post(
        f"/api/v1/staff/requests/{request}/approve", headers=bearer(keys["privacy_officer"])
    )
    assert approved.status_code == 200 and approved.json()["state"] == "in_progress"
    dsr = application.dsr_service(programme)
    try:
        application.answering(programme).complete(request, dsr)  # as the worker does
    finally:
        dsr.close()
    status = client.get(f"/api/v1/requests/{request}/status", headers=token_of(done))
    assert status.status_code == 200 and status.json()["state"] == "completed"
    link = urlsplit(status.json()["download_url"])
    answer = client.get(f"{link.path}?{link.query}")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    assert "attachment" in answer.headers["content-disposition"]
    files = read_package(answer.content)
    data = json.loads(files["data.json"])
    collections = {c["collection"]: c["rows"] for c in data["collections"]}
    (row,) = collections["shop_db.customer"]
    assert row["email"] == person["email"]
    api_path = f"/api/v1/requests/{request}/download?{link.query}"
    assert client.get(api_path).content == answer.content
    evidence = ledger_actions(client, keys["admin"], request)
    assert evidence[0] == "submitted" and "answer_downloaded" in evidence
    assert "staff:privacy_officer-1" in json.dumps(ledger_bundle(client, keys["auditor"], request))


def ledger_bundle(client: TestClient, key: str, request: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/ledger/evidence/{request}", headers=bearer(key))
    assert response.status_code == 200, response.text
    bundle: dict[str, Any] = response.json()
    return bundle


def ledger_actions(client: TestClient, key: str, request: str) -> list[str]:
    signed = client.post("/api/v1/ledger/checkpoint", headers=bearer(key))
    assert signed.status_code == 201, signed.text
    bundle = ledger_bundle(client, key, request)
    return [json.loads(e["entry"])["action"] for e in bundle["entries"]]


def test_ac_5_a_status_token_is_not_a_download_link_nor_another_requests_token(
    client: TestClient, shop: str
) -> None:
    one = submitted(client, customer(shop, 3)["email"])
    two = submitted(client, customer(shop, 4)["email"])
    foreign = client.get(f"/api/v1/requests/{one['id']}/status", headers=token_of(two))
    assert foreign.status_code == 403 and "status token" in foreign.json()["detail"]
    missing = client.get(f"/api/v1/requests/{one['id']}/status")
    assert missing.status_code == 403
    as_link = client.get(
        f"/api/v1/requests/{one['id']}/download", params={"token": one["status_token"]}
    )
    assert as_link.status_code == 403
    assert as_link.headers["content-type"] == "application/problem+json"


def test_nr_1_recipients_and_withdraw_with_the_status_token(client: TestClient, shop: str) -> None:
    done = submitted(client, customer(shop, 5)["email"], kind="erasure")
    request = done["id"]
    told = client.get(f"/api/v1/requests/{request}/recipients", headers=token_of(done))
    assert told.status_code == 200 and told.json() == []
    withdrawn = client.post(f"/api/v1/requests/{request}/withdraw", headers=token_of(done))
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "withdrawn"
    again = client.post(f"/api/v1/requests/{request}/withdraw", headers=token_of(done))
    assert again.status_code == 409 and again.json()["status"] == 409


def test_id_2_a_new_code_is_rate_limited_with_retry_after(
    client: TestClient, shop: str, inbox: tuple[Inbox, int]
) -> None:
    done = submitted(client, customer(shop, 6)["email"])
    statuses = []
    for _ in range(6):
        response = client.post(
            f"/api/v1/requests/{done['id']}/code", json={}, headers=token_of(done)
        )
        statuses.append(response.status_code)
    assert statuses[:4] == [200] * 4 and statuses[-1] == 429
    assert int(response.headers["Retry-After"]) > 0 and response.json()["retry_after"] > 0


def test_dl_7_a_staff_denial_keeps_the_letter_with_the_reason(
    client: TestClient, shop: str, keys: dict[str, str]
) -> None:
    done = submitted(client, customer(shop, 7)["email"], kind="erasure")
    reason = "We cannot identify you from what we hold"
    denied = client.post(
        f"/api/v1/staff/requests/{done['id']}/deny",
        json={"reason": reason},
        headers=bearer(keys["admin"]),
    )
    assert denied.status_code == 200 and denied.json()["state"] == "denied"
    status = client.get(f"/api/v1/requests/{done['id']}/status", headers=token_of(done))
    link = urlsplit(status.json()["download_url"])
    letter = client.get(f"{link.path}?{link.query}")
    assert letter.headers["content-type"].startswith("text/html") and reason in letter.text


def test_ledger_proofs_over_http_verify_and_match_the_cli(
    client: TestClient, application: Application, shop: str, keys: dict[str, str]
) -> None:
    from typer.testing import CliRunner

    from tutela.cli.main import app
    from tutela.ledger.merkle import verify_consistency, verify_inclusion

    reader, writer = bearer(keys["auditor"]), bearer(keys["privacy_officer"])
    submitted(client, customer(shop, 8)["email"], kind="erasure")
    assert client.post("/api/v1/ledger/checkpoint", headers=reader).status_code == 403
    first = client.post("/api/v1/ledger/checkpoint", headers=writer).json()
    submitted(client, customer(shop, 9)["email"], kind="erasure")
    second = client.post("/api/v1/ledger/checkpoint", headers=writer).json()
    assert client.get("/api/v1/ledger/checkpoint", headers=reader).json() == second
    proof = client.get("/api/v1/ledger/proofs/inclusion/1", headers=reader).json()
    hashes = [bytes.fromhex(h) for h in proof["proof"]]
    verify_inclusion(
        1, second["size"], bytes.fromhex(proof["leaf_hash"]), hashes, bytes.fromhex(proof["root"])
    )
    path = f"/api/v1/ledger/proofs/consistency?from={first['size']}"
    consistent = client.get(path, headers=reader).json()
    verify_consistency(
        first["size"],
        second["size"],
        [bytes.fromhex(h) for h in consistent["proof"]],
        bytes.fromhex(consistent["first_root"]),
        bytes.fromhex(consistent["second_root"]),
    )
    outside = client.get("/api/v1/ledger/proofs/inclusion/999", headers=reader)
    assert outside.status_code == 422 and "999" in outside.json()["detail"]
    cli = CliRunner().invoke(app, ["ledger", "prove", "1"], env=dict(application.environ))
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.output) == proof
