"""The console's data map, records of processing and checks, over ASGI on a real store.

The app serves the reference programme (examples/cloudockit), with ``TUTELA_PROGRAMME``
naming its folder so that the checks can say where each finding is written.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from tests.web.conftest import PASSWORD, login

from tutela.access.limits import SubjectLimits
from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.checks import registry, run_checks
from tutela.checks.findings import format_path
from tutela.jurisdictions import packaged_jurisdictions
from tutela.ledger.checkpoint import generate_key
from tutela.programme.loader import LoadedProgramme, load
from tutela.programme.models import Programme
from tutela.records.build import build_records
from tutela.records.exports import ExportFormat, export_files
from tutela.requests.sealing import StoreKey
from tutela.store.console import login_service
from tutela.store.ledger import open_ledger
from tutela.testing.smtp import Inbox

CLOUDOCKIT = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"


@pytest.fixture(scope="module")
def loaded() -> LoadedProgramme:
    return load(CLOUDOCKIT)


@pytest.fixture
def cloud_application(tmp_path: Path, inbox: tuple[Inbox, int]) -> Application:
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()
    return build(
        {
            "TUTELA_DATABASE_URL": store,
            "TUTELA_HASH_KEY": "console-programme-hash-key",
            "TUTELA_STORE_KEY": StoreKey.generate(),
            "TUTELA_SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}?starttls=false",
            "TUTELA_MAIL_FROM": "privacy@cloudockit.example.test",
            "TUTELA_PUBLIC_URL": "http://testserver",
            "TUTELA_LEDGER_KEY": generate_key("tutela.local/ledger").private_text(),
            "TUTELA_PROGRAMME": str(CLOUDOCKIT),
        }
    )


@pytest.fixture
def cloud_app(cloud_application: Application, loaded: LoadedProgramme) -> FastAPI:
    logins = login_service(cloud_application.ledger(), cloud_application.clock)
    logins.add("alice", "privacy_officer", PASSWORD)
    logins.add("audrey", "auditor", PASSWORD)
    return create_app(cloud_application, loaded.programme, limits=SubjectLimits())


@pytest.fixture
def staff(cloud_app: FastAPI) -> Iterator[TestClient]:
    """A client logged in as the privacy officer ``alice``."""
    with TestClient(cloud_app, raise_server_exceptions=False, follow_redirects=False) as client:
        assert login(client).status_code == 303
        yield client


def _text(page: str) -> str:
    """The page's text with entities decoded (names hold apostrophes and ampersands)."""
    return html.unescape(page)


# --- without a session ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/console/map",
        "/console/records",
        "/console/records/export?format=csv",
        "/console/checks",
        "/console/checks/sarif",
    ],
)
def test_pages_without_a_session_redirect_to_the_login(cloud_app: FastAPI, path: str) -> None:
    with TestClient(cloud_app, follow_redirects=False) as client:
        response = client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"


def test_an_auditor_sees_the_map_records_and_checks(cloud_app: FastAPI) -> None:
    with TestClient(cloud_app, follow_redirects=False) as client:
        assert login(client, "audrey").status_code == 303
        for path in ("/console/map", "/console/records", "/console/checks"):
            assert client.get(path).status_code == 200


# --- the data map -----------------------------------------------------------------------------


def test_AC_3_map_shows_every_system_purpose_and_recipient(
    staff: TestClient, loaded: LoadedProgramme
) -> None:
    page = staff.get("/console/map")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    programme = loaded.programme
    svg = _text(_svg(page.text))
    for kind, items in (
        ("system", programme.systems),
        ("purpose", programme.purposes),
        ("recipient", programme.recipients),
    ):
        for item in items:
            assert f'data-id="{kind}:{item.key}"' in svg
            assert f"{item.name}." in svg  # the node's accessible name names it in full
    for _system, dataset in programme.datasets():
        assert f'data-id="dataset:{dataset.key}"' in svg
    assert 'data-id="category:user.contact"' in svg


