"""The services the API's routes call, built once per app by bootstrap's application."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from fastapi import Request

if TYPE_CHECKING:
    from tutela.access.service import KeyService
    from tutela.access.staff import StaffDesk
    from tutela.access.subjects import SubjectDesk
    from tutela.bootstrap import Application
    from tutela.requests.service import RequestService
    from tutela.requests.staff import StaffSteps
    from tutela.requests.verification import Verification
    from tutela.store.ledger_proofs import LedgerProofs


@dataclass(frozen=True)
class Services:
    """What the routes call: each route parses, calls one of these, and formats."""

    application: Application
    keys: KeyService
    subjects: SubjectDesk
    desk: StaffDesk
    requests: RequestService
    steps: StaffSteps
    verification: Verification
    ledger: LedgerProofs


def services(request: Request) -> Services:
    """The services of the app serving ``request``."""
    found = request.app.state.services
    assert isinstance(found, Services)
    return found


async def given_services(request: Request) -> Services:
    """:func:`services` as a dependency: no I/O, so run on the event loop, not a thread."""
    return services(request)
