"""The pages walked as a subject or a staff member would, shared by the tests and the screenshots.

Each function drives a Playwright page of a running :class:`~tests.web.browser.server.Site`
through one step (a form filled and sent, a link followed) and returns what the next step
needs. :func:`keyboard_form` fills and sends a form with the keyboard alone (Tab, arrows,
Space, typing, Enter), as someone who uses no mouse does.
"""

from __future__ import annotations

import re
from email.message import Message
from typing import Any
from urllib.parse import urlsplit

from tests.web.browser.server import OFFICER, PASSWORD, Site

FOCUSED = """() => {
  const e = document.activeElement;
  return {tag: e.tagName, type: e.type || '', name: e.name || '', value: e.value || '',
          checked: !!e.checked, text: (e.textContent || '').trim()};
}"""
REQUEST_ID = re.compile(r"/request/([0-9a-f-]{36})")
QUEUE = re.compile(r"/console/(\?.*)?$")


def keyboard_form(page: Any, answers: dict[str, str], button: str, presses: int = 120) -> None:
    """Tab through ``page`` from the top, answer the fields named in ``answers``, press ``button``.

    Text is typed; a select or a radio group is moved with the arrow keys until its value
    is the answer; a checkbox answered ``"on"`` is ticked with Space. Enter on the button
    sends the form. AssertionError when a field or the button is never reached.
    """
    done: set[str] = set()
    for _ in range(presses):
        page.keyboard.press("Tab")
        element = page.evaluate(FOCUSED)
        name = element["name"]
        if name in answers and name not in done:
            _answer(page, element, answers[name])
            done.add(name)
        elif element["tag"] == "BUTTON" and element["text"] == button:
            assert done == set(answers), f"fields never reached: {set(answers) - done}"
            page.keyboard.press("Enter")
            return
    raise AssertionError(f"Tab never reached the button {button!r} (answered: {done})")


def _answer(page: Any, element: dict[str, Any], answer: str) -> None:
    kind = element["type"]
    if element["tag"] == "SELECT" or kind == "radio":
        for _ in range(300):
            element = page.evaluate(FOCUSED)
            if element["value"] == answer:
                break
            page.keyboard.press("ArrowDown")
        assert element["value"] == answer, f"{element['name']} never reached {answer!r}"
        if kind == "radio" and not element["checked"]:
            page.keyboard.press("Space")
    elif kind == "checkbox":
        if (answer == "on") != element["checked"]:
            page.keyboard.press("Space")
    else:
        page.keyboard.type(answer)


def reject_cookies(page: Any, keyboard: bool = False) -> None:
    """Answer the cookie banner of a first visit with "Reject all" (Tab and Enter if ``keyboard``).

    The banner is a modal dialog that holds the focus until answered (CK-2); its choice
    is kept in the browser's cookie, so later pages open without it. A page without the
    banner's script (the console's) is left as it is. Returns once tutela has recorded the
    choice (the banner's POST answered), so counts read afterwards include it.
    """
    if page.locator("script[src$='/banner.js']").count() == 0:
        return
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    reject = "document.activeElement.dataset.action === 'reject'"
    if keyboard:
        for _ in range(40):
            if page.evaluate(reject):
                break
            page.keyboard.press("Tab")
        assert page.evaluate(reject), "Tab never reached the banner's Reject all"
    with page.expect_response(_banner_choice):
        if keyboard:
            page.keyboard.press("Enter")
        else:
            dialog.locator("[data-action=reject]").click()
    dialog.wait_for(state="detached")


def _banner_choice(response: Any) -> bool:
    """Whether ``response`` answers the banner's choice (``POST /api/v1/consent/banner``)."""
    path = urlsplit(response.url).path
    return bool(response.request.method == "POST" and path == "/api/v1/consent/banner")


def submit_request(
    page: Any, email: str, kind: str = "access", residence: str = "BE", *, banner: bool = False
) -> str:
    """Choose ``kind`` on /request and send its form, with the keyboard alone; the request id.

    ``banner``: the cookie banner is still to be answered (with the keyboard too). The page
    ends on the code step (``/request/{id}/code``).
    """
    page.goto("/request")
    if banner:
        reject_cookies(page, keyboard=True)
    keyboard_form(page, {"type": kind}, "Continue")
    page.wait_for_url(f"**/request?*type={kind}*")
    keyboard_form(page, {"email": email, "residence": residence}, "Send request")
    page.wait_for_url("**/request/*/code*")
    found = REQUEST_ID.search(page.url)
    assert found is not None, page.url
    return found.group(1)


def verify(page: Any, site: Site, email: str, request_id: str) -> None:
    """Type the code mailed to ``email`` on the code step; the page ends on the status."""
    code = site.inbox.code_for(email)
    keyboard_form(page, {"code": code}, "Confirm")
    page.wait_for_url(f"**/request/{request_id}*")
    page.locator("#request-state").wait_for()


def log_in(page: Any, name: str = OFFICER, password: str = PASSWORD) -> None:
    """Log ``name`` in on the console's login form; the page ends on the queue."""
    page.goto("/console/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(QUEUE)


def open_from_queue(page: Any, request_id: str) -> None:
    """Follow the queue's link to the request ``request_id``; the page ends on it."""
    page.goto("/console/")
    page.locator(f"a[href^='/console/requests/{request_id}']").first.click()
    page.wait_for_url(f"**/console/requests/{request_id}*")


def decide(page: Any, button: str) -> str:
    """Press the action ``button`` (Approve, Deny...) on a request's page; the state after."""
    with page.expect_navigation():
        page.get_by_role("button", name=button, exact=True).click()
    return str(page.locator("#request-state").inner_text())


def ask_preferences_link(page: Any, site: Site, email: str) -> str:
    """Ask /preferences for a link for ``email``; the link, as mailed."""
    page.goto("/preferences")
    page.get_by_label("Your e-mail address").fill(email)
    with page.expect_navigation():
        page.get_by_role("button", name="Send me a link").click()
    return mailed_link(site, email, "/preferences/manage")


def mailed_link(site: Site, email: str, path: str) -> str:
    """The last link to ``path`` on the site in the mail to ``email``."""
    pattern = re.compile(re.escape(site.url(path)) + r"[^\s\"'<>]*")
    for message in reversed(site.inbox.to(email)):
        found = pattern.findall(text_of(message))
        if found:
            return str(found[-1])
    raise AssertionError(f"no link to {path} was mailed to the subject")


def text_of(message: Message) -> str:
    """The text of every part of ``message``."""
    texts = []
    for part in message.walk():
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            texts.append(payload.decode(part.get_content_charset() or "utf-8", "replace"))
    return "\n".join(texts)


def complain(page: Any, email: str, about: str = "marketing") -> str:
    """Send the /complaint form; the complaint's id (the page ends on its acknowledgement)."""
    page.goto("/complaint")
    page.get_by_label("What is it about?").select_option(about)
    page.get_by_label("What happened?").fill("I keep receiving newsletters I never asked for.")
    page.get_by_label("Your e-mail address, for our answer").fill(email)
    page.get_by_label("Where you live").select_option("BE")
    page.get_by_role("button", name="Send complaint").click()
    page.locator("#reference").wait_for()
    found = REQUEST_ID.search(page.url)
    assert found is not None, page.url
    return found.group(1)