def test_TR_1_TR_2_recipients_show_countries_safeguards_and_transfers_in_words(
    staff: TestClient, loaded: LoadedProgramme
) -> None:
    text = _text(staff.get("/console/map").text)
    places = packaged_jurisdictions()
    for recipient in loaded.programme.recipients:
        row = _row(text, f"recipient-{recipient.key}")
        for code in recipient.countries:
            assert f"({code})" in row
            if not places.in_eea(code):
                assert f"({code}), outside the EEA" in row
                assert "Transfer outside the EEA to" in row
        if recipient.safeguard and recipient.safeguard.mechanism == "scc":
            assert "Standard contractual clauses (Art. 46(2)(c))" in row
            assert recipient.safeguard.tia is not None
            assert recipient.safeguard.tia.reference in row
        if recipient.safeguard and recipient.safeguard.mechanism == "adequacy":
            assert "Adequacy decision (Art. 45)" in row
        if all(places.in_eea(code) for code in recipient.countries):
            assert "No transfer outside the EEA" in row
    stripe = _node(text, "recipient:stripe")
    assert "Outside the EEA: US, adequacy" in stripe and "node-outside" in stripe
    assert "Outside the EEA: US, SCCs" in _node(text, "recipient:indeed")
    assert "Outside the EEA" not in _node(text, "recipient:cleverbridge")


def test_map_nodes_are_focusable_links_with_names_and_the_stable_hooks(staff: TestClient) -> None:
    page = staff.get("/console/map").text
    svg = _svg(page)
    assert '<svg id="datamap"' in svg
    nodes = re.findall(r"<a class=\"node[^>]*>", svg)
    assert len(nodes) > 50
    for node in nodes:
        kind = re.search(r'data-kind="([a-z]+)"', node)
        assert kind is not None and kind.group(1) in {
            "system",
            "dataset",
            "category",
            "purpose",
            "recipient",
        }
        assert re.search(r'href="#[a-z]+-[a-z0-9_.\-]+"', node)
        assert re.search(r'aria-label="[^"]{8,}"', node)
        anchor = re.search(r'href="#([^"]+)"', node)
        assert anchor is not None and f'<tr id="{anchor.group(1)}"' in page


def test_map_edges_link_what_the_programme_links(
    staff: TestClient, loaded: LoadedProgramme
) -> None:
    svg = _svg(staff.get("/console/map").text)
    edges = set(re.findall(r'data-from="([^"]+)" data-to="([^"]+)"', svg))
    webshop = loaded.programme.system("webshop")
    assert ("system:webshop", "dataset:webshop_db") in edges
    for purpose in webshop.purposes:
        assert (f"purpose:{purpose}", "system:webshop") in edges
    assert ("dataset:webshop_db", "category:user.contact") in edges
    assert ("system:support_desk", "recipient:support_tools") in edges  # its hosting provider
    assert ("system:webshop", "recipient:stripe") in edges  # shared purpose and categories


def test_map_has_the_table_alternative_the_panel_and_the_script(staff: TestClient) -> None:
    page = staff.get("/console/map").text
    assert page.count("<h1") == 1
    assert page.count('class="datamap-table"') == 5
    assert '<script src="/static/datamap.js" defer></script>' in page
    assert '<link rel="stylesheet" href="/static/console-programme.css">' in page
    assert 'aria-live="polite"' in page
    assert '<label for="datamap-focus">' in page
    assert "style=" not in page and "<script>" not in page


def test_map_filter_dims_what_is_outside_the_purpose(staff: TestClient) -> None:
    svg = _svg(staff.get("/console/map", params={"focus": "purpose:office_cctv"}).text)
    assert "is-dimmed" not in _node(svg, "purpose:office_cctv")
    assert "is-dimmed" not in _node(svg, "system:cctv")
    assert "is-dimmed" in _node(svg, "system:webshop")
    assert "is-dimmed" in _node(svg, "recipient:stripe")


