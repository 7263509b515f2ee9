"""The cookie banner in Chromium: scripts blocked until consent, withdrawal, GPC, keyboard.

A real tutela API runs under uvicorn on loopback; Playwright serves the site
``https://shop.test/`` and the third parties by interception, and forwards
``https://tutela.test/`` to the server (CK-1, CK-2, CO-1, CO-3, GPC-1).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import uvicorn
from tests.consent.test_banner import make_api, make_application, stored
from tests.mail.conftest import free_port

from tutela.bootstrap import Application
from tutela.consent.records import ALL_PURPOSES, Kind, Method

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
TUTELA = "https://tutela.test"
SCRIPTS = """
<script type="text/plain" data-category="statistics" src="https://stats.test/s.js"></script>
<script type="text/plain" data-category="marketing" src="https://ads.test/m.js"></script>
<script type="text/plain" data-category="statistics">window.inlineStats = true;</script>
"""
PAGES = {
    "/": f"""<!doctype html><html lang="en"><head><title>Shop</title>
<script src="{TUTELA}/banner.js" data-tutela="{TUTELA}" defer></script></head>
<body><h1>Shop</h1><a href="#" data-tutela-preferences>Cookie settings</a>
{SCRIPTS}</body></html>""",
    "/plain": f"""<!doctype html><html lang="en"><head><title>Shop</title>
<link rel="stylesheet" href="{TUTELA}/banner.css">
<script src="{TUTELA}/banner.js" data-tutela="{TUTELA}" defer></script></head>
<body><h1>Shop</h1>{SCRIPTS}</body></html>""",
}
THIRD_PARTY = {
    "stats.test": "window.statsRan = (window.statsRan || 0) + 1;",
    "ads.test": "window.adsRan = (window.adsRan || 0) + 1;",
}


def _chromium() -> None:
    """Wait a little for Debian's chromium; CI fails without it, a developer skips."""
    for _ in range(60):
        if CHROMIUM.exists():
            return
        time.sleep(1)
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium")
    pytest.skip(f"{CHROMIUM} is missing")


@pytest.fixture
def application(tmp_path: Path) -> Application:
    return make_application(tmp_path)


@pytest.fixture
def server(application: Application) -> Iterator[str]:
    """The real API under uvicorn on a free loopback port, in a thread."""
    port = free_port()
    config = uvicorn.Config(make_api(application), host="127.0.0.1", port=port, log_level="warning")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        time.sleep(0.05)
    assert running.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


class Site:
    """A browser context whose network is the shop, its third parties and tutela."""

    def __init__(self, context: Any, server: str) -> None:
        self.context, self.server, self.hosts = context, server, []
        context.on("request", lambda request: self.hosts.append(urlsplit(request.url).hostname))
        context.route("**/*", self._answer)
        self.page = context.new_page()

    def _answer(self, route: Any) -> None:
        parts = urlsplit(route.request.url)
        if parts.hostname == "shop.test" and parts.path in PAGES:
            route.fulfill(status=200, content_type="text/html", body=PAGES[parts.path])
        elif parts.hostname in THIRD_PARTY:
            route.fulfill(
                status=200, content_type="text/javascript", body=THIRD_PARTY[parts.hostname]
            )
        elif parts.hostname == "tutela.test":
            url = self.server + route.request.url[len(TUTELA) :]
            route.fulfill(response=route.fetch(url=url))
        else:
            route.abort()

    def open(self, path: str = "/") -> Any:
        """Load the shop page and wait for the banner's configuration."""
        self.hosts.clear()
        with self.page.expect_response(lambda r: r.url.startswith(f"{TUTELA}/api/v1/consent")):
            self.page.goto(f"https://shop.test{path}")
        self.page.wait_for_load_state("load")
        return self.page

    def flag(self, name: str) -> Any:
        return self.page.evaluate(f"window.{name}")

    def save(self, button: str) -> None:
        """Press ``button`` in the dialog and wait until tutela recorded the choice."""
        with self.page.expect_response(_posted) as answer:
            self.page.get_by_role("button", name=button).click()
        assert answer.value.status == 200, answer.value.text()


def _posted(response: Any) -> bool:
    return response.url == f"{TUTELA}/api/v1/consent/banner" and response.request.method == "POST"


@pytest.fixture
def browser() -> Iterator[Any]:
    _chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


@pytest.fixture
def site(browser: Any, server: str) -> Iterator[Site]:
    context = browser.new_context()
    yield Site(context, server)
    context.close()


