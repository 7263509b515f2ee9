"""The decision point over HTTP: may this subject's data be used for this purpose, and why.

Both routes need the ``decisions:read`` scope and answer from the application's
:class:`~tutela.consent.point.DecisionPoint`, kept current from the store (CO-3).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request, Response
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from tutela.access.keys import Scope
from tutela.access.service import Staff
from tutela.api.auth import needs
from tutela.api.models import Body, Name, Value
from tutela.api.problems import responses
from tutela.consent.decisions import Decision
from tutela.consent.point import DecisionPoint

MAX_DECISIONS = 1000
router = APIRouter(prefix="/api/v1/decisions", tags=["decisions"], responses=responses())
Reader = Annotated[Staff, Depends(needs(Scope.DECISIONS_READ))]
PurposeKey = Annotated[str, StringConstraints(min_length=1, max_length=64)]


async def decision_point(request: Request) -> DecisionPoint:
    """The decision point of the app serving ``request`` (no I/O: on the event loop)."""
    found = request.app.state.decisions
    assert isinstance(found, DecisionPoint)
    return found


Point = Annotated[DecisionPoint, Depends(decision_point)]


class DecisionBody(Body):
    """Whom (an identity; the first name counts), which purpose, and when (default now)."""

    identity: dict[Name, Value] = Field(min_length=1, max_length=8)
    purpose: PurposeKey
    at: AwareDatetime | None = None


class BatchBody(Body):
    """Up to 1,000 decisions asked at once."""

    items: list[DecisionBody] = Field(min_length=1, max_length=MAX_DECISIONS)


class DecisionDocument(BaseModel):
    """The answer: allow or deny, every reason, the purpose and its legal basis."""

    decision: Literal["allow", "deny"]
    reasons: list[str]
    purpose: str
    basis: str | None

    @classmethod
    def of(cls, purpose: str, found: Decision) -> DecisionDocument:
        """The document of ``found``, the decision for ``purpose``."""
        verdict: Literal["allow", "deny"] = "allow" if found.allow else "deny"
        reasons = list(found.reasons)
        return cls(decision=verdict, reasons=reasons, purpose=purpose, basis=found.basis or None)


def _item(body: DecisionBody) -> tuple[dict[str, str], str, datetime | None]:
    return body.identity, body.purpose, body.at


@router.post("", response_model=DecisionDocument)
async def decide(body: DecisionBody, staff: Reader, point: Point) -> Response:
    """Whether the subject's data may be used for the purpose at ``at``, and why."""
    found = point.decide(body.identity, body.purpose, body.at)
    return Response(_document(body.purpose, found), media_type=JSON)


@router.post("/batch", response_model=list[DecisionDocument])
async def decide_many(body: BatchBody, staff: Reader, point: Point) -> Response:
    """Up to 1,000 decisions, in the order asked, from one state of the store."""
    found = point.decide_many(_item(item) for item in body.items)
    parts = [_document(i.purpose, d) for i, d in zip(body.items, found, strict=True)]
    return Response(b"[" + b",".join(parts) + b"]", media_type=JSON)


JSON = "application/json"
_written: dict[tuple[str, int], tuple[Decision, bytes]] = {}


def _document(purpose: str, found: Decision) -> bytes:
    """The JSON of :class:`DecisionDocument` for ``found``, written once per decision.

    Decisions are shared immutable objects (a few hundred per purpose), so each is
    written once; the cache keeps the decision itself, so a reused ``id`` never matches.
    """
    key = (purpose, id(found))
    known = _written.get(key)
    if known is not None and known[0] is found:
        return known[1]
    text = DecisionDocument.of(purpose, found).model_dump_json().encode()
    if len(_written) > 100_000:
        _written.clear()
    _written[key] = (found, text)
    return text
