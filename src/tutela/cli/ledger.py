"""`tutela ledger`: keys, signed checkpoints, audits, proofs and evidence bundles.

The ledger is in tutela's store (``TUTELA_DATABASE_URL``); checkpoints are signed
with ``TUTELA_LEDGER_KEY`` under the origin ``TUTELA_LEDGER_ORIGIN``. Exit 1 when the
ledger does not verify (one line per problem, naming the entry).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from tutela.cli.context import application
from tutela.cli.errors import command_group, user_errors

if TYPE_CHECKING:
    from tutela.bootstrap import Application
    from tutela.ledger.checkpoint import VerifierKey

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
    from tutela.store.ledger_audit import LedgerError

    app_ = application(context)
    key = app_.ledger_key()
    try:
        signed = app_.ledger_proofs().checkpoint(key)
    except LedgerError as error:
        _fail(str(error))
    typer.echo(signed.note, nl=False)


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
    app_ = application(context)
    verifier = _verifier(app_, key)
    with _proving():
        proof = app_.ledger_proofs().inclusion(seq, verifier)
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
    from tutela.ledger.bundle import bundle_text

    app_ = application(context)
    verifier = _verifier(app_, key)
    with _proving():
        bundle = app_.ledger_proofs().evidence(request, verifier)
    _write(output, bundle_text(bundle))
    typer.echo(f"wrote {output}: {len(bundle['entries'])} entries of request {request}")


@contextmanager
def _proving() -> Iterator[None]:
    """Exit :data:`TAMPERED` with the reason when the ledger holds nothing to prove."""
    from tutela.ledger.merkle import ProofError
    from tutela.store.ledger_audit import LedgerError

    try:
        yield
    except (LedgerError, ProofError) as error:  # BundleError is a ProofError
        _fail(str(error))


def _verifier(app_: Application, text: str | None) -> VerifierKey:
    """The verifier key given with ``--key``, else the one of TUTELA_LEDGER_KEY."""
    from tutela.ledger.checkpoint import CheckpointError, VerifierKey

    if text is None:
        return app_.ledger_key().verifier
    try:
        return VerifierKey.parse(text)
    except CheckpointError as error:
        raise typer.BadParameter(str(error), param_hint="--key") from None


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
