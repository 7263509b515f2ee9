"""`tutela check`: the compliance linter, and the gate of the outputs people rely on.

Exit codes: 0 no error-severity finding (warnings allowed), 1 at least one error finding,
2 the programme does not load or the command line is wrong (see ``docs/checks.md``); with
``--format json`` or ``sarif`` the load errors are the report.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.errors import report, user_errors
from tutela.errors import ConfigurationError, PolicyErrors

if TYPE_CHECKING:
    from tutela.checks import Finding, Registry, Rule
    from tutela.discovery.drift import Survey
    from tutela.ports import Connector
    from tutela.programme.loader import LoadedProgramme
    from tutela.programme.models import Programme


class OutputFormat(StrEnum):
    """How findings are printed."""

    TEXT = "text"
    JSON = "json"
    SARIF = "sarif"


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def _chosen_rules(installed: Registry, select: list[str], ignore: list[str]) -> list[Rule]:
    try:
        return installed.select(select, ignore)
    except ConfigurationError as error:
        raise typer.BadParameter(str(error)) from None


def _tutela_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("tutela")
    except PackageNotFoundError:
        return "0+unknown"


def _render(findings: list[Finding], rules: list[Rule], output: OutputFormat) -> str:
    from tutela.checks import render_json, render_sarif, render_text

    if output is OutputFormat.JSON:
        return render_json(findings)
    if output is OutputFormat.SARIF:
        by_id = {item.id: item for item in rules}
        return render_sarif(findings, by_id, version=_tutela_version(), base=Path.cwd())
    return render_text(findings, len(rules))


def _load(path: Path, output: OutputFormat) -> LoadedProgramme:
    """The programme at ``path``; if it does not load, its errors in ``output`` and exit 2.

    In JSON and SARIF the load errors are the report (rule ``load/invalid-programme``),
    so a CI step that uploads the report gets them; stderr tells a person as well.
    """
    from tutela.checks.report import LOAD_RULE, load_findings
    from tutela.programme.loader import load

    try:
        return load(path)
    except PolicyErrors as error:
        if output is OutputFormat.TEXT:
            raise
        typer.echo(_render(load_findings(error.errors), [LOAD_RULE], output), nl=False)
        raise typer.Exit(report(error)) from None


def _list_rules(installed: Registry) -> None:
    for rule_id, item in installed.rules.items():
        origin = installed.origins[rule_id]
        typer.echo(f"{rule_id:<50} {item.severity:<8} {origin:<10} {item.title}")


def _with_drift_rules(installed: Registry) -> Registry:
    """``installed`` plus the drift rules, so ``--select``/``--ignore`` and SARIF know them."""
    from tutela.checks import Registry
    from tutela.checks.registry import BUILT_IN
    from tutela.discovery.drift import DRIFT_RULES

    origins = {rule_id: BUILT_IN for rule_id in DRIFT_RULES}
    return Registry({**installed.rules, **DRIFT_RULES}, {**installed.origins, **origins})


def _surveyed_systems(programme: Programme, chosen: list[str]) -> list[str]:
    """The systems to compare with their databases; a note on stderr for those skipped."""
    known = {system.key: system for system in programme.systems}
    unknown = [key for key in chosen if key not in known]
    if unknown:
        raise typer.BadParameter(
            f"no system {', '.join(unknown)} in the programme; it has: {', '.join(known)}",
            param_hint="--system",
        )
    keys: list[str] = []
    for system in programme.systems:
        if (chosen and system.key not in chosen) or not system.datasets:
            continue
        if system.connector is None or system.connector.type != "sql":
            typer.echo(f"note: skipping system {system.key}: no SQL connector to read", err=True)
            continue
        keys.append(system.key)
    return keys


def _survey(
    context: typer.Context, loaded: LoadedProgramme, keys: list[str], sample: int
) -> Survey:
    """Connect to each system in ``keys`` (one at a time) and discover its database."""
    from tutela.cli.context import application
    from tutela.discovery.drift import survey_systems

    app = application(context)
    systems = {system.key: system for system in loaded.programme.systems}

    def connect(key: str) -> Connector:
        alone = loaded.programme.model_copy(update={"systems": [systems[key]]})
        return app.connectors(alone)[key]

    return survey_systems(keys, connect, sample=sample)


def _check_against(
    context: typer.Context,
    loaded: LoadedProgramme,
    rules: list[Rule],
    options: tuple[list[str], int, date | None],
) -> list[Finding]:
    """The programme rules' findings plus the drift rules' on the systems' databases."""
    from tutela.checks import Finding, run_checks
    from tutela.discovery.drift import DRIFT_RULES, DriftContext, drift_findings

    systems, sample, today = options
    drift = [item for item in rules if item.id in DRIFT_RULES]
    findings = run_checks(loaded, today=today, rules=[r for r in rules if r not in drift])
    keys = _surveyed_systems(loaded.programme, systems)
    if drift and keys:
        survey = _survey(context, loaded, keys, sample)
        findings += drift_findings(DriftContext.of_survey(loaded, survey, today=today), drift)
    return sorted(findings, key=Finding.sort_key)


