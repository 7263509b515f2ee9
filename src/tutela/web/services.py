"""The services the API's routes and the pages call, built once per app from bootstrap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tutela.access.service import KeyService
    from tutela.access.staff import StaffDesk
    from tutela.access.subjects import SubjectDesk
    from tutela.bootstrap import Application
    from tutela.discovery.moderation_queue import ModerationDesk
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
    moderation: ModerationDesk
