"""The privacy centre's statement at ``/``: layers, languages, headers and the advance notice.

The real app over a real SQLite store with the shop programme, its statement offered in
English, French, Dutch and German (Art. 12(1); NT-1; seed §13).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.consent.announcements import Announcement
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.statement.build import build_statement
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb
from tutela.web.pages import accepted_languages

LANGUAGES = ["en", "fr", "nl", "de"]


@pytest.fixture
def application(tmp_path: Path) -> Application:
    shop = f"sqlite:///{tmp_path / 'shop.sqlite'}"
    shopdb.build(shop, customers=3, seed=5)
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()
    return build(
        {
            "TUTELA_DATABASE_URL": store,
            "TUTELA_SHOP_URL": shop,
            "TUTELA_HASH_KEY": "web-test-hash-key",
            "TUTELA_PUBLIC_URL": "http://testserver",
        }
    )


@pytest.fixture
def programme() -> Programme:
    shop = load_programme(shopdb.shop_programme_path())
    assert shop.statement is not None
    statement = shop.statement.model_copy(update={"languages": LANGUAGES})
    return shop.model_copy(update={"statement": statement})


@pytest.fixture
def client(application: Application, programme: Programme) -> Iterator[TestClient]:
    with TestClient(create_app(application, programme), raise_server_exceptions=False) as test:
        yield test


def _french_heading(programme: Programme) -> str:
    return build_statement(programme, language="fr").sections[0].heading


def test_home_shows_the_summary_before_the_full_text_with_its_version(
    client: TestClient, programme: Programme
) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="en">' in html
    assert html.count("<h1>") == 1 and "<h1>Example Shop privacy statement</h1>" in html
    assert "Version 1.0, effective 15 January 2026" in html
    summary, contents, full = (
        html.index('id="summary"'),
        html.index('id="contents"'),
        html.index('id="full-text"'),
    )
    assert summary < contents < full
    assert html.index("1. Who is responsible for your data") > full
    assert 'href="/statement/versions?lang=en"' in html  # earlier versions and what changed
    assert "First version." in html[html.index('id="modifications"') :]


def test_layout_has_landmarks_skip_link_banner_script_and_the_controllers_contact(
    client: TestClient,
) -> None:
    html = client.get("/").text
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in html
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert '<script src="/banner.js" data-lang="en" defer></script>' in html
    assert "<script>" not in html  # no inline script: the CSP forbids it
    assert 'href="mailto:privacy@shop.example.test"' in html
    assert 'href="/?lang=fr" hreflang="fr"' in html  # the language switcher


def test_pages_carry_the_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "script-src 'self';" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert headers["content-language"] == "en"


def test_the_stylesheet_is_served(client: TestClient) -> None:
    sheet = client.get("/static/tutela.css")
    assert sheet.status_code == 200
    assert sheet.headers["content-type"].startswith("text/css")
    assert ".skip-link" in sheet.text


def test_lang_parameter_gives_french(client: TestClient, programme: Programme) -> None:
    page = client.get("/", params={"lang": "fr"}, headers={"Accept-Language": "de"})
    assert '<html lang="fr">' in page.text
    assert _french_heading(programme) in page.text
    assert "Aller au contenu principal" in page.text
    assert page.headers["content-language"] == "fr"


def test_accept_language_with_qualities_gives_french(
    client: TestClient, programme: Programme
) -> None:
    page = client.get("/", headers={"Accept-Language": "fr-BE,fr;q=0.9,en;q=0.5"})
    assert '<html lang="fr">' in page.text
    assert _french_heading(programme) in page.text
    preferred = client.get("/", headers={"Accept-Language": "en;q=0.2,nl;q=0.8"})
    assert '<html lang="nl">' in preferred.text


def test_a_language_the_programme_does_not_offer_falls_back(client: TestClient) -> None:
    for params in ({"lang": "xx"}, {"lang": "es"}, {"lang": ""}):
        page = client.get("/", params=params, headers={"Accept-Language": "es, it;q=0.5"})
        assert page.status_code == 200
        assert '<html lang="en">' in page.text


def test_only_the_programmes_languages_are_offered(application: Application) -> None:
    english_only = load_programme(shopdb.shop_programme_path())
    with TestClient(create_app(application, english_only)) as client:
        page = client.get("/", params={"lang": "fr"})
    assert '<html lang="en">' in page.text
    assert 'class="languages"' not in page.text  # no switcher for one language


@pytest.mark.parametrize(
    "hostile", ['"><script>alert(1)</script>', "x" * 5000, "fr\x00", "fr' onload='x"]
)
def test_hostile_lang_values_are_never_reflected(client: TestClient, hostile: str) -> None:
    page = client.get("/", params={"lang": hostile})
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert "<script>alert" not in page.text and "onload=" not in page.text
    assert "x" * 100 not in page.text


def test_accept_language_parsing_orders_by_quality() -> None:
    assert accepted_languages("fr-BE,fr;q=0.9,en;q=0.5") == ["fr", "fr", "en"]
    assert accepted_languages("de;q=0.1, nl;q=0.7, *;q=0.9") == ["nl", "de"]
    assert accepted_languages("fr;q=0, en;q=abc, nl") == ["nl"]
    assert accepted_languages("") == []


def test_nt1_an_announced_change_shows_a_banner_until_it_takes_effect(
    application: Application, client: TestClient
) -> None:
    assert "announcement-title" not in client.get("/").text
    effective = datetime(2099, 3, 1, tzinfo=UTC)
    change = Announcement(
        version="2.0",
        effective_at=effective,
        purposes={},
        summary=("purposes[newsletter].categories[user.name]: a new category",),
        announced_at=application.clock.now(),
    )
    application.announcements().save(change, "system")
    html = client.get("/").text
    banner = html[html.index('class="announcement"') : html.index('id="summary"')]
    assert "Version 2.0 of this statement takes effect on 1 March 2099." in banner
    assert "purposes[newsletter].categories[user.name]: a new category" in banner
    french = client.get("/", params={"lang": "fr"}).text
    assert "1 mars 2099" in french
