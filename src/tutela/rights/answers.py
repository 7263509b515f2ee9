"""Answers for people: a plan and a batch's results as text, and the files of each answer.

Pure: returns text. The machine-readable forms (JSON, CSV) are in
:mod:`tutela.rights.export`; :func:`answer_files` names the files an interface
writes for each request (AC-5, PO-3).
"""

from __future__ import annotations

from tutela.rights.export import result_csv, result_json
from tutela.rights.models import BatchResult, CollectionResult, FieldPlan, Forwarding, Plan


def render_plan(plan: Plan, texts: dict[str, list[str]]) -> str:
    """The plan for a person: one block per collection, in resolve order."""
    lines = [f"{plan.type} plan for identities: {', '.join(plan.identities)}"]
    for number, step in enumerate(plan.steps, 1):
        lines.append(f"{number}. {step.address} (system {step.system})")
        lines.append("   select: " + "; ".join(s.describe() for s in step.selectors))
        lines += ["   " + field_line(f) for f in step.fields]
        if step.delete_rows:
            lines.append("   rows: delete")
        if step.restriction_flag:
            lines.append(f"   {step.restriction_flag}: set true (RS-1)")
        lines += ["   > " + text.replace("\n", "\n     ") for text in texts.get(step.address, [])]
    lines.append("act order (children first): " + ", ".join(plan.act_order))
    lines.append("unreachable: " + (", ".join(plan.unreachable) or "none"))
    lines += forwarded_lines(plan.forwarded)
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
    text = f"{f.name}: {f.action}"
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
    if result.resumed:
        lines.append(f"resumed: {len(result.resumed)} step(s) taken from checkpoints")
    verb = "would change" if result.dry_run else "changed"
    lines += [f"  {c}: {count} row(s) {verb}" for c, count in result.counts.items()]
    for answer in result.results:
        who = ", ".join(f"{n}={v}" for n, v in answer.request.identities)
        lines.append(f"- {who}: {'data found' if answer.found else 'no data found'}")
        lines += [
            f"    {c.collection}: {collection_line(c, result.dry_run)}" for c in answer.collections
        ]
        for kept in answer.retained:
            until = kept.until.date().isoformat() if kept.until else kept.criterion
            lines.append(
                f"    retained {kept.collection}.{kept.field} under {kept.purpose} until {until}"
            )
        if answer.restricted_purposes:
            lines.append("    allowed while restricted: " + ", ".join(answer.restricted_purposes))
    lines += forwarded_lines(result.forwarded)
    return "\n".join(lines)


def collection_line(c: CollectionResult, dry_run: bool = False) -> str:
    """What a request found or changed in one collection."""
    if c.rows:
        return f"{len(c.rows)} row(s): " + ", ".join(c.labels)
    deleted, changed = ("would be deleted", "would change") if dry_run else ("deleted", "changed")
    if c.deleted:
        return f"{c.deleted} row(s) {deleted}"
    strategies = ", ".join(f"{k} {v}" for k, v in c.strategies.items())
    return f"{c.changed} row(s) {changed} ({strategies})"


def answer_files(result: BatchResult) -> dict[str, str]:
    """File name to text: one JSON answer per request, one CSV per collection with rows."""
    files: dict[str, str] = {}
    for number, answer in enumerate(result.results, 1):
        stem = f"{result.batch_id[:12]}-{number:04d}"
        files[f"{stem}.json"] = result_json(answer, result.type)
        for collection, text in result_csv(answer).items():
            files[f"{stem}-{collection}.csv"] = text
    return files
