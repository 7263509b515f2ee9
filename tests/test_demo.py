"""`tutela demo` tours the Cloudockit example end to end through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tutela.cli.main import app
from tutela.programme.loader import load_programme
from tutela.requests.package import read_package

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cloudockit"


@pytest.fixture(scope="module")
def toured(tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """One tour for the module's tests (it takes a few seconds)."""
    out = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as monkeypatch:
        for name in (
            "TUTELA_SHOP_URL",
            "TUTELA_DATABASE_URL",
            "TUTELA_HASH_KEY",
            "TUTELA_PROGRAMME",
        ):
            monkeypatch.delenv(name, raising=False)  # the demo sets them; restored after
        result = CliRunner().invoke(app, ["demo", str(EXAMPLE), "--out", str(out)])
    return result, out


def test_demo_tour_writes_every_output(toured: tuple[Result, Path]) -> None:
    result, tmp_path = toured
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    outputs = ("statement.md", "statement.html", "records.xlsx", "records.json")
    translated = ("statement.fr.html", "statement.nl.html", "statement.de.html")
    for name in (*outputs, *translated):
        assert (tmp_path / name).stat().st_size > 0, name
    assert "Lansweeper Canada Inc." in (tmp_path / "statement.md").read_text(encoding="utf-8")
    records = json.loads((tmp_path / "records.json").read_text(encoding="utf-8"))
    assert records["controller_records"]
    # the next version adds a purpose: a material change, exit code 3
    assert "webinar_recordings" in result.output
    assert "(exit code 3)" in result.output
    assert '<html lang="nl">' in (tmp_path / "statement.nl.html").read_text(encoding="utf-8")
    assert result.output.count("(exit code 0)") == 29
    # the demo's new store is set up first, as a user does (`tutela db upgrade`)
    assert "$ tutela db upgrade" in result.output
    assert result.output.index("$ tutela db upgrade") < result.output.index("$ tutela dsr plan")
    # data-subject requests on the synthetic shop: reflect, plan, access, dry run, erasure, rerun
    assert "name: login_event" in result.output
    assert "would change" in result.output
    assert "retained shop_db.orders.total under tax_records" in result.output
    erase_again = result.output.split("== Erase again")[1]
    assert "no data found" in erase_again and "row(s) changed" not in erase_again
    assert "resumed" not in result.output  # nothing is replayed from tutela's store
    assert sorted(p.suffix for p in (tmp_path / "access").iterdir()) == [".csv"] * 6 + [".json"]
    assert "demo-only-key" not in result.output


def test_AN_3_demo_releases_the_careers_statistics_with_their_risk_report(
    toured: tuple[Result, Path],
) -> None:
    result, out = toured
    assert "$ tutela anonymise careers_statistics" in result.output
    release = (out / "releases" / "careers_statistics.csv").read_text(encoding="utf-8")
    header, *rows = release.splitlines()
    assert header == "vacancy_family,region,application_month,channel,stage_reached,count"
    assert rows and all(int(row.rsplit(",", 1)[1]) >= 10 for row in rows)  # min_cell
    report = json.loads((out / "releases" / "careers_statistics.report.json").read_text())
    assert report["risk"]["k"] >= 10 and report["released"]["rows"] == len(rows)


def test_RT_2_demo_sweeps_scan_data_after_each_customers_choice_and_proves_it(
    toured: tuple[Result, Path],
) -> None:
    """Seed §9: 24h and 48h customers' scans go when due, a held customer's stay, with proof."""
    result, _ = toured
    tour = result.output.split("$ tutela retention scan-policy")[1]
    assert "example_industries: 24h" in tour and "sample_logistics: 48h" in tour
    assert "(dry run: nothing changed)" in tour and "placed hold" in tour
    swept = tour.split("$ tutela retention run")[2].split("(exit code")[0]
    assert "scan_db.asset" in swept and "error:" not in swept
    proof = json.loads(
        tour.split("$ tutela retention proof")[1].split("\n", 1)[1].split("(exit")[0]
    )
    assert proof["customer"] == "example_industries" and len(proof["proofs"]) == 2
    assert all(p["rows"]["scan_db.asset"] > 0 for p in proof["proofs"])


