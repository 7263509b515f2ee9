"""htmx on console pages: parts updated in place, nothing kept in the browser, no CSP break.

The ledger's verification replaces only its outcome, and the consent page's span form
replaces the page's main (with the address updated) — without a navigation, and without
htmx keeping a copy of a console page in the browser's storage. Without JavaScript the
same forms work as plain forms. The ``pages`` fixture fails on any CSP violation.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.web.browser.conftest import Pages
from tests.web.browser.walk import log_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def staff(pages: Pages) -> Any:
    """A logged-in staff tab."""
    page = pages.open("/console/login")
    log_in(page)
    return page


def _mark(page: Any) -> None:
    """Leave a marker in the page's window: a navigation would lose it."""
    page.evaluate("window.tutelaMarker = 'kept'")


def _kept(page: Any) -> bool:
    return bool(page.evaluate("window.tutelaMarker === 'kept'"))


def test_ledger_verification_replaces_only_its_outcome(staff: Any) -> None:
    staff.goto("/console/ledger")
    staff.wait_for_function("window.htmx !== undefined")
    _mark(staff)
    staff.get_by_role("button", name="Verify the ledger").click()
    outcome = staff.locator("#verification #ledger-outcome")
    outcome.wait_for()
    assert "ledger" in outcome.inner_text().lower()
    assert _kept(staff) and staff.url.endswith("/console/ledger")
    assert staff.locator("#verification").count() == 1


def test_consent_span_form_updates_the_page_and_its_address_in_place(staff: Any) -> None:
    staff.goto("/console/consent")
    staff.wait_for_function("window.htmx !== undefined")
    _mark(staff)
    staff.get_by_label("Days shown").fill("30")
    staff.get_by_role("button", name="Show").click()
    staff.wait_for_url("**/console/consent?*days=30*")
    staff.get_by_text("over the last 30 days").wait_for()
    assert _kept(staff)
    assert staff.locator("main").count() == 1 and staff.locator("h1").count() == 1


def test_htmx_keeps_no_console_page_in_the_browsers_storage(staff: Any) -> None:
    staff.goto("/console/consent")
    staff.wait_for_function("window.htmx !== undefined")
    staff.get_by_label("Days shown").fill("7")
    staff.get_by_role("button", name="Show").click()
    staff.wait_for_url("**days=7*")
    stored = staff.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert "htmx-history-cache" not in stored and "Consent" not in stored


def test_without_javascript_verification_is_a_plain_form(pages: Pages) -> None:
    page = pages.open("/console/login", java_script_enabled=False)
    log_in(page)
    page.goto("/console/ledger")
    page.get_by_role("button", name="Verify the ledger").click()
    page.wait_for_url("**/console/ledger/verify*")
    assert page.locator("#ledger-outcome").count() == 1
