"""What a sweep reports, what the ledger keeps of it, and the proof a customer receives.

A :class:`SweepReport` lists, per rule and covered collection, the rows examined, the rows
deleted, anonymised or archived (by the rule's action), the rows held back by legal holds,
the time taken and the longest single statement (issue 18). :func:`rule_digest` and
:func:`proof_digest` are what the ledger keeps of a sweep (RT-2: rule, count, time window)
and of each event's deletion (seed §9); :func:`proof_document` is the export a processor
customer receives (``tutela retention proof``), each proof with the digest the ledger
holds, so the customer can check it against a ledger proof.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tutela.programme.models import ControllerCustomer
from tutela.retention.ports import EventProof

_VERBS = {"delete": "deleted", "anonymise": "anonymised", "archive": "archived"}


@dataclass(frozen=True)
class ReportRow:
    """One covered collection of one rule in a sweep: counts, time, and an error if any.

    ``affected`` counts the rows deleted, anonymised or archived, as ``action`` says (in a
    dry run: the rows that would be). ``seconds`` and ``longest_statement`` are in seconds.
    """

    rule: str
    collection: str
    action: str
    examined: int = 0
    ended: int = 0
    affected: int = 0
    held: int = 0
    seconds: float = 0.0
    longest_statement: float = 0.0
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON: ``deleted``, ``anonymised`` and ``archived`` (0 but the action's)."""
        verb = _VERBS.get(self.action, "deleted")
        return {
            "rule": self.rule,
            "collection": self.collection,
            "action": self.action,
            "examined": self.examined,
            "ended": self.ended,
            **{name: self.affected if name == verb else 0 for name in _VERBS.values()},
            "held": self.held,
            "seconds": round(self.seconds, 6),
            "longest_statement": round(self.longest_statement, 6),
            "error": self.error,
        }