@user_errors
def check(
    context: typer.Context,
    path: Annotated[
        Path | None,
        typer.Argument(metavar="PROGRAMME", help="The programme folder (or one YAML file)."),
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.TEXT,
    select: Annotated[
        list[str] | None,
        typer.Option(metavar="ID", help="Only these rule ids or areas (repeat or comma-separate)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(metavar="ID", help="Skip these rule ids or areas (repeat or comma-separate)."),
    ] = None,
    today: Annotated[
        datetime | None,
        typer.Option(
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="Date for review checks (default: today).",
        ),
    ] = None,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List the installed rules and exit.")
    ] = False,
    against: Annotated[
        bool,
        typer.Option(
            "--against",
            help="Also compare each system's database with its declared datasets (drift).",
        ),
    ] = False,
    systems: Annotated[
        list[str] | None,
        typer.Option("--system", metavar="KEY", help="With --against: only these systems."),
    ] = None,
    sample: Annotated[
        int,
        typer.Option(min=1, metavar="N", help="With --against: rows sampled per table."),
    ] = 1000,
) -> None:
    """Check a privacy programme against the GDPR and ePrivacy rules (the compliance linter)."""
    from tutela.checks import registry, run_checks

    installed = _with_drift_rules(registry()) if against else registry()
    if list_rules:
        _list_rules(installed)
        return
    if path is None:
        raise typer.BadParameter("give the programme folder to check", param_hint="PROGRAMME")
    rules = _chosen_rules(installed, _split(select), _split(ignore))
    as_of: date | None = today.date() if today else None
    loaded = _load(path, output)
    if against:
        findings = _check_against(context, loaded, rules, (_split(systems), sample, as_of))
    else:
        findings = run_checks(loaded, today=as_of, rules=rules)
    typer.echo(_render(findings, rules, output), nl=False)
    if any(finding.severity == "error" for finding in findings):
        raise typer.Exit(1)


def checked_programme(path: Path, *, allow_errors: bool, making: str) -> Programme:
    """The programme at ``path``, refused (exit 1) when ``tutela check`` finds errors in it.

    Outputs people rely on (the statement, the records) are made only from a programme
    the linter accepts; ``allow_errors`` makes them anyway, with a warning on stderr.
    ``making`` names the output for the messages, e.g. ``"the statement"``.
    """
    from tutela.checks import run_checks
    from tutela.programme.loader import load

    loaded = load(path)
    errors = sum(1 for finding in run_checks(loaded) if finding.severity == "error")
    counted = f"{errors} error finding{'s' if errors != 1 else ''}"
    if errors and not allow_errors:
        typer.echo(
            f"error: `tutela check` finds {counted} in {path}; run `tutela check {path}`"
            f" and fix them before making {making}, or pass --allow-errors",
            err=True,
        )
        raise typer.Exit(1)
    if errors:
        typer.echo(f"warning: making {making} despite {counted} (--allow-errors)", err=True)
    return loaded.programme


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to ``app``."""
    app.command("check")(check)
