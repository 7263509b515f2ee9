"""The pending notice of a material change of the statement, public (NT-1; seed §13).

``GET /api/v1/notice`` answers what the privacy centre and the banner show until the
announced version takes effect: its version, effective time, the material changes and
the statement's address; 204 when nothing is pending. It needs no key: it is the
controller's public notice, holding nothing about any subject.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from tutela.api.problems import responses

router = APIRouter(prefix="/api/v1", tags=["consent"], responses=responses())


class NoticeDocument(BaseModel):
    """The announced version, when it takes effect, what changes and where to read it."""

    version: str
    effective_at: str
    summary: list[str]
    purposes: list[str]
    url: str | None


@router.get(
    "/notice",
    response_model=NoticeDocument,
    responses={204: {"description": "No change of the statement is pending."}},
)
def notice(request: Request) -> Any:
    """The pending announcement until its effective time; 204 when there is none."""
    found = request.app.state.notice.current()
    if found is None:
        return Response(status_code=204)
    return found
