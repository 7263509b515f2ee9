"""`tutela ledger`: keys, signed checkpoints, audits, proofs and evidence bundles.

The ledger is in tutela's store (``TUTELA_DATABASE_URL``); checkpoints are signed
with ``TUTELA_LEDGER_KEY`` under the origin ``TUTELA_LEDGER_ORIGIN``. Exit 1 when the
ledger does not verify (one line per problem, naming the entry).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors

if TYPE_CHECKING:
    from tutela.bootstrap import Application
    from tutela.ledger.checkpoint import VerifierKey
    from tutela.ledger.entries import Entry

app = command_group("The ledger: keys, checkpoints, audits, proofs and evidence bundles.")

TAMPERED = 1
"""Exit code when the ledger does not verify or holds nothing to prove."""

KeyOption = Annotated[
    str | None,
    typer.Option(
        "--key",
        help="The ledger's verifier key (name+id+key); default: derived from TUTELA_LEDGER_KEY.",
    ),
]


@app.command("keygen")
@user_errors
def keygen(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The key's name, usually the origin.")
    ],
) -> None:
    """Print a new signer key (for TUTELA_LEDGER_KEY, keep it secret) and its verifier key."""
    from tutela.ledger.checkpoint import generate_key

    key = generate_key(name)
    typer.echo(f"TUTELA_LEDGER_KEY={key.private_text()}")
    typer.echo(f"verifier key: {key.verifier}")


@app.command("checkpoint")
@user_errors
def checkpoint(context: typer.Context) -> None:
    """Sign the ledger's current head with TUTELA_LEDGER_KEY, store and print the note."""
    from tutela.ledger.checkpoint import Checkpoint, sign_checkpoint
    from tutela.ledger.merkle import tree_head
    from tutela.store.ledger_audit import LedgerError, head_entries

    app_ = application(context)
    key = app_.ledger_key()
    ledger = app_.ledger()
    try:
        _check_latest(app_, key.verifier)
        entries = head_entries(ledger.rows())
    except LedgerError as error:
        _fail(str(error))
    root = tree_head([entry.leaf_hash() for entry in entries])
    note = sign_checkpoint(Checkpoint(app_.settings.ledger_origin, len(entries), root), key)
    ledger.save_checkpoint(note, len(entries))
    typer.echo(note, nl=False)


@app.command("verify")
@user_errors
def verify(context: typer.Context, key: KeyOption = None) -> None:
    """Audit every entry against the latest checkpoint and the recorded leaf hashes."""
    from tutela.store.ledger_audit import audit_rows

    app_ = application(context)
    verifier = _verifier(app_, key)
    ledger = app_.ledger()
    rows, latest = ledger.rows(), ledger.latest_checkpoint()
    if latest is None:
        if rows:
            _fail(f"log: checkpoint: none signed for the {len(rows)} entries", out=True)
        typer.echo("ledger intact: 0 entries, no checkpoint yet")
        return
    report = audit_rows(rows, latest[1], verifier, origin=app_.settings.ledger_origin)
    if not report.ok:
        typer.echo("\n".join(report.lines()))
        raise typer.Exit(TAMPERED)
    pending = len(rows) - report.size
    later = f" ({pending} appended since, not yet signed)" if pending else ""
    typer.echo(f"ledger intact: {len(rows)} entries, checkpoint at size {report.size}{later}")


@app.command("prove")
@user_errors
def prove(
    context: typer.Context,
    seq: Annotated[int, typer.Argument(metavar="SEQ", help="The entry's sequence number.", min=0)],
    key: KeyOption = None,
) -> None:
    """Print the inclusion proof of entry SEQ against the latest checkpoint, as JSON."""
    from tutela.ledger.merkle import MerkleTree

    app_ = application(context)
    verifier = _verifier(app_, key)
    entries, note = _audited(app_, verifier)
    if seq >= len(entries):
        _fail(f"entry {seq} is not in the latest checkpoint (size {len(entries)})")
    tree = MerkleTree([entry.leaf_hash() for entry in entries])
    proof = {
        "seq": seq,
        "entry": entries[seq].encode().decode("ascii"),
        "leaf_hash": tree.leaf(seq).hex(),
        "tree_size": len(entries),
        "root": tree.root().hex(),
        "proof": [node.hex() for node in tree.inclusion(seq)],
        "checkpoint": note,
        "verifier_key": str(verifier),
    }
    typer.echo(json.dumps(proof, indent=2, sort_keys=True))


@app.command("export")
@user_errors
def export(
    context: typer.Context,
    request: Annotated[str, typer.Argument(metavar="REQUEST", help="The request's id.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The bundle file to write.")],
    key: KeyOption = None,
) -> None:
    """Write the evidence bundle of one request's entries (python -m tutela.ledger.verifier)."""
    from tutela.ledger.bundle import build_bundle, bundle_text
    from tutela.ledger.verifier import BundleError

    app_ = application(context)
    verifier = _verifier(app_, key)
    entries, note = _audited(app_, verifier)
    try:
        bundle = build_bundle(entries, request, note, verifier)
    except BundleError as error:
        _fail(str(error))
    _write(output, bundle_text(bundle))
    typer.echo(f"wrote {output}: {len(bundle['entries'])} entries of request {request}")


def _verifier(app_: Application, text: str | None) -> VerifierKey:
    """The verifier key given with ``--key``, else the one of TUTELA_LEDGER_KEY."""
    from tutela.ledger.checkpoint import CheckpointError, VerifierKey

    if text is None:
        return app_.ledger_key().verifier
    try:
        return VerifierKey.parse(text)
    except CheckpointError as error:
        raise typer.BadParameter(str(error), param_hint="--key") from None


def _audited(app_: Application, verifier: VerifierKey) -> tuple[list[Entry], str]:
    """The entries the latest checkpoint covers and its note, once the ledger verifies."""
    from tutela.ledger.entries import Entry
    from tutela.store.ledger_audit import audit_rows

    ledger = app_.ledger()
    rows, latest = ledger.rows(), ledger.latest_checkpoint()
    if latest is None:
        _fail("no checkpoint yet: sign one with `tutela ledger checkpoint`")
    report = audit_rows(rows, latest[1], verifier, origin=app_.settings.ledger_origin)
    if not report.ok:
        _fail(f"{report.problems[0]}; run `tutela ledger verify`")
    return [Entry.decode(row.text.encode("ascii")) for row in rows[: report.size]], latest[1]


def _check_latest(app_: Application, verifier: VerifierKey) -> None:
    """Refuse to sign a new head when the ledger no longer matches the last checkpoint."""
    from tutela.store.ledger_audit import LedgerError, audit_rows

    latest = app_.ledger().latest_checkpoint()
    if latest is None:
        return
    report = audit_rows(
        app_.ledger().rows(), latest[1], verifier, origin=app_.settings.ledger_origin
    )
    if not report.ok:
        raise LedgerError(f"{report.problems[0]}; run `tutela ledger verify`")


def _write(path: Path, text: str) -> None:
    from tutela.errors import ConfigurationError

    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot write {path}: {error.strerror}") from None


def _fail(message: str, *, out: bool = False) -> NoReturn:
    """Print ``message`` (stderr, or stdout with ``out``) and exit :data:`TAMPERED`."""
    (sys.stdout if out else sys.stderr).write(("" if out else "error: ") + message + "\n")
    raise typer.Exit(TAMPERED)
