"""Answers for people: a plan and a batch's results as text, and the files of each answer.

Pure: returns text. The machine-readable forms (JSON, CSV) are in
:mod:`tutela.rights.export`; :func:`answer_files` names the files an interface
writes for each request (AC-5, PO-3).
"""

from __future__ import annotations

from tutela.rights.export import result_csv, result_json
from tutela.rights.models import (
    BatchResult,
    CollectionResult,
    FieldPlan,
    Forwarding,
    Plan,
    RetainedField,
)


def render_plan(plan: Plan, texts: dict[str, list[str]]) -> str:
    """The plan for a person: one block per collection, in resolve order."""
    lines = [f"{plan.type} plan for identities: {', '.join(plan.identities)}"]
    for number, step in enumerate(plan.steps, 1):
        lines.append(f"{number}. {step.address} (system {step.system})")
        lines.append("   select: " + "; ".join(s.describe() for s in step.selectors))
        lines += ["   " + field_line(f) for f in step.fields]
        if step.delete_rows:
            lines.append("   rows: delete")
        if step.restriction_flag and plan.type == "restriction_lift":
            lines.append(f"   {step.restriction_flag}: set false (RS-3)")
        elif step.restriction_flag:
            lines.append(f"   {step.restriction_flag}: set true (RS-1)")
        lines += ["   > " + text.replace("\n", "\n     ") for text in texts.get(step.address, [])]
    lines.append("act order (children first): " + ", ".join(plan.act_order))
    lines.append("unreachable: " + (", ".join(plan.unreachable) or "none"))
    lines += forwarded_lines(plan.forwarded)
    lines += plan.coverage.lines()
    lines += [f"note: {note}" for note in plan.notes]
    return "\n".join(lines)


def forwarded_lines(forwarded: tuple[Forwarding, ...]) -> list[str]:
    """Processor-role data: forwarded to its controller, not answered (PR-2)."""
    lines = []
    for f in forwarded:
        contact = f"; contact: {f.contact}" if f.contact else ""
        lines.append(
            f"forwarded (processor role, PR-2): {f.name} [{', '.join(f.collections)}] "
            f"to the controller: {f.controller}{contact}"
        )
    return lines


def field_line(f: FieldPlan) -> str:
    """One field of a plan step: action, strategy, what keeps it, its categories."""
    text = f"{f.name}: {f.action}" if f.reason is None else f"{f.name}: kept ({f.reason})"
    if f.strategy:
        text += f" by {f.strategy}"
    if f.retention is not None:
        kept = f.retention
        text += f" under {kept.purpose} ({kept.basis}, {kept.period or kept.criterion})"
    if f.categories:
        text += f" [{', '.join(f.categories)}]"
    return text


def render_batch(result: BatchResult) -> str:
    """The batch's answers for a person."""
    head = "dry run: nothing changed" if result.dry_run else f"batch {result.batch_id}"
    lines = [f"{result.type} {head}"]
    if result.resumed_from is not None:
        stamp = result.resumed_from.isoformat(timespec="seconds")
        lines.append(
            f"resumed: rows found as stored by this batch at {stamp}; "
            f"{len(result.resumed)} step(s) had been applied before"
        )
    lines += summary_lines(result)
    for answer in result.results:
        who = ", ".join(f"{n}={v}" for n, v in answer.request.identities)
        lines.append(f"- {who}: {'data found' if answer.found else 'no data found'}")
        lines += [
            f"    {c.collection}: {collection_line(c, result.dry_run)}" for c in answer.collections
        ]
        lines += [f"    {retained_line(kept)}" for kept in answer.retained]
        if answer.restricted_purposes:
            lines.append("    allowed while restricted: " + ", ".join(answer.restricted_purposes))
        if result.type == "restriction_lift" and answer.found:
            lines.append("    restriction lifted: flag set false (RS-3)")
    lines += forwarded_lines(result.forwarded)
    lines += result.coverage.lines()
    return "\n".join(lines)


def retained_line(kept: RetainedField) -> str:
    """A field kept under a legal obligation, and until when (ER-2).

    ``until 2035-01-02 to 2036-03-01 (each row from its created_at)`` when rows end
    on different dates; the criterion when the rule gives no period.
    """
    until = kept.until.date().isoformat() if kept.until else kept.criterion
    if kept.earliest and kept.until and kept.earliest.date() != kept.until.date():
        until = f"{kept.earliest.date().isoformat()} to {until}"
    source = f" (each row from its {kept.counted_from})" if kept.counted_from else ""
    if kept.hold:
        source = f" (hold {kept.hold}, {kept.basis})"
    return f"retained {kept.collection}.{kept.field} under {kept.purpose} until {until}{source}"


def summary_lines(result: BatchResult) -> list[str]:
    """Rows per collection for the whole batch, worded as the per-request lines are.

    A collection whose rows are deleted says so; one whose fields are all kept
    under a legal obligation is listed as kept, so the summary and the detail agree.
    """
    deleted = {c.collection for a in result.results for c in a.collections if c.deleted}
    kept = {k.collection for a in result.results for k in a.retained} - set(result.counts)
    obliged = {k.collection for a in result.results for k in a.retained if not k.hold}
    lines = []
    for collection, count in result.counts.items():
        if collection in deleted:
            verb = "would be deleted" if result.dry_run else "deleted"
        else:
            verb = "would change" if result.dry_run else "changed"
        lines.append(f"  {collection}: {count} row(s) {verb}")
    lines += [
        f"  {name}: kept (retained under a legal obligation)"
        if name in obliged
        else f"  {name}: kept (legal hold, Art. 17(3)(e))"
        for name in sorted(kept)
    ]
    return lines


def collection_line(c: CollectionResult, dry_run: bool = False) -> str:
    """What a request found or changed in one collection."""
    if c.rows:
        withheld = "".join(f"; withheld {name}: {why}" for name, why in c.withheld.items())
        return f"{len(c.rows)} row(s): " + ", ".join(c.labels) + withheld
    deleted, changed = ("would be deleted", "would change") if dry_run else ("deleted", "changed")
    held = f"; {c.held} row(s) kept by a legal hold" if c.held else ""
    if c.deleted or (c.held and "*" in c.strategies):
        return f"{c.deleted} row(s) {deleted}{held}"
    strategies = ", ".join(f"{k} {v}" for k, v in c.strategies.items())
    return f"{c.changed} row(s) {changed} ({strategies}){held}"


def answer_files(result: BatchResult) -> dict[str, str]:
    """File name to text: one JSON answer per request, one CSV per collection with rows."""
    files: dict[str, str] = {}
    for number, answer in enumerate(result.results, 1):
        stem = f"{result.batch_id[:12]}-{number:04d}"
        files[f"{stem}.json"] = result_json(answer, result.type)
        for collection, text in result_csv(answer).items():
            files[f"{stem}-{collection}.csv"] = text
    return files