@pytest.fixture
def gpc_site(browser: Any, server: str) -> Iterator[Site]:
    context = browser.new_context(extra_http_headers={"Sec-GPC": "1"})
    context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true});"
    )
    yield Site(context, server)
    context.close()


def test_ck_1_co_1_nothing_runs_before_consent_and_only_statistics_after(
    site: Site, application: Application
) -> None:
    page = site.open("/plain")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert "stats.test" not in site.hosts and "ads.test" not in site.hosts
    assert site.flag("statsRan") is None and site.flag("inlineStats") is None
    page.get_by_label("Statistics").check()
    site.save("Save choices")
    page.wait_for_function("window.statsRan === 1 && window.inlineStats === true")
    assert site.flag("adsRan") is None and "ads.test" not in site.hosts
    assert page.get_by_role("button", name="Privacy choices").is_visible()  # the way back
    events = stored(application)
    given = [e.purpose for e in events if e.kind is Kind.CONSENT_GIVEN]
    assert given == ["website_statistics"] and {e.method for e in events} == {Method.BANNER}
    cookie = {c["name"]: c["value"] for c in site.context.cookies("https://shop.test")}
    assert "statistics" in cookie["cookie_consent"] and "marketing" not in cookie["cookie_consent"]


def test_co_3_a_withdrawn_category_does_not_run_on_the_next_load(
    site: Site, application: Application
) -> None:
    page = site.open("/")
    page.get_by_label("Statistics").check()
    site.save("Save choices")
    page = site.open("/")
    page.wait_for_function("window.statsRan === 1")
    assert not page.get_by_role("dialog").is_visible()  # the choice is remembered
    page.get_by_text("Cookie settings").click()
    page.get_by_label("Statistics").uncheck()
    site.save("Save choices")
    page = site.open("/")
    assert site.flag("statsRan") is None and "stats.test" not in site.hosts
    kinds = [e.kind for e in stored(application) if e.purpose == "website_statistics"]
    assert kinds == [Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN]


def test_gpc_1_marketing_stays_blocked_after_accept_all_and_the_opt_out_is_stored(
    gpc_site: Site, application: Application
) -> None:
    with gpc_site.page.expect_response(_posted):  # the signal is sent as the page loads
        page = gpc_site.open("/")
    assert "Global Privacy Control" in page.get_by_role("dialog").inner_text()
    assert page.get_by_label("Marketing").is_disabled()
    gpc_site.save("Accept all")
    page.wait_for_function("window.statsRan === 1")
    assert gpc_site.flag("adsRan") is None and "ads.test" not in gpc_site.hosts
    events = stored(application)
    opt_outs = [(e.purpose, e.method) for e in events if e.kind is Kind.OPT_OUT]
    assert opt_outs == [(ALL_PURPOSES, Method.GPC)]
    given = {e.purpose for e in events if e.kind is Kind.CONSENT_GIVEN}
    assert given == {"website_statistics", "website_preferences"}
    page = gpc_site.open("/")
    assert gpc_site.flag("adsRan") is None and "ads.test" not in gpc_site.hosts


INSIDE = "document.querySelector('[role=dialog]').contains(document.activeElement)"


def test_ck_2_the_banner_is_usable_with_the_keyboard_alone(
    site: Site, application: Application
) -> None:
    page = site.open("/")
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    assert dialog.get_attribute("aria-modal") == "true"
    title = page.locator("#" + str(dialog.get_attribute("aria-labelledby")))
    assert title.inner_text() == "Your privacy choices"
    assert page.get_by_label("Necessary").is_checked()
    assert page.get_by_label("Necessary").is_disabled()
    for key in ["Tab"] * 14 + ["Shift+Tab"] * 14:
        page.keyboard.press(key)
        assert page.evaluate(INSIDE), f"focus left the dialog after {key}"
    outline = "getComputedStyle(document.activeElement).outlineStyle"
    assert page.evaluate(outline) == "solid"  # visible focus
    _tab_to(page, "document.activeElement.id === 'tutela-c-statistics'")
    page.keyboard.press("Space")
    assert page.get_by_label("Statistics").is_checked()
    _tab_to(page, "document.activeElement.dataset.action === 'save'")
    with page.expect_response(_posted):
        page.keyboard.press("Enter")
    page.wait_for_function("window.statsRan === 1")
    assert not dialog.is_visible()
    assert [e.purpose for e in stored(application) if e.kind is Kind.CONSENT_GIVEN] == [
        "website_statistics"
    ]


def _tab_to(page: Any, condition: str) -> None:
    for _ in range(30):
        if page.evaluate(condition):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached: {condition}")
