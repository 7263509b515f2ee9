"""The restrictions of processing a batch records in tutela's store (RS-1, RS-2, ER-2).

Pure: a restriction batch restricts each subject by every identity given; an
erasure that keeps a field under a legal obligation restricts that field to
storage and that purpose until the obligation ends.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutela.ports import BatchRecord, RestrictionRecord
from tutela.rights.models import RESTRICTION_ALLOWED_PURPOSES, Step, SubjectRequest
from tutela.rights.resolve import Resolved
from tutela.rights.results import retention_end


def subject_restrictions(
    requests: Sequence[SubjectRequest], record: BatchRecord
) -> list[RestrictionRecord]:
    """Each subject of a restriction batch, by each identity given (RS-1, RS-2)."""
    return [
        RestrictionRecord(
            identity=name,
            value=value,
            allowed=RESTRICTION_ALLOWED_PURPOSES,
            reason="restriction of processing (Art. 18, RS-1)",
            batch_id=record.id,
            created_at=record.created_at,
        )
        for request in requests
        for name, value in request.identities
    ]


def retained_restrictions(
    step: Step, found: Resolved, requests: Sequence[SubjectRequest], record: BatchRecord
) -> list[RestrictionRecord]:
    """Fields kept under a legal obligation are restricted to that purpose (ER-2, RS-2)."""
    retained = [(f, f.retention) for f in step.fields if f.action == "retain" and f.retention]
    if not retained or not found.owners:
        return []
    owners = sorted({index for row_owners in found.owners for index in row_owners})
    records = []
    for f, retention in retained:
        until = retention_end(record.created_at, retention)
        allowed = ("storage", retention.purpose)
        reason = f"retained under {retention.purpose} ({retention.basis}, ER-2)"
        records += [
            RestrictionRecord(
                identity=name,
                value=value,
                allowed=allowed,
                reason=reason,
                batch_id=record.id,
                created_at=record.created_at,
                collection=step.address,
                field=f.name,
                until=until,
            )
            for index in owners
            for name, value in requests[index].identities
        ]
    return records
