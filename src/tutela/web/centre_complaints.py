"""The privacy centre's complaint form (seed §14; GDPR Art. 77; CP-1).

``GET /complaint`` shows the form (what it is about, the subject's own words, the
e-mail address for the answer, the country) and, before anything is sent, the
supervisory authorities the programme names: a subject may complain to one at any time.
``POST /complaint`` records a request of type ``complaint`` through
``SubjectDesk.submit`` (no code step: a complaint needs no identity check), keeps the
subject's words sealed with the identity (personal data: purged with it when the
complaint ends; the request row holds none), and goes to the acknowledgement at
``/request/{id}``: the reference, the date it will be answered by, the authorities.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from tutela.access.limits import Throttled
from tutela.errors import TutelaError
from tutela.i18n import language
from tutela.requests.types import RequestType
from tutela.web.centre_choices import authorities, residence_choices
from tutela.web.centre_forms import LONGEST_WORDS, TOPICS, checked_complaint, source
from tutela.web.centre_kit import (
    checked_form,
    csrf_token,
    keep_status_token,
    refused,
    set_csrf,
    throttled,
    wait_minutes,
)
from tutela.web.console_kit import page, programme, redirect, services
from tutela.web.pages import negotiate_language

if TYPE_CHECKING:
    from collections.abc import Mapping


router = APIRouter(include_in_schema=False)


@router.get("/complaint")
def complaint_form(request: Request) -> Response:
    """The complaint form, with the supervisory authorities the programme names (CP-1)."""
    return _form_page(request)


@router.post("/complaint")
async def submit_complaint(request: Request) -> Response:
    """Record the complaint, keep its words sealed, go to its acknowledgement."""
    form = await checked_form(request)
    if isinstance(form, str):
        return refused(request, 413 if form == "too_large" else 403, form, back="/complaint")
    checked, about, words = checked_complaint(form)
    if checked.errors:
        return _form_page(request, form, checked.errors, 400)
    desk = services(request).subjects
    submit = partial(
        desk.submit,
        RequestType.COMPLAINT.value,
        checked.identity,
        residence=checked.residence,
        changes={"about": about, "complaint": words},
        source=source(request),
        lang=negotiate_language(request, programme(request)),
    )
    try:
        done = await run_in_threadpool(submit)
    except Throttled as error:
        shown = _form_page(request, form, {"form": "throttled"}, 429, error.retry_after)
        return throttled(shown, error.retry_after)
    except TutelaError:
        return refused(request, 503, "unavailable", back="/complaint")
    response = redirect(f"/request/{done.request.id}", request)
    keep_status_token(request, response, done.request.id, done.token)
    return response


def _form_page(
    request: Request,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    status: int = 200,
    wait: int = 0,
) -> Response:
    """The complaint form with what was typed (escaped) and the errors by field."""
    chosen = programme(request)
    lang = negotiate_language(request, chosen)
    countries, states = residence_choices(lang)
    with language(lang):
        named = authorities(chosen)
    token = csrf_token(request)
    shown = page(
        request,
        "centre/complaint_form.html",
        status,
        topics=TOPICS,
        longest=LONGEST_WORDS,
        countries=countries,
        states=states,
        authorities=named,
        values=dict(values or {}),
        errors=dict(errors or {}),
        wait=wait_minutes(wait) if wait else 0,
        csrf=token,
    )
    return set_csrf(request, shown, token)
