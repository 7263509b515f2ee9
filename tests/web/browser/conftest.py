"""Fixtures of the browser tests: one tutela per module (:mod:`.server`), Debian's chromium.

``site`` is the Cloudockit example served on loopback with a real SMTP inbox; ``browser``
is chromium driven by Playwright. ``pages`` opens pages in new browser contexts, each
recording the Content-Security-Policy violations the console reports. Chromium and axe-core
are checked before use: CI (``CI=true``) fails without them, a developer skips.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.web.browser.server import Site, serving
from tests.web.browser.walk import reject_cookies

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
INSTALL_AXE = "npm ci --prefix tests/web/browser --no-audit --no-fund"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
"""The axe-core tags checked: WCAG 2.0, 2.1 and 2.2 at levels A and AA."""
SERIOUS = ("serious", "critical")


def missing(what: str) -> None:
    """Fail in CI, skip elsewhere, saying what is missing and how to get it."""
    if os.environ.get("CI") == "true":
        pytest.fail(what)
    pytest.skip(what)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The Cloudockit example served for the module's tests."""
    with serving(tmp_path_factory.mktemp("site")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's chromium (waited for a little: CI may still be installing it)."""
    for _ in range(60):
        if CHROMIUM.exists():
            break
        time.sleep(1)
    else:
        missing(f"{CHROMIUM} is missing: install Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


class Pages:
    """New browser contexts on the site; each page records the CSP violations it reports."""

    def __init__(self, browser: Any, site: Site) -> None:
        self.browser, self.site = browser, site
        self.contexts: list[Any] = []
        self.refused: list[str] = []

    def open(self, path: str = "/", *, banner: bool = False, **options: Any) -> Any:
        """A page of a new context (``options``: locale, bypass_csp...) at ``path``.

        The cookie banner of the first visit is answered ("Reject all") unless ``banner``.
        """
        context = self.browser.new_context(base_url=self.site.base, **options)
        context.set_default_timeout(30_000)  # CI runs two test workers beside it
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", self._console)
        page.goto(path)
        if not banner:
            reject_cookies(page)
        return page

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text:
            self.refused.append(message.text)

    def close(self) -> None:
        """Close every context opened."""
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="module")
def pages(browser: Any, site: Site) -> Iterator[Pages]:
    """Browser contexts for the module; no page may break the Content-Security-Policy."""
    opened = Pages(browser, site)
    yield opened
    opened.close()
    assert opened.refused == [], "a page broke the Content-Security-Policy"


def axe_script() -> Path:
    """axe-core's script, installed by ``npm ci`` in this folder (.ci/run does it)."""
    if not AXE.exists():
        missing(f"{AXE} is missing: run `{INSTALL_AXE}`")
    return AXE


def serious_violations(page: Any) -> list[dict[str, Any]]:
    """The WCAG A/AA violations of ``page`` with impact serious or critical, by axe-core.

    The page's context must bypass the Content-Security-Policy (``bypass_csp=True``):
    axe is injected as a script of the page, which the policy would otherwise refuse.
    """
    page.add_script_tag(path=str(axe_script()))
    result = page.evaluate(
        "(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        WCAG,
    )
    return [v for v in result["violations"] if v["impact"] in SERIOUS]


def described(violations: list[dict[str, Any]]) -> str:
    """The violations, one line each: rule id, impact, help, and the elements it found."""
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"])
        for v in violations
    )