def test_AC_1_demo_answers_an_access_request_from_the_examples_synthetic_systems(
    toured: tuple[Result, Path],
) -> None:
    """The tour builds every system of the example and takes one request through its life."""
    result, tmp_path = toured
    assert result.exit_code == 0, result.output
    programme = load_programme(EXAMPLE)
    systems = {s.key for s in programme.systems if s.connector and s.datasets}
    assert {p.stem for p in (tmp_path / "systems").glob("*.sqlite")} == systems
    life = result.output.split("== Build the programme's 10 systems")[1]
    commands = [line for line in life.splitlines() if line.startswith("$ tutela requests")]
    verbs = [line.split()[3] for line in commands]
    assert verbs == ["submit", "verify", "approve", "complete", "export"]
    request_id = commands[1].split()[4]
    assert all(request_id in line for line in commands[1:])
    assert "--accept --evidence" in commands[1] and "state: completed" in life
    assert "(exit code 0)" in life.split("$ tutela requests export")[1]
    answer = tmp_path / "answer.zip"
    assert f"answer is in {answer}" in result.output
    files = read_package(answer.read_bytes())
    data = json.loads(files["data.json"])
    assert data["processed"] is True
    system_of = {dataset.key: system.key for system, dataset in programme.datasets()}
    found = {system_of[c["collection"].split(".")[0]] for c in data["collections"] if c["rows"]}
    assert len(found) >= 3 and {"webshop", "crm", "support_desk"} <= found
    email = commands[0].split("email=")[1].split()[0]
    (contact,) = next(c for c in data["collections"] if c["collection"] == "webshop_db.contact")[
        "rows"
    ]
    assert contact["email"] == email


@pytest.mark.slow
def test_demo_serve_prints_the_pages_a_login_a_staff_key_and_a_curl_line_that_submit(
    tmp_path: Path,
) -> None:
    """`make demo` ends serving: the printed pages, login, key and curl body work."""
    import os
    import re
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    tutela = str(Path(sys.executable).parent / "tutela")
    argv = [tutela, "demo", str(EXAMPLE), "--out", str(tmp_path / "out"), "--serve"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUTELA_")}
    server = subprocess.Popen(
        [*argv, "--port", str(port)], cwd=tmp_path, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        printed = ""
        deadline = time.monotonic() + 120
        while "Ctrl-C stops the server" not in printed and time.monotonic() < deadline:
            line = server.stdout.readline() if server.stdout else ""
            if not line and server.poll() is not None:
                break
            printed += line
        key = re.search(r"staff API key \(admin, demo only\): (\S+)", printed)
        body = re.search(r"-d '(\{.*\})'", printed)
        login = re.search(r"console login \(privacy officer, demo only\): demo / (\S+)", printed)
        assert key and body and login, printed[-2000:]
        base = f"http://127.0.0.1:{port}"
        assert f"privacy centre (for data subjects): {base}/\n" in printed
        assert f"console (for staff): {base}/console/\n" in printed
        for _ in range(100):
            try:
                httpx.get(f"{base}/openapi.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        json_body = {"Content-Type": "application/json"}
        submitted = httpx.post(
            f"{base}/api/v1/requests", content=body.group(1), headers=json_body, timeout=10
        )
        assert submitted.status_code in (200, 201, 202), submitted.text
        staff = {"Authorization": f"Bearer {key.group(1)}"}
        listed = httpx.get(f"{base}/api/v1/staff/requests", headers=staff, timeout=10)
        assert listed.status_code == 200 and submitted.json()["id"] in listed.text
        assert httpx.get(f"{base}/", timeout=10).status_code == 200
        with httpx.Client(base_url=base, timeout=10) as browser:
            form = browser.get("/console/login").text
            csrf = re.search(r'name="csrf" value="([^"]+)"', form)
            assert csrf, form
            logged = browser.post(
                "/console/login",
                data={"csrf": csrf.group(1), "name": "demo", "password": login.group(1)},
            )
            assert logged.status_code == 303 and logged.headers["location"] == "/console/"
            assert "Logged in as" in browser.get("/console/").text
        assert login.group(1) not in printed.split("console login", 1)[1].split("\n", 1)[1]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
