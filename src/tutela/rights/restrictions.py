"""The restrictions of processing a batch records in tutela's store (RS-1, RS-2, ER-2).

Pure: a restriction batch restricts each subject by every identity given; an
erasure that keeps a field under a legal obligation restricts that field to
storage and that purpose until the obligation ends.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

from tutela.ports import BatchRecord, RestrictionRecord
from tutela.rights.models import RESTRICTION_ALLOWED_PURPOSES, Step, SubjectRequest
from tutela.rights.resolve import Resolved
from tutela.rights.results import retention_end


def subject_ref(identity: str, value: str, key: bytes | None) -> str:
    """How tutela's store refers to a subject: a keyed hash of one identity, never the value.

    An erased subject's e-mail must not survive in tutela's own store, yet a
    restriction or a retained field must still be found when the same identity
    comes back (OB-2: a keyed hash is the minimal suppression entry). HMAC-SHA256
    with the programme's masking key (``h:`` prefix); without a key, plain
    SHA-256 (``sha256:``), which only a dictionary attack can reverse: set the key.
    """
    message = f"{identity}={value}".encode()
    if key:
        return "h:" + hmac.new(key, message, hashlib.sha256).hexdigest()
    return "sha256:" + hashlib.sha256(message).hexdigest()


def subject_restrictions(
    requests: Sequence[SubjectRequest], record: BatchRecord, key: bytes | None = None
) -> list[RestrictionRecord]:
    """Each subject of a restriction batch, by each identity given (RS-1, RS-2)."""
    return [
        RestrictionRecord(
            identity=name,
            value=subject_ref(name, value, key),
            allowed=RESTRICTION_ALLOWED_PURPOSES,
            reason="restriction of processing (Art. 18, RS-1)",
            batch_id=record.id,
            created_at=record.created_at,
        )
        for request in requests
        for name, value in request.identities
    ]


def retained_restrictions(
    step: Step,
    found: Resolved,
    requests: Sequence[SubjectRequest],
    record: BatchRecord,
    key: bytes | None = None,
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
                value=subject_ref(name, value, key),
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
