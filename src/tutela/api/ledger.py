"""Ledger routes: sign a checkpoint (``ledger:write``); proofs and evidence (``ledger:read``).

Proofs are against the latest checkpoint, verified with the verifier key of
``TUTELA_LEDGER_KEY``, as ``tutela ledger prove`` and ``export`` give them.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from tutela.access.keys import Scope
from tutela.access.service import Staff
from tutela.api.auth import needs
from tutela.api.models import (
    CheckpointDocument,
    ConsistencyDocument,
    EvidenceDocument,
    InclusionDocument,
)
from tutela.api.problems import responses
from tutela.api.services import Services, services
from tutela.store.ledger_audit import LedgerError

router = APIRouter(prefix="/api/v1/ledger", tags=["ledger"], responses=responses())
Given = Annotated[Services, Depends(services)]
Reader = Annotated[Staff, Depends(needs(Scope.LEDGER_READ))]
Writer = Annotated[Staff, Depends(needs(Scope.LEDGER_WRITE))]


@router.post("/checkpoint", status_code=201)
def sign(staff: Writer, given: Given) -> CheckpointDocument:
    """Sign the ledger's current head with TUTELA_LEDGER_KEY and keep the note."""
    signed = given.ledger.checkpoint(given.application.ledger_key())
    return CheckpointDocument(size=signed.size, note=signed.note)


@router.get("/checkpoint")
def latest(staff: Reader, given: Given) -> CheckpointDocument:
    """The latest signed checkpoint (409 before the first)."""
    signed = given.ledger.latest()
    if signed is None:
        raise LedgerError("no checkpoint yet: sign one with POST /api/v1/ledger/checkpoint")
    return CheckpointDocument(size=signed.size, note=signed.note)


@router.get("/proofs/inclusion/{seq}")
def inclusion(
    seq: Annotated[int, Path(ge=0, le=2**53)], staff: Reader, given: Given
) -> InclusionDocument:
    """The inclusion proof of entry ``seq`` against the latest checkpoint (RFC 9162)."""
    verifier = given.application.ledger_key().verifier
    return InclusionDocument(**given.ledger.inclusion(seq, verifier))


@router.get("/proofs/consistency")
def consistency(
    staff: Reader,
    given: Given,
    first: Annotated[int, Query(alias="from", ge=0, le=2**53)],
    second: Annotated[int | None, Query(alias="to", ge=0, le=2**53)] = None,
) -> ConsistencyDocument:
    """The consistency proof from tree size ``from`` to ``to`` (default: the latest)."""
    verifier = given.application.ledger_key().verifier
    return ConsistencyDocument(**given.ledger.consistency(first, second, verifier))


@router.get("/evidence/{request_id}")
def evidence(
    request_id: Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")],
    staff: Reader,
    given: Given,
) -> EvidenceDocument:
    """The evidence bundle of one request's entries, each with its inclusion proof."""
    verifier = given.application.ledger_key().verifier
    return EvidenceDocument(**given.ledger.evidence(request_id, verifier))