@dataclass(frozen=True)
class SweepReport:
    """One sweep: its id, the ``now`` every cutoff counts from, and a row per (rule, collection).

    ``resumed`` says the sweep continued one interrupted earlier; a dry run changed nothing
    and was not recorded. ``notes`` says what the sweep could not do precisely (a subject
    hold without a key lookup protects whole collections).
    """

    sweep: str
    now: datetime
    dry_run: bool = False
    resumed: bool = False
    rows: tuple[ReportRow, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> list[ReportRow]:
        """The rows whose collection failed (the others still ran)."""
        return [row for row in self.rows if row.error]

    def total(self, name: str) -> int:
        """The sum of an integer column (``examined``, ``ended``, ``affected``, ``held``)."""
        return sum(int(getattr(row, name)) for row in self.rows)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-able data (what the store keeps and ``--json`` prints)."""
        rows = [row.to_dict() for row in self.rows]
        totals = {
            name: sum(int(row[name]) for row in rows)
            for name in ("examined", "ended", *_VERBS.values(), "held")
        }
        return {
            "sweep": self.sweep,
            "now": self.now.isoformat(),
            "dry_run": self.dry_run,
            "resumed": self.resumed,
            "rows": rows,
            "totals": totals,
            "notes": list(self.notes),
        }

    def table(self) -> str:
        """The report as aligned text: one line per (rule, collection), then the totals."""
        verb = "would go" if self.dry_run else "affected"
        head = ("rule", "collection", "action", "examined", verb, "held", "seconds", "longest")
        lines = [tuple(_cells(row)) for row in self.rows]
        lines.append(
            (
                "total",
                "",
                "",
                str(self.total("examined")),
                str(self.total("affected")),
                str(self.total("held")),
                f"{sum(row.seconds for row in self.rows):.2f}",
                f"{max((row.longest_statement for row in self.rows), default=0.0):.3f}",
            )
        )
        text = _aligned([head, *lines])
        title = f"sweep {self.sweep} at {self.now.isoformat()}" + (
            " (dry run: nothing changed)" if self.dry_run else ""
        )
        extra = [f"error: {row.rule} {row.collection}: {row.error}" for row in self.errors]
        return "\n".join([title, text, *extra, *(f"note: {note}" for note in self.notes)])


def _cells(row: ReportRow) -> list[str]:
    return [
        row.rule,
        row.collection,
        row.action,
        str(row.examined),
        str(row.affected),
        str(row.held),
        f"{row.seconds:.2f}",
        f"{row.longest_statement:.3f}",
    ]


def _aligned(lines: Sequence[Sequence[str]]) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    numeric = range(3, len(widths))
    out = []
    for line in lines:
        cells = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(line)
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def canonical_digest(document: Any) -> str:
    """SHA-256 hex of ``document`` as canonical JSON (sorted keys, no spaces, ASCII)."""
    encoded = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


def rule_digest(
    sweep: str,
    rule: str,
    window: tuple[datetime, datetime],
    now: datetime,
    rows: Sequence[Mapping[str, Any]],
) -> str:
    """What the ledger keeps of one rule's part of a sweep (RT-2): rule, counts, time window.

    ``rows`` are the rule's rows of :meth:`SweepReport.to_dict`; ``window`` is when the
    sweep started and finished; ``now`` the instant its cutoffs count from.
    """
    return canonical_digest(
        {
            "sweep": sweep,
            "rule": rule,
            "now": now.isoformat(),
            "window": [window[0].isoformat(), window[1].isoformat()],
            "rows": [dict(row) for row in rows],
        }
    )


def proof_fields(proof: EventProof) -> dict[str, Any]:
    """The proof as JSON: what its digest is computed over."""
    return {
        "sweep": proof.sweep,
        "rule": proof.rule,
        "event": proof.event,
        "customer": proof.customer,
        "rows": dict(sorted(proof.rows.items())),
        "deleted_at": proof.deleted_at.isoformat(),
        "due_at": proof.due_at.isoformat() if proof.due_at else None,
    }


def proof_digest(proof: EventProof) -> str:
    """SHA-256 of the proof's canonical JSON: the ``after`` of its ``scan_deleted`` entry."""
    return canonical_digest(proof_fields(proof))


def proof_document(
    customer: ControllerCustomer,
    proofs: Sequence[EventProof],
    *,
    generated_at: datetime,
    fmt: str = "json",
) -> str:
    """The customer's record of its scans' deletions (seed §9), as ``json`` or ``csv`` text.

    Each proof gives the scan (event), the rows deleted per collection and when, and the
    digest the ledger holds for it. Raises ValueError for another format.
    """
    if fmt == "json":
        return _proof_json(customer, proofs, generated_at)
    if fmt == "csv":
        return _proof_csv(customer, proofs)
    raise ValueError(f"unknown proof format {fmt[:20]!r}: use json or csv")


def _proof_json(
    customer: ControllerCustomer, proofs: Sequence[EventProof], generated_at: datetime
) -> str:
    items = [
        {**proof_fields(proof), "total": sum(proof.rows.values()), "digest": proof_digest(proof)}
        for proof in proofs
    ]
    document = {
        "customer": customer.key,
        "name": customer.name,
        "dpa_reference": customer.dpa_reference,
        "generated_at": generated_at.isoformat(),
        "events": len(items),
        "rows_deleted": sum(item["total"] for item in items),
        "proofs": items,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_CSV_HEAD = (
    "customer",
    "dpa_reference",
    "sweep",
    "rule",
    "event",
    "collection",
    "rows",
    "deleted_at",
    "due_at",
    "digest",
)


def _proof_csv(customer: ControllerCustomer, proofs: Sequence[EventProof]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_CSV_HEAD)
    for proof in proofs:
        digest = proof_digest(proof)
        for collection, count in sorted(proof.rows.items()):
            writer.writerow(
                [
                    _cell(customer.key),
                    _cell(customer.dpa_reference),
                    proof.sweep,
                    _cell(proof.rule),
                    _cell(proof.event),
                    _cell(collection),
                    count,
                    proof.deleted_at.isoformat(),
                    proof.due_at.isoformat() if proof.due_at else "",
                    digest,
                ]
            )
    return out.getvalue()


def _cell(text: str) -> str:
    """A text cell a spreadsheet will not run as a formula (CSV injection)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
