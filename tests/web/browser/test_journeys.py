"""The journeys of the pages in Chromium, on the Cloudockit example served on loopback.

A subject asks for access on ``/request`` with the keyboard alone and types the code read
from the SMTP server (ID-1); staff log in and approve it in the console; the worker's step
answers it and the subject downloads the answer from the status page (AC-1, AC-5). A
subject withdraws marketing consent on the preferences page and the console's statistics
count it (CO-3); a complaint appears in the console (CP-1); a French-speaking browser gets
French pages. No page may break the Content-Security-Policy (the ``pages`` fixture).

The request's life runs once per module, step by step, in module fixtures: each test
asserts what one step shows, and any test may run alone (its fixtures run the steps before).
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from tests.web.browser.conftest import Pages
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


@pytest.fixture(scope="module")
def subject(pages: Pages) -> Any:
    """The subject's browser tab (its cookies keep the request's status key); a first visit."""
    return pages.open("/request", banner=True)


@pytest.fixture(scope="module")
def staff(pages: Pages) -> Any:
    """A privacy officer's tab, logged in to the console."""
    page = pages.open("/console/login")
    log_in(page)
    return page


@pytest.fixture(scope="module")
def verified(subject: Any, site: Site) -> str:
    """The id of an access request submitted with the keyboard and verified by its code."""
    request_id = submit_request(subject, site.subject, banner=True)
    verify(subject, site, site.subject, request_id)
    return request_id


@pytest.fixture(scope="module")
def approved(verified: str, staff: Any) -> str:
    """The verified request, approved by staff on its console page."""
    open_from_queue(staff, verified)
    decide(staff, "Approve")
    return verified


@pytest.fixture(scope="module")
def answered(approved: str, site: Site) -> str:
    """The approved request, answered by the worker's step."""
    assert site.run_worker() == 1
    return approved


def test_id_1_a_subject_asks_for_access_with_the_keyboard_and_confirms_the_mailed_code(
    verified: str, subject: Any, site: Site
) -> None:
    state = subject.locator("#request-state")
    assert state.get_attribute("data-state") == "verified"
    assert site.application.request_service().show(verified).state == "verified"
    assert len(site.inbox.to(site.subject)) == 1  # one code, to the address given
    code = site.inbox.code_for(site.subject)
    assert code not in subject.url and site.subject not in subject.url
    assert site.subject not in subject.content()  # the status page names no identity
    assert subject.locator("h1").count() == 1


def test_staff_log_in_and_approve_the_request_on_its_console_page(
    approved: str, staff: Any, site: Site
) -> None:
    assert staff.url.split("?")[0].endswith(f"/console/requests/{approved}")
    assert "in progress" in staff.locator("#request-state").inner_text().lower()
    approval = staff.locator("#timeline tbody tr").last  # the ledger's latest entry
    assert approval.locator("td code").first.inner_text() == "staff:officer"
    assert site.application.request_service().show(approved).state == "in_progress"
    assert staff.get_by_role("button", name="Approve", exact=True).count() == 0


def test_ac_1_ac_5_the_subject_downloads_the_answer_from_the_status_page(
    answered: str, subject: Any, site: Site, tmp_path: Path
) -> None:
    subject.goto(f"/request/{answered}")
    assert subject.locator("#request-state").get_attribute("data-state") == "completed"
    with subject.expect_download() as started:
        subject.locator("#download").click()
    saved = tmp_path / "answer"
    started.value.save_as(saved)
    content = saved.read_bytes()
    assert content.startswith(b"PK\x03\x04"), content[:80]  # a ZIP: the subject has data
    package = zipfile.ZipFile(BytesIO(content))
    assert "data.json" in package.namelist(), package.namelist()
    assert site.subject.encode() in package.read("data.json")  # the data found is theirs


def _withdrawn(staff: Any, purpose: str) -> int:
    """The withdrawals the console's consent table counts for ``purpose``, all periods."""
    staff.goto("/console/consent")
    cells = staff.locator(f"#consent-table tr[data-purpose='{purpose}'] td.withdrawn")
    return sum(int(text.strip() or 0) for text in cells.all_inner_texts())


def test_co_3_a_subject_withdraws_marketing_consent_and_the_console_counts_it(
    pages: Pages, staff: Any, site: Site
) -> None:
    email = "marketing.subject@example.test"
    site.give_consent(email, MARKETING)
    page = pages.open("/preferences")  # its cookie banner's "Reject all" is counted too
    before = _withdrawn(staff, MARKETING)
    page.goto(ask_preferences_link(page, site, email))
    choice = page.locator(f"#purpose-{MARKETING}")
    assert "Consent given" in choice.locator(".choice-state").inner_text()
    with page.expect_navigation():
        choice.get_by_role("button", name="Withdraw consent").click()
    choice = page.locator(f"#purpose-{MARKETING}")
    assert "Consent withdrawn" in choice.locator(".choice-state").inner_text()
    assert choice.get_by_role("button", name="Give consent").count() == 1  # as easy back
    assert "token=" not in page.url  # the link's token is not kept in the history
    assert _withdrawn(staff, MARKETING) == before + 1


def test_cp_1_a_complaint_sent_on_the_centre_appears_in_the_console(
    pages: Pages, staff: Any
) -> None:
    page = pages.open("/complaint")
    complaint = complain(page, "unhappy.subject@example.test")
    reference = page.locator("#reference").inner_text()
    assert complaint[:8] in reference and page.locator("#request-state").count() == 1
    assert (
        page.get_by_role("heading", name="You can also go to a supervisory authority").count() == 1
    )
    assert "unhappy.subject@example.test" not in page.content()
    staff.goto("/console/complaints")
    staff.locator(f"a[href^='/console/requests/{complaint}']").click()
    staff.wait_for_url(f"**/console/requests/{complaint}*")
    assert "unhappy.subject@example.test" not in staff.content()  # no identity in the console


def test_a_french_speaking_subject_gets_the_pages_in_french(pages: Pages) -> None:
    page = pages.open("/request", locale="fr-FR")
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Déclaration de confidentialité" in page.locator("h1").inner_text()
    assert page.locator("a.skip-link").inner_text().strip() == "Aller au contenu principal"
    for path in ("/request", "/preferences", "/complaint", "/console/login"):
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == "fr", path
        current = page.locator("nav.languages a[aria-current='true']")
        assert current.get_attribute("hreflang") == "fr", path
