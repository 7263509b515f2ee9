"""Screenshots of tutela's pages for the docs: ``.venv/bin/python scripts/screenshots.py``.

Serves the Cloudockit example with demo data, as the browser tests do
(``tests/web/browser/server.py``: the example's systems with synthetic people, a new
SQLite store, mail to an SMTP server on loopback), walks the privacy centre and the
console in Debian's chromium as a subject and a privacy officer would, and writes one PNG
per page to ``docs/screenshots/<page>.png``: 1280 pixels wide, the whole page when it is
short, otherwise the first 800 pixels (so each file stays small). Needs
``/usr/bin/chromium``; axe-core is not needed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tutela.consent.service import Context

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.web.browser.server import MARKETING, Site, serving  # noqa: E402
from tests.web.browser.walk import (  # noqa: E402
    ask_preferences_link,
    complain,
    decide,
    log_in,
    open_from_queue,
    reject_cookies,
    submit_request,
    verify,
)

CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1280, 800
TALLEST = 1600
"""A page at most this many pixels tall is taken whole; a taller one, its first screen."""
LARGEST = 400_000
"""Bytes a screenshot may take; a whole page over it is taken again as its first screen."""
PEOPLE = 200
"""Synthetic people in the example's systems, as in ``tutela demo``."""
QUEUE = (
    ("access", 40),
    ("erasure", 20),
    ("access", 3),
    ("erasure", 1),
)
"""Requests already in the queue: type and days since received (the first is overdue)."""


class Camera:
    """Takes the screenshots of ``out``: one PNG per page, named after the page."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.taken: list[Path] = []

    def take(self, page: Any, name: str) -> None:
        """Write ``page`` as ``<name>.png``: whole when short and small, else its first screen."""
        page.wait_for_load_state("load")
        path = self.out / f"{name}.png"
        whole = page.evaluate("document.documentElement.scrollHeight") <= TALLEST
        page.screenshot(path=str(path), full_page=whole)
        if whole and path.stat().st_size > LARGEST:
            page.screenshot(path=str(path))
        self.taken.append(path)


def seed(site: Site) -> None:
    """Demo data: open requests of several types and ages, and consent choices."""
    service = site.application.request_service(site.programme)
    now = datetime.now(UTC)
    for number, (kind, age) in enumerate(QUEUE):
        identity = {"email": f"person{number}@example.test"}
        service.submit(kind, identity, now - timedelta(days=age), residence="BE")
    consent = site.application.consent_service(site.programme)
    for number in range(12):
        email = f"reader{number}@example.test"
        site.give_consent(email, MARKETING)
        if number % 4 == 0:
            context = Context(method="web_form", language="en", jurisdiction="BE")
            consent.withdraw({"email": email}, MARKETING, context, actor="subject:web-form")


def walk_centre(subject: Any, staff: Any, site: Site, camera: Camera) -> None:
    """The subject's pages: statement, request and its steps, preferences, complaint."""
    subject.goto("/")
    camera.take(subject, "centre-statement")
    subject.goto("/request?type=access")
    camera.take(subject, "centre-request")
    request_id = submit_request(subject, site.subject)
    camera.take(subject, "centre-request-code")
    verify(subject, site, site.subject, request_id)
    open_from_queue(staff, request_id)
    staff.evaluate("window.scrollTo(0, 0)")
    camera.take(staff, "console-request")
    decide(staff, "Approve")
    site.run_worker()
    subject.goto(f"/request/{request_id}")
    camera.take(subject, "centre-request-status")
    subject.goto("/preferences")
    camera.take(subject, "centre-preferences")
    subject.goto(ask_preferences_link(subject, site, "reader1@example.test"))
    camera.take(subject, "centre-preferences-manage")
    subject.goto("/complaint")
    camera.take(subject, "centre-complaint")
    complain(subject, "unhappy@example.test")
    camera.take(subject, "centre-complaint-received")


CONSOLE = (
    "complaints",
    "map",
    "records",
    "checks",
    "retention",
    "consent",
    "mail",
    "ledger",
    "moderation",
)


def walk_console(staff: Any, camera: Camera, held: str) -> None:
    """The console's lists and reports, logged in as a privacy officer; a held post."""
    staff.goto("/console/")
    camera.take(staff, "console-queue")
    for name in CONSOLE:
        staff.goto(f"/console/{name}")
        camera.take(staff, f"console-{name}")
    staff.goto(f"/console/moderation/{held}")
    camera.take(staff, "console-moderation-post")


@contextmanager
def tabs(browser: Any, site: Site) -> Iterator[Callable[[str], Any]]:
    """Open tabs on the site, each in its own context, cookie banner answered; closed on exit."""
    contexts: list[Any] = []

    def open_tab(path: str) -> Any:
        context = browser.new_context(
            base_url=site.base, viewport={"width": WIDTH, "height": HEIGHT}
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(path)
        reject_cookies(page)
        return page

    try:
        yield open_tab
    finally:
        for context in contexts:
            context.close()


def main(argv: list[str] | None = None) -> int:
    """Take every screenshot into ``--out`` (default ``docs/screenshots``); 0 when done."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    camera = Camera(out)
    with tempfile.TemporaryDirectory() as folder, serving(Path(folder), PEOPLE) as site:
        seed(site)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM)
            with tabs(browser, site) as open_tab:
                login = open_tab("/console/login")
                camera.take(login, "console-login")
                log_in(login)
                walk_centre(open_tab("/"), login, site, camera)
                held = site.hold_post(
                    "forum-1042", "Don't ask Mark, he is in hospital for his chemotherapy again."
                )
                walk_console(login, camera, held)
            browser.close()
    for path in camera.taken:
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}"
            f" ({path.stat().st_size // 1024} KB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
