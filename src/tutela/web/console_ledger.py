"""The console's ledger page: its state, and the button that verifies it.

``GET /console/ledger`` (``ledger:read``) shows how many entries the ledger holds, the
head (the last entry's number and recorded leaf hash), and the latest signed checkpoint
(tree size, when it was kept, root, key id) as its note says. ``POST
/console/ledger/verify`` (``ledger:read``, the session's CSRF token) runs the audit of
:func:`tutela.store.ledger_check.check_ledger` in a thread and answers with the page and
its outcome in words: the chain intact up to N entries, the checkpoint's signature
valid, consistent with the previous checkpoint, or each problem naming its entry. The
POST changes nothing, so its answer is the page itself, not a redirect.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response
from starlette.concurrency import run_in_threadpool

from tutela.access.keys import Scope
from tutela.errors import ConfigurationError, StoreError
from tutela.ledger.checkpoint import Checkpoint, CheckpointError, parse_note
from tutela.store.ledger_check import LedgerCheck, check_ledger
from tutela.store.operations import CheckpointRecord, LedgerHead, checkpoints, ledger_head
from tutela.web.console_kit import guarded, page, services, session_form, staff_session

if TYPE_CHECKING:
    from tutela.bootstrap import Application
    from tutela.web.console_auth import Session

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class SignedHead:
    """The latest checkpoint as its note reads (not yet verified): size, root, keys, time."""

    size: int
    root: str
    keys: tuple[str, ...]
    origin: str
    kept_at: datetime


@dataclass(frozen=True)
class LedgerState:
    """What the page shows before any verification."""

    head: LedgerHead
    latest: SignedHead | None
    unreadable: bool


@router.get("/ledger")
def ledger(request: Request) -> Response:
    """The ledger's size, head and latest checkpoint, with the *Verify the ledger* button."""
    session = staff_session(request, Scope.LEDGER_READ)
    if isinstance(session, Response):
        return session
    return _page(request, session, None)


@router.post("/ledger/verify")
async def verify(request: Request) -> Response:
    """Audit the ledger in a thread; the page with the outcome (nothing is changed)."""
    session = await guarded(request, Scope.LEDGER_READ)
    if isinstance(session, Response):
        return session
    form = await session_form(request, session)
    if isinstance(form, Response):
        return form
    application = services(request).application
    try:
        outcome: LedgerCheck | str = await run_in_threadpool(_check, application)
    except ConfigurationError:
        outcome = "no_key"
    except StoreError:
        outcome = "store"
    return await run_in_threadpool(_page, request, session, outcome)


def _check(application: Application) -> LedgerCheck:
    """The audit with the ledger's own key (ConfigurationError without TUTELA_LEDGER_KEY)."""
    verifier = application.ledger_key().verifier
    return check_ledger(application.ledger(), verifier, application.settings.ledger_origin)


def _page(request: Request, session: Session, outcome: LedgerCheck | str | None) -> Response:
    try:
        state = ledger_state(services(request).application)
    except StoreError:
        return page(request, "console/ledger.html", 503, session=session, state=None, outcome=None)
    status = 503 if isinstance(outcome, str) else 200
    return page(
        request, "console/ledger.html", status, session=session, state=state, outcome=outcome
    )


def ledger_state(application: Application) -> LedgerState:
    """The ledger's head and its latest checkpoint as kept (read, not verified)."""
    engine = application.ledger().engine
    found = checkpoints(engine, 1)
    if not found:
        return LedgerState(ledger_head(engine), None, False)
    latest = _signed_head(found[0])
    return LedgerState(ledger_head(engine), latest, latest is None)


def _signed_head(record: CheckpointRecord) -> SignedHead | None:
    """What the note says (None when it cannot even be read: the audit names why)."""
    try:
        note = parse_note(record.note)
        checkpoint = Checkpoint.parse(note.text)
    except CheckpointError:
        return None
    keys = tuple(f"{s.name}+{s.key_id.hex()}" for s in note.signatures)
    root = base64.b64encode(checkpoint.root).decode()
    return SignedHead(checkpoint.size, root, keys, checkpoint.origin, record.created_at)
