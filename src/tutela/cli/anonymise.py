"""`tutela anonymise RELEASE`: make a declared anonymised release, report its risk, ledger it.

Exit codes: 0 released; 1 refused, the release misses its declared model (the message
names each part that failed; the refusal is ledgered); 2 the programme does not load, the
release cannot be made as declared (no source, a value outside its hierarchy, a missing
column) or the command line is wrong; 5 the source system failed; 6 the store failed.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.context import application
from tutela.cli.errors import user_errors
from tutela.errors import ConfigurationError

if TYPE_CHECKING:
    from tutela.anonymise.service import Made


class ReportFormat(StrEnum):
    """How the risk report is printed on stdout."""

    TEXT = "text"
    JSON = "json"


MAX_ROWS = 5_000_000
"""Default of ``--max-rows`` (:data:`tutela.anonymise.service.MAX_ROWS`)."""


def register(app: typer.Typer) -> None:
    """Add the ``anonymise`` command to ``app``."""

    @app.command("anonymise")
    @user_errors
    def anonymise(
        context: typer.Context,
        release: Annotated[
            str, typer.Argument(metavar="RELEASE", help="The release's key in anonymisation.yml.")
        ],
        programme: Annotated[
            Path | None,
            typer.Option(
                "--programme",
                help="The programme folder (default: TUTELA_PROGRAMME, else the current folder).",
                show_default=False,
            ),
        ] = None,
        out: Annotated[
            Path | None,
            typer.Option(
                "--out",
                "-o",
                help="Where to write the release (CSV; default: RELEASE.csv here).",
                show_default=False,
            ),
        ] = None,
        report: Annotated[
            Path | None,
            typer.Option(
                "--report",
                help="Where to write the risk report (JSON; default: beside --out, "
                "RELEASE.report.json).",
                show_default=False,
            ),
        ] = None,
        output_format: Annotated[
            ReportFormat, typer.Option("--format", "-f", help="The report on stdout: text or json.")
        ] = ReportFormat.TEXT,
        dry_run: Annotated[
            bool,
            typer.Option("--dry-run", help="Compute and report; write nothing, ledger nothing."),
        ] = False,
        max_rows: Annotated[
            int, typer.Option("--max-rows", min=1, help="The most source rows read.")
        ] = MAX_ROWS,
        actor: Annotated[
            str,
            typer.Option("--actor", help="Who releases, as the ledger records it (kind:name)."),
        ] = "system",
    ) -> None:
        """Make RELEASE as anonymisation.yml declares it, write it and its risk report, ledger it.

        The source (a CSV file or a read-only query on a system) is generalised until the
        declared model holds (k-anonymity, l-diversity, t-closeness; small cells suppressed
        for counts), suppressing at most max_suppression of the records. A release that
        misses its model is refused (exit 1) and nothing is written. The ledger records
        the digest of the report and of the released file, never a row of data.
        """
        from tutela.programme.loader import load_programme

        folder = _folder(context, programme)
        target = out or Path(f"{release}.csv")
        report_path = report or target.with_name(f"{target.stem}.report.json")
        for path, option in ((target, "--out"), (report_path, "--report")):
            if path.is_dir():
                raise typer.BadParameter(f"{path} is a folder; give a file name", param_hint=option)
        loaded = load_programme(folder)
        root = folder if folder.is_dir() else folder.parent
        service = application(context).release_service(loaded, root, ledgered=not dry_run)

        def publish(made: Made) -> None:
            _write(target, made.content)
            _write(report_path, _report_text(made).encode("utf-8"))

        made = service.release(
            release, publish=None if dry_run else publish, actor=actor, max_rows=max_rows
        )
        if output_format is ReportFormat.JSON:
            sys.stdout.write(_report_text(made))
        else:
            sys.stdout.write(render_report(made))
        if dry_run:
            sys.stderr.write("dry run: nothing written, nothing ledgered\n")
        else:
            sys.stderr.write(f"wrote {target} ({len(made.rows)} rows) and {report_path}\n")


def _folder(context: typer.Context, given: Path | None) -> Path:
    chosen = given or application(context).settings.programme or Path.cwd()
    path = Path(chosen)
    if not path.exists():
        raise typer.BadParameter(f"{path} does not exist", param_hint="--programme")
    return path


def _report_text(made: Made) -> str:
    return json.dumps(made.report, indent=2, ensure_ascii=False) + "\n"


def _write(path: Path, content: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as error:
        raise ConfigurationError(f"cannot write {path}: {error.strerror or error}") from None


def render_report(made: Made) -> str:
    """The report as a readable table: the model, what was achieved, the risks and the loss."""
    report = made.report
    released = report["released"]
    assert isinstance(released, dict)
    lines = [
        f"release {made.key}: {report['method']} ({report['model']})",
        f"released: {released['rows']} rows, columns {', '.join(released['columns'])}",
        f"sha256: {made.digest}",
    ]
    risk = report.get("risk")
    if isinstance(risk, dict):
        lines += _risk_lines(risk)
    cells = report.get("cells")
    if isinstance(cells, dict):
        lines.append(
            f"counts: {cells['cells']} cells, {cells['suppressed_cells']} suppressed "
            f"({cells['suppressed_records']} records), smallest kept {cells['smallest']}"
        )
    return "\n".join(lines) + "\n"


def _risk_lines(risk: dict[str, object]) -> list[str]:
    rows = [
        ("algorithm", str(risk["algorithm"])),
        (
            "records",
            f"{risk['records']} ({risk['suppressed']} suppressed, {_pct(risk, 'suppression')})",
        ),
        ("achieved k", str(risk["k"])),
        ("l (distinct)", _mapping(risk["l_distinct"])),
        ("l (entropy)", _mapping(risk["l_entropy"])),
        ("t", _mapping(risk["t"])),
        ("classes", str(risk["classes"])),
        ("sample uniqueness", _pct(risk, "sample_uniqueness")),
        (
            "prosecutor risk",
            f"highest {_pct(risk, 'prosecutor_highest')}, "
            f"average {_pct(risk, 'prosecutor_average')}",
        ),
        ("records at risk", _pct(risk, "records_at_risk")),
        (
            "journalist risk",
            f"highest {_pct(risk, 'journalist_highest')}, "
            f"average {_pct(risk, 'journalist_average')}",
        ),
        ("marketer risk", _pct(risk, "marketer")),
        ("GCP", f"{float(str(risk['gcp'])):.4f}"),
        ("discernibility", f"{float(str(risk['discernibility'])):.0f}"),
        ("average class size", f"{float(str(risk['average_class_size'])):.2f} (1 is best)"),
    ]
    utility = risk.get("utility")
    if isinstance(utility, dict):
        for name, found in utility.items():
            if isinstance(found, dict):
                rows.append(
                    (
                        f"  {name}",
                        f"NCP {float(found['ncp']):.3f}, "
                        f"{found['distinct_before']} -> {found['distinct_after']} values",
                    )
                )
    width = max(len(name) for name, _ in rows)
    return [f"{name.ljust(width)}  {value}" for name, value in rows]


def _pct(risk: dict[str, object], name: str) -> str:
    return f"{100 * float(str(risk[name])):.1f}%"


def _mapping(value: object) -> str:
    if not isinstance(value, dict) or not value:
        return "-"
    return ", ".join(f"{name} {found:g}" for name, found in value.items())
