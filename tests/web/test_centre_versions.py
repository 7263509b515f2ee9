"""Earlier statement versions in the privacy centre: archived when served, immutable (NT-1).

Each version the centre serves is archived in tutela's store in the language it was
served in, with a ``statement_published`` ledger entry carrying its digest; the change
log links to every archived text, and a later programme never rewrites an earlier text.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.programme.legal import ChangeLogEntry
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.store.ledger import open_ledger
from tutela.store.statements import SqlStatementArchive
from tutela.testing import shopdb


@pytest.fixture
def application(tmp_path: Path) -> Application:
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(shop, customers=2, seed=3)
    return build(
        {
            "TUTELA_DATABASE_URL": store,
            "TUTELA_SHOP_URL": shop,
            "TUTELA_HASH_KEY": "versions-test-hash-key",
            "TUTELA_PUBLIC_URL": "http://testserver",
        }
    )


def _programme(version: str, title: str | None = None, log: tuple[str, ...] = ()) -> Programme:
    shop = load_programme(shopdb.shop_programme_path())
    assert shop.statement is not None
    entries = list(shop.statement.change_log)
    for number in log:
        entries.append(ChangeLogEntry(version=number, date=date(2026, 6, 1), summary="New shop."))
    update: dict[str, object] = {"version": version, "languages": ["en", "fr"]}
    update["change_log"] = entries
    if title is not None:
        update["title"] = title
    return shop.model_copy(update={"statement": shop.statement.model_copy(update=update)})


def _client(application: Application, programme: Programme) -> TestClient:
    return TestClient(create_app(application, programme), raise_server_exceptions=False)


def _published(application: Application) -> list[dict[str, str]]:
    entries = application.ledger().entries()
    found = []
    for entry in entries:
        if entry.action == "statement_published":
            _kind, version, language = entry.request.split(":")
            found.append({"version": version, "language": language, "digest": entry.after or ""})
    return found


def test_nt1_the_version_served_is_archived_once_and_ledgered_with_its_digest(
    application: Application,
) -> None:
    with _client(application, _programme("1.0")) as client:
        home = client.get("/")
        assert 'href="/statement/versions?lang=en"' in home.text
        client.get("/")
        client.get("/", params={"lang": "fr"})
    published = _published(application)
    assert [(p["version"], p["language"]) for p in published] == [("1.0", "en"), ("1.0", "fr")]
    archive = SqlStatementArchive(application.ledger())
    stored = archive.read("1.0", "en")
    assert stored is not None
    about, view = stored
    assert about.digest == published[0]["digest"]
    with application.ledger().engine.connect() as connection:
        body = connection.exec_driver_sql(
            "select body from tutela_statement_version where language = 'en'"
        ).scalar()
    assert hashlib.sha256(str(body).encode("utf-8")).hexdigest() == about.digest
    assert view.title == "Example Shop privacy statement"


def test_nt1_versions_page_lists_the_change_log_and_links_archived_texts(
    application: Application,
) -> None:
    with _client(application, _programme("1.0")) as client:
        page = client.get("/statement/versions")
        assert page.status_code == 200
        assert page.text.count("<h1>") == 1
        assert "First version." in page.text
        assert 'href="/statement/versions/1.0?lang=en"' in page.text
        text = client.get("/statement/versions/1.0")
        assert text.status_code == 200
        assert "This is the version in force" in text.text
        assert "1. Who is responsible for your data" in text.text


def test_nt1_an_earlier_version_keeps_its_own_text_after_a_new_one_is_served(
    application: Application,
) -> None:
    with _client(application, _programme("1.0")) as client:
        client.get("/")
    newer = _programme("2.0", title="Example Shop privacy notice", log=("2.0",))
    with _client(application, newer) as client:
        home = client.get("/").text
        assert "<h1>Example Shop privacy notice</h1>" in home
        listing = client.get("/statement/versions").text
        assert listing.index("Version 2.0") < listing.index("Version 1.0")
        old = client.get("/statement/versions/1.0").text
        assert "<h1>Example Shop privacy statement</h1>" in old
        assert "This is an earlier version" in old


def test_nt1_a_version_is_immutable_once_served(application: Application) -> None:
    with _client(application, _programme("1.0")) as client:
        client.get("/")
    reworded = _programme("1.0", title="Example Shop quietly reworded statement")
    with _client(application, reworded) as client:
        client.get("/")
        archived = client.get("/statement/versions/1.0").text
    assert "<h1>Example Shop privacy statement</h1>" in archived
    assert "quietly reworded" not in archived
    assert len(_published(application)) == 1


@pytest.mark.parametrize(
    "version", ["9.9", "..%2F..%2Fetc%2Fpasswd", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "v" * 500]
)
def test_unknown_or_hostile_versions_are_a_plain_not_found_page(
    application: Application, version: str
) -> None:
    with _client(application, _programme("1.0")) as client:
        page = client.get(f"/statement/versions/{version}", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Version not found" in page.text or "Page not found" in page.text
    assert "<script>alert" not in page.text and "Traceback" not in page.text


def test_a_browser_gets_a_page_for_a_path_that_is_not_there_and_an_api_client_json(
    application: Application,
) -> None:
    with _client(application, _programme("1.0")) as client:
        page = client.get("/no/such/page", headers={"Accept": "text/html,*/*;q=0.8"})
        api = client.get("/api/v1/no-such-route", headers={"Accept": "text/html"})
        plain = client.get("/no/such/page")
    assert page.status_code == 404 and "Page not found" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    assert plain.status_code == 404 and plain.headers["content-type"] == "application/problem+json"
