"""Moderation of community posts over the API (seed §9): screen, the queue, staff decisions.

``POST /api/v1/moderation`` (``moderation:write``) holds or allows a post; a held post is
queued. ``GET /api/v1/staff/moderation`` and ``GET /api/v1/staff/moderation/{id}``
(``moderation:decide``) list the held posts and show one with its text;
``POST /api/v1/staff/moderation/{id}/decide`` allows or removes it, ledgered with the actor
``staff:<key name>`` (:mod:`tutela.discovery.moderation_queue`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tutela.access.keys import Scope
from tutela.access.service import Staff
from tutela.api.auth import needs
from tutela.api.models import UUID_PATTERN, Body, Lang, Reason
from tutela.api.problems import responses
from tutela.api.services import Services, services
from tutela.discovery.moderation_queue import LONGEST_POST_ID, LONGEST_TEXT, ShownPost
from tutela.ports import HeldPost

router = APIRouter(tags=["moderation"], responses=responses())
Given = Annotated[Services, Depends(services)]
Screener = Annotated[Staff, Depends(needs(Scope.MODERATION_WRITE))]
Decider = Annotated[Staff, Depends(needs(Scope.MODERATION_DECIDE))]
QueueId = Annotated[str, Path(pattern=UUID_PATTERN, description="The post's queue id.")]


class PostBody(Body):
    """A post or comment to screen: the platform's id, its text and language (None: guessed)."""

    id: Annotated[str, StringConstraints(min_length=1, max_length=LONGEST_POST_ID)]
    text: Annotated[str, StringConstraints(min_length=1, max_length=LONGEST_TEXT)]
    lang: Lang | None = None


class DecideBody(Body):
    """Staff's decision on a held post, with its reason (kept in the queue, not the ledger)."""

    decision: Literal["allow", "remove"]
    reason: Reason


class SpanDocument(BaseModel):
    """``text[start:end]`` reveals ``class`` (an Art. 9 class or ``contact_data``)."""

    model_config = ConfigDict(populate_by_name=True)

    start: int
    end: int
    kind: str = Field(alias="class")


class ScreeningDocument(BaseModel):
    """Hold or allow, the classes and spans found, and the queue id of a held post."""

    id: str
    hold: bool
    classes: list[str]
    spans: list[SpanDocument]
    queue_id: str | None


class HeldDocument(BaseModel):
    """A queued post: never its text, only offsets, classes, the text's digest and decision."""

    id: str
    post: str
    received_at: datetime
    lang: str
    classes: list[str]
    spans: list[SpanDocument]
    digest: str
    status: Literal["held", "allowed", "removed"]
    decided_at: datetime | None
    decided_by: str | None
    reason: str | None

    @classmethod
    def of(cls, post: HeldPost) -> HeldDocument:
        """The document of ``post``."""
        spans = [SpanDocument(start=s, end=e, kind=k) for s, e, k in post.spans]
        return cls(
            id=post.id,
            post=post.post,
            received_at=post.received_at,
            lang=post.lang,
            classes=list(post.classes),
            spans=spans,
            digest=post.digest,
            status=post.status,
            decided_at=post.decided_at,
            decided_by=post.decided_by,
            reason=post.reason,
        )


class ShownDocument(HeldDocument):
    """A queued post with its text while it is held (null once decided: purged)."""

    text: str | None

    @classmethod
    def shown(cls, found: ShownPost) -> ShownDocument:
        """The document of a post shown to staff."""
        return cls(**HeldDocument.of(found.post).model_dump(), text=found.text)


class QueueDocument(BaseModel):
    """A page of the held posts, oldest first."""

    total: int
    limit: int
    offset: int
    items: list[HeldDocument]


@router.post("/api/v1/moderation", summary="Screen a post: hold or allow")
def screen(body: PostBody, staff: Screener, given: Given) -> ScreeningDocument:
    """Hold a post revealing special-category data (Art. 9) about others, or allow it.

    A held post is queued for staff (its text sealed) and ``queue_id`` names it; an
    allowed post is not stored at all (``queue_id`` null).
    """
    found = given.moderation.screen(body.id, body.text, body.lang, actor=staff.actor)
    spans = [SpanDocument(start=s.start, end=s.end, kind=s.kind) for s in found.verdict.spans]
    return ScreeningDocument(
        id=body.id,
        hold=found.verdict.hold,
        classes=list(found.verdict.classes),
        spans=spans,
        queue_id=found.queue_id,
    )


@router.get("/api/v1/staff/moderation", summary="The held posts, oldest first")
def queue(
    staff: Decider,
    given: Given,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> QueueDocument:
    """The posts waiting for a decision, oldest first, without their text."""
    page = given.moderation.queue(limit, offset)
    items = [HeldDocument.of(post) for post in page.posts]
    return QueueDocument(total=page.total, limit=page.limit, offset=page.offset, items=items)


@router.get("/api/v1/staff/moderation/{id}", summary="One queued post, with its text")
def show(id: QueueId, staff: Decider, given: Given) -> ShownDocument:
    """The queued post with its text while held (null once decided: the text is purged)."""
    return ShownDocument.shown(given.moderation.show(id))


@router.post("/api/v1/staff/moderation/{id}/decide", summary="Allow or remove a held post")
def decide(id: QueueId, body: DecideBody, staff: Decider, given: Given) -> HeldDocument:
    """Allow or remove the held post; its text is purged and the decision ledgered.

    The same decision again changes nothing; another decision is 409 (a decision is final).
    """
    decided = given.moderation.decide(id, body.decision, staff.actor, body.reason)
    return HeldDocument.of(decided)
