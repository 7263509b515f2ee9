"""The privacy centre's request pages: the form, the e-mail code step, the status page.

``GET /request`` lists the request types the programme offers; ``GET /request?type=T``
is the form for one type (e-mail, the other identities the programme declares, the
place of residence that picks the regime, the detail the type needs). ``POST /request``
submits through ``SubjectDesk.submit`` (rate-limited per identity and address, ID-2) and
keeps the status token in a cookie scoped to ``/request/{id}``, never in a URL. The code
step (ID-1) and the status page (the state in words, the deadline, the download once
answered, AC-5; withdrawal) read that cookie. The complaint form (CP-1) lives in
:mod:`tutela.web.centre_complaints`; its routes are served by this module's router.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from tutela.access.limits import Throttled
from tutela.access.subjects import CodeRefused, TokenError
from tutela.errors import TutelaError
from tutela.i18n import language
from tutela.requests.intake_batch import FieldRefused
from tutela.requests.states import State
from tutela.requests.types import TYPES, request_type
from tutela.requests.verification import RateLimited
from tutela.web import centre_complaints
from tutela.web.centre_choices import detail_field, offered_types, residence_choices
from tutela.web.centre_forms import checked_request, identity_fields, source
from tutela.web.centre_kit import (
    STATUS_COOKIE,
    authorised,
    cannot_show,
    checked_form,
    csrf_token,
    keep_status_token,
    prefers_html,
    refused,
    set_csrf,
    throttled,
    wait_minutes,
)
from tutela.web.centre_status import status_view
from tutela.web.console_kit import page, programme, redirect, services
from tutela.web.pages import negotiate_language

if TYPE_CHECKING:
    from collections.abc import Mapping

router = APIRouter(include_in_schema=False)
_REFUSED = {
    "type": ("type", "type"),
    "residence": ("residence", "residence_regime"),
    "identity": ("email", "email"),
    "details": ("details", "details_choice"),
}
"""The form field and error of a refusal by ``SubjectDesk.submit`` (``FieldRefused.field``)."""


@router.get("/request")
def request_form(request: Request) -> Response:
    """Step 1, the request types; with ``?type=`` one of them, step 2, the form for it."""
    kind = request.query_params.get("type", "")
    if kind not in {t.value for t in offered_types(programme(request))}:
        return _choose_page(request, 400 if kind else 200)
    return _form_page(request, kind)


@router.post("/request")
async def submit_request(request: Request) -> Response:
    """Check the form, submit the request, keep its token in a cookie, go to the code step."""
    form = await checked_form(request)
    if isinstance(form, str):
        return refused(request, 413 if form == "too_large" else 403, form, back="/request")
    kind = form.get("type", "")
    if kind not in {t.value for t in offered_types(programme(request))}:
        return _choose_page(request, 400)
    checked = checked_request(programme(request), kind, form)
    if checked.errors:
        return _form_page(request, kind, form, checked.errors, 400)
    submit = partial(
        services(request).subjects.submit,
        kind,
        checked.identity,
        residence=checked.residence,
        details=checked.details,
        source=source(request),
        lang=negotiate_language(request, programme(request)),
    )
    try:
        done = await run_in_threadpool(submit)
    except Throttled as error:
        shown = _form_page(request, kind, form, {"form": "throttled"}, 429, wait=error.retry_after)
        return throttled(shown, error.retry_after)
    except FieldRefused as error:
        name, code = _REFUSED.get(error.field, ("form", "form"))
        return _form_page(request, kind, form, {name: code}, 400)
    except TutelaError:
        return refused(request, 503, "unavailable", back="/request")
    step = "/code" if done.code_sent else ""
    response = redirect(f"/request/{done.request.id}{step}", request)
    keep_status_token(request, response, done.request.id, done.token)
    return response


@router.get("/request/{identifier}")
def status_page(request: Request, identifier: str) -> Response:
    """Where the request stands, in words; the download once answered; withdraw."""
    checked = authorised(request, identifier)
    if isinstance(checked, Response):
        return checked
    view = status_view(request, checked)
    if view is None:
        return cannot_show(request, 404)
    template = (
        "centre/complaint_received.html" if view.is_complaint else "centre/request_status.html"
    )
    token = csrf_token(request)
    return set_csrf(request, page(request, template, view=view, csrf=token), token)


@router.get("/request/{identifier}/code")
def code_page(request: Request, identifier: str) -> Response:
    """The code step: type the code mailed to the address given, or ask a new one."""
    checked = authorised(request, identifier)
    if isinstance(checked, Response):
        return checked
    return _code_page(request, checked, sent=request.query_params.get("sent") == "1")


@router.post("/request/{identifier}/code")
async def verify(request: Request, identifier: str) -> Response:
    """Check the code typed (ID-1); a wrong one says how many attempts are left."""
    posted = await _posted(request, identifier)
    if isinstance(posted, Response):
        return posted
    form, checked = posted
    code = form.get("code", "").strip().replace(" ", "")
    if not (code.isascii() and code.isdigit() and 6 <= len(code) <= 8):
        return await run_in_threadpool(
            partial(_code_page, request, checked, error="code_format", status=400)
        )
    desk = services(request).subjects
    try:
        await run_in_threadpool(desk.verify, checked, request.cookies.get(STATUS_COOKIE), code)
    except CodeRefused as refusal:
        error = "code_wrong" if refusal.attempts_left > 0 else "code_locked"
        left = refusal.attempts_left
        shown = partial(_code_page, request, checked, error=error, left=left, status=422)
        return await run_in_threadpool(shown)
    except TutelaError:  # no longer awaiting a code: the status page says where it stands
        return redirect(f"/request/{checked}", request)
    return redirect(f"/request/{checked}", request)


@router.post("/request/{identifier}/code/new")
async def new_code(request: Request, identifier: str) -> Response:
    """Mail a new code (rate-limited: the wait is said in words, with ``Retry-After``)."""
    posted = await _posted(request, identifier)
    if isinstance(posted, Response):
        return posted
    checked = posted[1]
    send = partial(
        services(request).subjects.send_code,
        checked,
        request.cookies.get(STATUS_COOKIE),
        source=source(request),
        lang=negotiate_language(request, programme(request)),
    )
    try:
        await run_in_threadpool(send)
    except RateLimited as error:
        wait = error.retry_after
        shown = partial(_code_page, request, checked, error="code_throttled", status=429, wait=wait)
        return throttled(await run_in_threadpool(shown), wait)
    except TutelaError:
        not_sent = partial(_code_page, request, checked, error="code_not_sent", status=409)
        return await run_in_threadpool(not_sent)
    return redirect(f"/request/{checked}/code?sent=1", request)


@router.post("/request/{identifier}/withdraw")
async def withdraw(request: Request, identifier: str) -> Response:
    """Withdraw the request while it is open; then back to its status page."""
    posted = await _posted(request, identifier)
    if isinstance(posted, Response):
        return posted
    checked = posted[1]
    desk = services(request).subjects
    try:
        await run_in_threadpool(desk.withdraw, checked, request.cookies.get(STATUS_COOKIE))
    except TutelaError:
        return refused(request, 409, "not_withdrawable", back=f"/request/{checked}")
    return redirect(f"/request/{checked}", request)


def mailed_status(request: Request, identifier: str, token: str | None) -> Response | None:
    """The mailed status link opened by a browser: the token moves to a cookie, 303 to the page.

    None when the client prefers JSON (an API client keeps its document). A link with a
    wrong token gets the "cannot show" page and sets no cookie.
    """
    if not prefers_html(request.headers.get("accept", "")):
        return None
    try:
        checked = services(request).subjects.check_token(identifier, token)
    except TokenError:
        return cannot_show(request, 403)
    response = redirect(f"/request/{checked}", request)
    keep_status_token(request, response, checked, str(token))
    return response


async def _posted(request: Request, identifier: str) -> tuple[dict[str, str], str] | Response:
    """The form posted on a request and its id, when the CSRF token and status cookie fit."""
    form = await checked_form(request)
    if isinstance(form, str):
        return refused(request, 413 if form == "too_large" else 403, form)
    checked = authorised(request, identifier)
    if isinstance(checked, Response):
        return checked
    return form, checked


def _choose_page(request: Request, status: int = 200) -> Response:
    chosen = programme(request)
    with language(negotiate_language(request, chosen)):
        types = offered_types(chosen)
    return page(request, "centre/request_choose.html", status, types=types, error=status != 200)


def _form_page(
    request: Request,
    kind: str,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
    wait: int = 0,
) -> Response:
    """The form for ``kind`` with what was typed (escaped) and the errors by field."""
    chosen = programme(request)
    lang = negotiate_language(request, chosen)
    countries, states = residence_choices(lang)
    with language(lang):
        (offered,) = [t for t in offered_types(chosen) if t.value == kind]
        detail = detail_field(chosen, kind)
    token = csrf_token(request)
    shown = page(
        request,
        "centre/request_form.html",
        status,
        kind=offered,
        detail=detail,
        identities=identity_fields(chosen),
        countries=countries,
        states=states,
        values=dict(values or {}),
        errors=dict(errors or {}),
        wait=wait_minutes(wait) if wait else 0,
        csrf=token,
    )
    return set_csrf(request, shown, token)


def _code_page(
    request: Request,
    identifier: str,
    *,
    error: str = "",
    left: int = 0,
    status: int = 200,
    wait: int = 0,
    sent: bool = False,
) -> Response:
    """The code step of ``identifier``; any other state goes to the status page."""
    record = services(request).requests.show(identifier)
    awaiting = record.state == State.AWAITING_IDENTITY
    can_send = record.state == State.RECEIVED and TYPES[request_type(record.type)].identity_step
    if not (awaiting or can_send):
        return redirect(f"/request/{identifier}", request)
    token = csrf_token(request)
    shown = page(
        request,
        "centre/request_code.html",
        status,
        request_id=identifier,
        awaiting=awaiting,
        error=error,
        left=left,
        wait=wait_minutes(wait) if wait else 0,
        sent=sent,
        csrf=token,
    )
    return set_csrf(request, shown, token)


router.include_router(centre_complaints.router)
