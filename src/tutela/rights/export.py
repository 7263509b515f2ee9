"""Machine-readable answers: JSON for every request type, CSV per collection (AC-5, PO-3).

Pure: returns text. Dates and decimals are written as ISO text and exact
decimal text; the JSON carries a ``schema`` per collection (field categories
and purposes) so the data stays intelligible (AC-4, PO-3).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tutela.rights.models import BatchResult, Plan, RequestResult


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return str(value)


def result_document(result: RequestResult, kind: str) -> dict[str, Any]:
    """One request's answer as plain data (AC-1: ``processed`` is the confirmation)."""
    return {
        "type": kind,
        "batch_id": result.batch_id,
        "identities": [{"name": n, "value": v} for n, v in result.request.identities],
        "processed": result.found,
        "collections": [
            {
                "collection": c.collection,
                "system": c.system,
                "schema": c.labels,
                "rows": list(c.rows),
                "changed": c.changed,
                "deleted": c.deleted,
                "strategies": c.strategies,
            }
            for c in result.collections
        ],
        "retained": [asdict(r) for r in result.retained],
        "restricted_purposes_allowed": list(result.restricted_purposes),
    }


def batch_json(batch: BatchResult) -> str:
    """The whole batch as JSON text."""
    document = {
        "batch_id": batch.batch_id,
        "type": batch.type,
        "dry_run": batch.dry_run,
        "counts": batch.counts,
        "resumed": list(batch.resumed),
        "forwarded": [asdict(f) for f in batch.forwarded],
        "results": [result_document(r, batch.type) for r in batch.results],
    }
    return json.dumps(document, default=_plain, indent=2, ensure_ascii=False)


def result_json(result: RequestResult, kind: str) -> str:
    """One request's answer as JSON text."""
    return json.dumps(result_document(result, kind), default=_plain, indent=2, ensure_ascii=False)


def result_csv(result: RequestResult) -> dict[str, str]:
    """One CSV text per collection of the answer (header row, then the subject's rows)."""
    files: dict[str, str] = {}
    for collection in result.collections:
        if not collection.rows:
            continue
        buffer = io.StringIO()
        names = list(collection.rows[0])
        writer = csv.DictWriter(buffer, fieldnames=names, lineterminator="\n")
        writer.writeheader()
        for row in collection.rows:
            writer.writerow({k: "" if v is None else _plain(v) for k, v in row.items()})
        files[collection.collection] = buffer.getvalue()
    return files


def plan_document(plan: Plan, statements: dict[str, list[str]]) -> dict[str, Any]:
    """A plan as plain data, with each step's statements."""
    document = asdict(plan)
    for step in document["steps"]:
        step["statements"] = statements.get(step["address"], [])
    return document
