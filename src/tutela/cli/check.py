"""`tutela check`: the compliance linter.

Exit codes: 0 no error-severity finding (warnings allowed), 1 at least one error finding,
2 the programme does not load or the command line is wrong (see ``docs/checks.md``).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tutela.cli.errors import user_errors
from tutela.errors import ConfigurationError

if TYPE_CHECKING:
    from tutela.checks import Finding, Registry, Rule


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


def _list_rules(installed: Registry) -> None:
    for rule_id, item in installed.rules.items():
        origin = installed.origins[rule_id]
        typer.echo(f"{rule_id:<50} {item.severity:<8} {origin:<10} {item.title}")


@user_errors
def check(
    path: Annotated[
        Path | None, typer.Argument(help="Programme folder (or one YAML file) to check.")
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="Output format.")
    ] = OutputFormat.TEXT,
    select: Annotated[
        list[str] | None,
        typer.Option(help="Only these rule ids or areas (repeat or comma-separate)."),
    ] = None,
    ignore: Annotated[
        list[str] | None,
        typer.Option(help="Skip these rule ids or areas (repeat or comma-separate)."),
    ] = None,
    today: Annotated[
        datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Date for review checks (default: today)."),
    ] = None,
    list_rules: Annotated[
        bool, typer.Option("--list-rules", help="List the installed rules and exit.")
    ] = False,
) -> None:
    """Check a privacy programme against the GDPR and ePrivacy rules (the compliance linter)."""
    from tutela.checks import registry, run_checks
    from tutela.programme.loader import load

    installed = registry()
    if list_rules:
        _list_rules(installed)
        return
    if path is None:
        raise typer.BadParameter("give the programme folder to check", param_hint="PATH")
    rules = _chosen_rules(installed, _split(select), _split(ignore))
    as_of: date | None = today.date() if today else None
    findings = run_checks(load(path), today=as_of, rules=rules)
    typer.echo(_render(findings, rules, output), nl=False)
    if any(finding.severity == "error" for finding in findings):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add the ``check`` command to ``app``."""
    app.command("check")(check)