@pytest.mark.parametrize(
    "focus",
    [
        "purpose:nope",
        "system:webshop",
        "<script>alert(1)</script>",
        "purpose:' OR 1=1 --",
        "x" * 5000,
        "category:user.contact\u0000",
    ],
)
def test_hostile_filters_get_a_400_page_without_the_value(staff: TestClient, focus: str) -> None:
    page = staff.get("/console/map", params={"focus": focus})
    assert page.status_code == 400
    assert "Choose a purpose or a data category from the list" in page.text
    assert "<script>alert" not in page.text
    main = _main(page.text)  # the language links keep the query, escaped; the page does not
    assert "OR 1=1" not in main and "xxxxxxxxxx" not in main and "alert(1)" not in main
    assert "is-dimmed" not in _svg(page.text)


def test_datamap_js_and_the_stylesheet_are_served_from_static(staff: TestClient) -> None:
    script = staff.get("/static/datamap.js")
    assert script.status_code == 200
    assert script.headers["content-type"].split(";")[0] in {
        "text/javascript",
        "application/javascript",
    }
    assert 'getElementById("datamap")' in script.text
    style = staff.get("/static/console-programme.css")
    assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")


# --- the records ------------------------------------------------------------------------------


def test_RP_1_records_page_shows_both_records_with_the_exports(
    staff: TestClient, loaded: LoadedProgramme, cloud_application: Application
) -> None:
    page = staff.get("/console/records")
    assert page.status_code == 200
    text = _text(page.text)
    records = build_records(loaded.programme, generated_on=cloud_application.clock.now().date())
    assert records.controller.title in text and records.processor.title in text
    for row in records.controller.rows:
        assert row[0].split("\n")[0] in text
    assert records.digest in text
    for label in ("Download CSV", "Download JSON", "Download HTML", "Download XLSX"):
        assert label in text
    assert page.text.count("<h1") == 1


@pytest.mark.parametrize(
    ("fmt", "media_type", "extension"),
    [
        ("json", "application/json", "json"),
        ("html", "text/html", "html"),
        ("csv", "application/zip", "zip"),
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    ],
)
def test_RP_1_exports_are_the_files_tutela_records_writes(
    staff: TestClient,
    loaded: LoadedProgramme,
    cloud_application: Application,
    fmt: str,
    media_type: str,
    extension: str,
) -> None:
    response = staff.get("/console/records/export", params={"format": fmt})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    day = cloud_application.clock.now().date()
    name = f"records-{day.isoformat()}.{extension}"
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
    records = build_records(loaded.programme, generated_on=day)
    expected = export_files(records, ExportFormat(fmt), Path(f"out/records.{extension}"))
    assert response.content == next(iter(expected.values()))


def test_exports_hold_the_records_content(staff: TestClient, loaded: LoadedProgramme) -> None:
    document = json.loads(staff.get("/console/records/export?format=json").content)
    assert len(document["controller_records"]) == len(loaded.programme.purposes)
    archive = zipfile.ZipFile(io.BytesIO(staff.get("/console/records/export?format=csv").content))
    assert sorted(archive.namelist()) == ["controller_records.csv", "processor_records.csv"]
    workbook = load_workbook(io.BytesIO(staff.get("/console/records/export?format=xlsx").content))
    assert workbook.sheetnames == ["Controller records", "Processor records", "About"]


@pytest.mark.parametrize(
    "fmt",
    [
        "pdf",
        "",
        "CSV",
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "json\r\nX-Evil: 1",
        "x" * 9000,
    ],
)
def test_hostile_formats_are_refused_with_a_400_page(staff: TestClient, fmt: str) -> None:
    response = staff.get("/console/records/export", params={"format": fmt})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "content-disposition" not in response.headers
    assert "Choose CSV, JSON, HTML or XLSX" in response.text
    assert "<script>alert" not in response.text
    assert "passwd" not in _main(response.text) and "X-Evil" not in _main(response.text)


