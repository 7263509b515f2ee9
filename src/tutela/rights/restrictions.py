"""The restrictions of processing a batch records in tutela's store (RS-1, RS-2, ER-2).

Pure: a restriction batch restricts each subject by every identity given; an
erasure that keeps a field under a legal obligation restricts that field to
storage and that purpose until the obligation ends.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence
from datetime import datetime

from tutela.errors import ConfigurationError
from tutela.ports import BatchRecord, RestrictionRecord
from tutela.rights.models import RESTRICTION_ALLOWED_PURPOSES, Step, SubjectRequest
from tutela.rights.resolve import Resolved
from tutela.rights.results import retention_end
from tutela.rights.retained import kept_range, retained_plans


def subject_ref(identity: str, value: str, key: bytes | None) -> str:
    """How tutela's store refers to a subject: a keyed hash of one identity, never the value.

    An erased subject's e-mail must not survive in tutela's own store, yet a
    restriction or a retained field must still be found when the same identity
    comes back (OB-2: a keyed hash is the minimal suppression entry). HMAC-SHA256
    with the programme's masking key (``h:`` prefix). Without a key there is no
    reference: an unkeyed hash of an e-mail address is reversed by anyone with a
    list of addresses, so ConfigurationError names the setting to set.
    """
    if not key:
        raise ConfigurationError(
            "restrictions name subjects by a keyed hash: set TUTELA_HASH_KEY "
            "(or the variable the programme's masking.hash_key_env names)"
        )
    message = f"{identity}={value}".encode()
    return "h:" + hmac.new(key, message, hashlib.sha256).hexdigest()


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
    """Fields kept under a legal obligation are restricted to that purpose (ER-2, RS-2).

    One record per subject and field, until the latest end among the rows kept
    for that subject (rows already past their retention are erased, not kept).
    """
    if not found.owners:
        return []
    rows_of: dict[int, list[int]] = {}
    for position, owners in enumerate(found.owners):
        for index in owners:
            rows_of.setdefault(index, []).append(position)
    records = []
    for f in retained_plans(step):
        retention = f.retention
        assert retention is not None
        for index, positions in sorted(rows_of.items()):
            until: datetime | None = retention_end(record.created_at, retention)
            if f.name in found.ends:
                _, until, kept = kept_range(found.ends[f.name], positions, record.created_at)
                if kept == 0:
                    continue
            records += [
                RestrictionRecord(
                    identity=name,
                    value=subject_ref(name, value, key),
                    allowed=("storage", retention.purpose),
                    reason=f"retained under {retention.purpose} ({retention.basis}, ER-2)",
                    batch_id=record.id,
                    created_at=record.created_at,
                    collection=step.address,
                    field=f.name,
                    until=until,
                )
                for name, value in requests[index].identities
            ]
    return records
