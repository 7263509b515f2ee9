"""Every page of the privacy centre and the console checked by axe-core in Chromium.

axe-core (``package.json`` here, installed by ``npm ci``) runs the WCAG 2.0, 2.1 and 2.2
rules of levels A and AA (tags ``wcag2a``, ``wcag2aa``, ``wcag21a``, ``wcag21aa``,
``wcag22aa``) on each page as a visitor reaches it; a violation of impact *serious* or
*critical* fails the page's test, which prints each one (rule, help, elements). A page
that is missing (404) or broken fails too. The console's pages are checked logged in.
The pages that need a request, a complaint or a mailed link are reached by walking the
site once per module (:func:`walked`). axe is injected as a script, so the contexts here
bypass the Content-Security-Policy (the journeys check the pages under it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from tests.web.browser.conftest import Pages, axe_script, described, serious_violations
from tests.web.browser.server import MARKETING, Site
from tests.web.browser.walk import (
    ask_preferences_link,
    complain,
    decide,
    log_in,
    open_from_queue,
    submit_request,
    verify,
)

pytestmark = pytest.mark.browser

CENTRE = {
    "statement": "/",
    "request-types": "/request",
    "request-form": "/request?type=access",
    "complaint": "/complaint",
    "preferences": "/preferences",
    "versions": "/statement/versions",
    "version": "/statement/versions/1.1",  # the Cloudockit statement's version, archived
}
CONSOLE = {
    "queue": "/console/",
    "complaints": "/console/complaints",
    "map": "/console/map",
    "records": "/console/records",
    "checks": "/console/checks",
    "retention": "/console/retention",
    "consent": "/console/consent",
    "mail": "/console/mail",
    "ledger": "/console/ledger",
    "moderation": "/console/moderation",
}
WALKED = (
    "console-login",
    "request-code",
    "request-status",
    "complaint-received",
    "preferences-manage",
    "console-request",
    "console-held-post",
)


@dataclass(frozen=True)
class Walked:
    """A subject's and a staff member's tabs, and the pages only a walk reaches."""

    subject: Any
    staff: Any
    urls: dict[str, tuple[Any, str]]


@pytest.fixture(scope="module")
def walked(pages: Pages, site: Site) -> Walked:
    """Walk the site once: requests, a complaint, a preference link, staff logged in."""
    axe_script()  # before anything is walked: say at once when axe-core is missing
    subject = pages.open("/request", bypass_csp=True)
    staff = pages.open("/console/login", bypass_csp=True)
    log_in(staff)
    waiting = submit_request(subject, "waiting.subject@example.test")
    code_url = subject.url
    answered = submit_request(subject, site.subject)
    verify(subject, site, site.subject, answered)
    open_from_queue(staff, answered)
    decide(staff, "Approve")
    site.run_worker()
    complaint = complain(subject, "complaining.subject@example.test")
    email = "choosing.subject@example.test"
    site.give_consent(email, MARKETING)
    held = site.hold_post("post-1", "My colleague Anna is pregnant, don't tell anyone.")
    subject.goto(ask_preferences_link(subject, site, email))
    urls = {
        "console-login": (subject, "/console/login"),
        "request-code": (subject, code_url),
        "request-status": (subject, f"/request/{answered}"),
        "complaint-received": (subject, f"/request/{complaint}"),
        "preferences-manage": (subject, subject.url),
        "console-request": (staff, f"/console/requests/{waiting}"),
        "console-held-post": (staff, f"/console/moderation/{held}"),
    }
    return Walked(subject, staff, urls)


def _checked(tab: Any, url: str) -> None:
    """Open ``url`` in a new page of ``tab``'s context; it must load and pass axe."""
    page = tab.context.new_page()
    try:
        response = page.goto(url)
        assert response is not None and response.status == 200, (
            f"{url}: {response and response.status}"
        )
        assert page.locator("h1").count() == 1, f"{url} has not exactly one h1"
        violations = serious_violations(page)
        assert violations == [], f"{url}:\n{described(violations)}"
    finally:
        page.close()


@pytest.mark.parametrize("name", sorted(CENTRE))
def test_centre_page_has_no_serious_wcag_violation(name: str, walked: Walked) -> None:
    _checked(walked.subject, CENTRE[name])


@pytest.mark.parametrize("name", sorted(CONSOLE))
def test_console_page_has_no_serious_wcag_violation(name: str, walked: Walked) -> None:
    _checked(walked.staff, CONSOLE[name])


@pytest.mark.parametrize("name", WALKED)
def test_walked_page_has_no_serious_wcag_violation(name: str, walked: Walked) -> None:
    tab, url = walked.urls[name]
    _checked(tab, url)


def test_cookie_banner_open_on_a_first_visit_has_no_serious_wcag_violation(
    pages: Pages,
) -> None:
    axe_script()
    page = pages.open("/request", banner=True, bypass_csp=True)
    page.get_by_role("dialog").wait_for()
    violations = serious_violations(page)
    assert violations == [], described(violations)
