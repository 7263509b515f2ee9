"""Subjects' routes: open, rate-limited, and authorised by the request's status token.

``POST /api/v1/requests`` submits and returns the ``status_token`` the other routes take
in ``X-Status-Token`` or as ``?token=`` (the acknowledgement of a mailed request links to
``/requests/{id}/status?token=``); ``download`` takes the answer's signed link token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from tutela.api.auth import StatusToken, client_address
from tutela.api.models import (
    UUID_PATTERN,
    CodeBody,
    RecipientDocument,
    RequestDocument,
    StatusDocument,
    SubmitBody,
    SubmittedDocument,
    VerifyBody,
)
from tutela.api.problems import responses
from tutela.api.services import Services, services
from tutela.web.centre_requests import mailed_status

router = APIRouter(prefix="/api/v1/requests", tags=["subjects"], responses=responses())
Given = Annotated[Services, Depends(services)]
RequestId = Annotated[str, Path(pattern=UUID_PATTERN, description="The request's id.")]
LinkToken = Annotated[str, Query(max_length=200, description="The download link's token.")]


@router.post("", status_code=201)
def submit(body: SubmitBody, request: Request, given: Given) -> SubmittedDocument:
    """Submit a request; mails the first code when the type needs one (ID-1)."""
    done = given.subjects.submit(
        body.type.value,
        body.identity,
        residence=body.residence,
        details=body.details,
        source=client_address(request),
        lang=body.lang,
    )
    return SubmittedDocument.of(done.request, status_token=done.token, code_sent=done.code_sent)


@router.post("/{id}/code")
def send_code(
    id: RequestId, body: CodeBody, request: Request, given: Given, token: StatusToken
) -> RequestDocument:
    """Mail a new code to the address on file (rate-limited, Retry-After on 429)."""
    sent = given.subjects.send_code(id, token, source=client_address(request), lang=body.lang)
    return RequestDocument.of(sent.request)


@router.post("/{id}/verify")
def verify(id: RequestId, body: VerifyBody, given: Given, token: StatusToken) -> RequestDocument:
    """Verify the subject with the code mailed (ID-1); 422 says how many attempts are left."""
    return RequestDocument.of(given.subjects.verify(id, token, body.code))


@router.get("/{id}/status")
def status(id: RequestId, given: Given, token: StatusToken) -> StatusDocument:
    """Where the request stands; once answered, the signed download link and its expiry."""
    found = given.subjects.status(id, token)
    return StatusDocument.of(
        found.request, download_url=found.link, download_expires_at=found.link_expires_at
    )


@router.post("/{id}/withdraw")
def withdraw(id: RequestId, given: Given, token: StatusToken) -> RequestDocument:
    """Withdraw the request."""
    return RequestDocument.of(given.subjects.withdraw(id, token))


@router.get("/{id}/recipients")
def recipients(id: RequestId, given: Given, token: StatusToken) -> list[RecipientDocument]:
    """The recipients told of the request's outcome (Art. 19, NR-1)."""
    return [RecipientDocument.of(n) for n in given.subjects.recipients(id, token)]


@router.get(
    "/{id}/download",
    response_class=Response,
    responses={
        200: {
            "description": "The answer: a ZIP package or an HTML letter.",
            "content": {"application/zip": {}, "text/html": {}},
        }
    },
)
def download(id: RequestId, token: LinkToken, given: Given) -> Response:
    """The answer behind the signed link (AC-5: one request, until it expires); ledgered."""
    answer, body = given.subjects.download(id, token)
    headers = {"Content-Disposition": f'attachment; filename="{answer.filename}"'}
    return Response(body, media_type=answer.media_type, headers=headers)


def status_link(id: RequestId, request: Request, given: Given, token: StatusToken) -> Response:
    """The mailed status link: a browser goes to the status page, the token moved to a cookie.

    A client that does not prefer text/html gets the status document, as from ``status``.
    """
    shown = mailed_status(request, id, token)
    return shown if shown is not None else JSONResponse(jsonable_encoder(status(id, given, token)))


links = APIRouter(include_in_schema=False)
"""The paths of the links tutela mails: the answer's download and the request's status."""
links.add_api_route("/requests/{id}/download", download, methods=["GET"], response_class=Response)
links.add_api_route("/requests/{id}/status", status_link, methods=["GET"])
