"""Who calls: staff by API key (``Authorization: Bearer tk_...``), subjects by status token.

:func:`needs` makes the dependency of a staff route: the key is checked by
:class:`tutela.access.service.KeyService`; no key, an unknown, wrong or revoked key is
401 with ``WWW-Authenticate: Bearer``; a key whose role lacks the route's scope is 403
naming the scope. A key verified before in this process is checked on the event loop
(one row read, so a revoked key is refused at once); a key never seen is verified with
argon2 in a thread, so wrong keys never block the loop. The subject's status token
travels in the ``X-Status-Token`` header, or as the ``token`` query parameter (the status
link the acknowledgement mails has it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from tutela.access.keys import Scope
from tutela.access.service import Staff
from tutela.api.services import Services, given_services


class Unauthenticated(Exception):
    """No valid staff key was presented (401)."""


class MissingScope(Exception):
    """The key's role does not grant ``scope`` (403)."""

    def __init__(self, staff: Staff, scope: Scope) -> None:
        self.staff, self.scope = staff, scope
        super().__init__(f"the role {staff.role} does not grant the scope {scope}")


BEARER = HTTPBearer(auto_error=False, description="A staff API key from `tutela keys create`.")
TokenHeader = Annotated[
    str | None,
    Header(
        alias="X-Status-Token",
        max_length=200,
        description="The status_token returned when the request was submitted.",
    ),
]
TokenQuery = Annotated[
    str | None,
    Query(
        alias="token",
        max_length=200,
        description="The status token as a query parameter, as the mailed status link has it.",
    ),
]


def status_token(header: TokenHeader = None, query: TokenQuery = None) -> str | None:
    """The subject's status token: the ``X-Status-Token`` header, else the ``token`` query."""
    return header if header is not None else query


StatusToken = Annotated[str | None, Depends(status_token)]


def needs(scope: Scope) -> Callable[..., Awaitable[Staff]]:
    """The dependency of a route that needs ``scope``: the staff member calling."""

    async def staff(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
        given: Annotated[Services, Depends(given_services)],
    ) -> Staff:
        key = credentials.credentials if credentials is not None else None
        if not key:
            raise Unauthenticated()
        if given.keys.remembered(key):  # one row read: on the event loop, no thread hop
            found = given.keys.authenticate(key)
        else:  # argon2 (tens of ms): in a thread, never blocking the loop
            found = await run_in_threadpool(given.keys.authenticate, key)
        if found is None:
            raise Unauthenticated()
        if scope not in found.scopes:
            raise MissingScope(found, scope)
        return found

    staff.__name__ = f"staff_with_{scope.name.lower()}"
    return staff


def client_address(request: Request) -> str:
    """The caller's address, as the rate limits count it."""
    return request.client.host if request.client is not None else "unknown"