def test_records_of_a_programme_without_a_statement_say_why_and_export_nothing(
    application: Application, programme: Programme
) -> None:
    login_service(application.ledger(), application.clock).add("bob", "privacy_officer", PASSWORD)
    bare = programme.model_copy(update={"statement": None})
    app = create_app(application, bare, limits=SubjectLimits())
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        assert login(client, "bob").status_code == 303
        page = client.get("/console/records")
        assert page.status_code == 409
        assert "The records cannot be made from this programme" in page.text
        assert "statement" in page.text and "Download CSV" not in page.text
        export = client.get("/console/records/export?format=json")
        assert export.status_code == 409 and "content-disposition" not in export.headers
        assert client.get("/console/map").status_code == 200


# --- the checks -------------------------------------------------------------------------------


def test_checks_page_lists_the_findings_of_the_checks_engine(
    staff: TestClient, loaded: LoadedProgramme, cloud_application: Application
) -> None:
    page = staff.get("/console/checks")
    assert page.status_code == 200
    text = _text(page.text)
    findings = run_checks(loaded, today=cloud_application.clock.now().date())
    assert findings, "the reference programme is expected to have at least one finding"
    rows = re.findall(r'<tr class="severity-[a-z]+">.*?</tr>', text, re.S)
    assert len(rows) == len(findings)
    for row, finding in zip(rows, findings, strict=True):
        assert f"<code>{finding.rule}</code>" in row
        assert finding.message in row and finding.hint in row
        assert f"<code>{format_path(finding.path)}</code>" in row
        assert finding.location is not None and finding.location.line is not None
        assert f"cloudockit/{Path(finding.location.source).name}:{finding.location.line}" in row
        assert ("Error" if finding.severity == "error" else "Warning") in row
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    assert f"{errors} error" in text and f"{warnings} warning" in text
    assert f"{len(registry().select())} rules checked" in text
    assert "Download SARIF" in text


def test_checks_run_once_per_app(staff: TestClient, cloud_app: FastAPI) -> None:
    staff.get("/console/checks")
    first = cloud_app.state.programme_checks
    staff.get("/console/checks")
    staff.get("/console/records")
    assert cloud_app.state.programme_checks is first


def test_sarif_download_is_the_checks_log(staff: TestClient, loaded: LoadedProgramme) -> None:
    response = staff.get("/console/checks/sarif")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sarif+json")
    assert "attachment" in response.headers["content-disposition"]
    log = json.loads(response.content)
    assert log["version"] == "2.1.0"
    results = log["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [f.rule for f in run_checks(loaded)]


def test_checks_without_the_programme_folder_name_the_yaml_path_only(client: TestClient) -> None:
    login(client)
    page = client.get("/console/checks")
    assert page.status_code == 200
    assert "The files and lines are not known" in page.text
    assert "Not known" in page.text  # the shop programme has findings; none has a line


# --- helpers ----------------------------------------------------------------------------------


def _svg(page: str) -> str:
    found = re.search(r'<svg id="datamap".*?</svg>', page, re.S)
    assert found is not None, "the page has no data map"
    return found.group(0)


def _main(page: str) -> str:
    found = re.search(r"<main.*?</main>", page, re.S)
    assert found is not None, "the page has no main"
    return found.group(0)


def _node(text: str, node_id: str) -> str:
    found = re.search(
        rf'<a class="node[^"]*"[^>]*data-id="{re.escape(node_id)}".*?</a>', text, re.S
    )
    assert found is not None, f"no node {node_id}"
    return found.group(0)


def _row(text: str, anchor: str) -> str:
    found = re.search(rf'<tr id="{re.escape(anchor)}".*?</tr>', text, re.S)
    assert found is not None, f"no row {anchor}"
    return found.group(0)
