"""The console's moderation queue: community posts held for Art. 9 data about others (seed §9).

``GET /console/moderation`` lists the held posts, oldest first, :data:`PAGE` a page, with
the classes that held each in words. ``GET /console/moderation/{id}`` shows one post: its
text (unsealed for staff, escaped) with the held spans marked (``<mark>``), its classes and
the decide form. ``POST /console/moderation/{id}/decide`` (the session's CSRF token, a
reason required) allows or removes it through
:meth:`tutela.discovery.moderation_queue.ModerationDesk.decide`, ledgered as
``staff:<login name>``; the text is purged and the page answers 303 to the queue with a
confirmation. Every page needs ``moderation:decide``: held posts are special-category
data about third parties, read only by those who decide them.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from tutela.access.keys import Scope
from tutela.discovery.moderation_queue import (
    DecisionConflict,
    ModerationError,
    ShownPost,
    UnknownPost,
)
from tutela.errors import TutelaError
from tutela.web.console_auth import Session
from tutela.web.console_kit import guarded, page, redirect, services, session_form, staff_session

router = APIRouter(prefix="/console", include_in_schema=False)

PAGE = 25
"""Held posts listed a page."""
DONE = frozenset({"allow", "remove"})
"""The confirmations the queue words after a decision (``?done=``); anything else ignored."""


@dataclass(frozen=True)
class Part:
    """A run of a post's text: held (``kind`` names the class) or not (``kind`` empty)."""

    text: str
    kind: str = ""


@router.get("/moderation")
def queue(request: Request) -> Response:
    """The held posts, oldest first, a page at a time (``?page=``)."""
    session = staff_session(request, Scope.MODERATION_DECIDE)
    if isinstance(session, Response):
        return session
    number = _page_number(request.query_params.get("page", "1"))
    done = request.query_params.get("done", "")
    done = done if done in DONE else ""
    try:
        found = services(request).moderation.queue(PAGE, (number - 1) * PAGE)
    except TutelaError:  # the store cannot be read: say so, show nothing
        found, status = None, 503
    else:
        status = 200
    return page(
        request,
        "console/moderation.html",
        status,
        session=session,
        queue=found,
        number=number,
        done=done,
    )


@router.get("/moderation/{identifier:path}")
def post_page(request: Request, identifier: str) -> Response:
    """One queued post: its text with the held spans marked, its classes, the decide form."""
    session = staff_session(request, Scope.MODERATION_DECIDE)
    if isinstance(session, Response):
        return session
    return _post(request, session, identifier)


@router.post("/moderation/{identifier}/decide")
async def decide(request: Request, identifier: str) -> Response:
    """Allow or remove the held post with a reason; 303 to the queue, or the page saying why."""
    session = await guarded(request, Scope.MODERATION_DECIDE)
    if isinstance(session, Response):
        return session
    form = await session_form(request, session)
    if isinstance(form, Response):
        return form
    decision = form.get("decision", "")
    desk = services(request).moderation
    try:
        await run_in_threadpool(
            desk.decide, identifier, decision, session.staff.actor, form.get("reason", "")
        )
    except UnknownPost:
        return await run_in_threadpool(_post, request, session, identifier)
    except TutelaError as error:
        status = 409 if isinstance(error, DecisionConflict) else _status(error)
        typed = {"decision": decision, "reason": form.get("reason", "")[:1000]}
        return await run_in_threadpool(
            _post, request, session, identifier, str(error), typed, status
        )
    return redirect(f"/console/moderation?done={decision}", request)


def _post(
    request: Request,
    session: Session,
    identifier: str,
    problem: str = "",
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The post's page (404 when there is none), with a refused decision's reason."""
    template = "console/moderation_post.html"
    try:
        shown = services(request).moderation.show(identifier)
    except UnknownPost:
        return page(request, template, 404, session=session, shown=None, unavailable=False)
    except TutelaError:  # the store, or the key that opens the text, fails
        return page(request, template, 503, session=session, shown=None, unavailable=True)
    return page(
        request,
        "console/moderation_post.html",
        status,
        session=session,
        shown=shown,
        parts=marked(shown),
        problem=problem,
        typed=typed or {},
        unavailable=False,
    )


def marked(shown: ShownPost) -> list[Part]:
    """The post's text cut into runs, the held spans (merged where they overlap) marked."""
    text = shown.text
    if text is None:
        return []
    parts: list[Part] = []
    at = 0
    for start, end, kind in _merged(shown.post.spans, len(text)):
        if start > at:
            parts.append(Part(text[at:start]))
        parts.append(Part(text[start:end], kind))
        at = end
    if at < len(text):
        parts.append(Part(text[at:]))
    return parts


def _merged(spans: tuple[tuple[int, int, str], ...], size: int) -> list[tuple[int, int, str]]:
    """Spans within the text, by start, overlapping ones merged (their classes joined)."""
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in sorted(spans):
        start, end = max(0, start), min(size, end)
        if start >= end:
            continue
        if merged and start < merged[-1][1]:
            first, last, kinds = merged[-1]
            joined = kinds if kind in kinds.split() else f"{kinds} {kind}"
            merged[-1] = (first, max(last, end), joined)
        else:
            merged.append((start, end, kind))
    return merged


def _page_number(value: str) -> int:
    """The page asked (``?page=``), 1 when missing or not a number; at most 100,000."""
    return min(int(value), 100_000) if value.isdigit() and 0 < len(value) < 7 and int(value) else 1


def _status(error: TutelaError) -> int:
    """422 for a decision or reason to fix, 503 for a store or key that fails."""
    return 422 if isinstance(error, ModerationError) else 503
