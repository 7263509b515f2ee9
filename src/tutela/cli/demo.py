"""`tutela demo`: a guided tour of tutela on a programme (the Cloudockit example by default).

Each step prints the command a user would type, then runs it in-process through
the same Typer app, writing its outputs to the output folder.
"""

from __future__ import annotations

import json
import os
import secrets
import shlex
import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup
from typer.main import get_command

from tutela import bootstrap
from tutela.cli.errors import user_errors
from tutela.errors import ConfigurationError

if TYPE_CHECKING:
    from tutela.bootstrap import Application

DEMO_CUSTOMERS = 500
"""Synthetic customers in the demo's shop database."""

DEMO_PEOPLE = 200
"""Synthetic people spread over the programme's systems (:mod:`tutela.testing.synthetic`)."""

Step = tuple[str, list[str] | Callable[[], list[str]], Callable[[], None] | None]
"""Title, arguments of ``tutela`` (or how to make them once earlier steps ran), and what to
prepare before the step runs."""

NEXT_VERSION_PURPOSE = """\
purposes:
  - key: webinar_recordings
    name: Webinar recordings
    description: We record the webinars you join and share the recording with attendees.
    data_uses: [essential.service]
    legal_basis: consent
    consent:
      notice: Tick the box to agree that the webinar you join is recorded.
      methods: [checkbox]
      withdrawal: Write to the privacy e-mail address or untick the box in your profile.
    categories: [user.name]
    subjects: [customer_contact]
"""


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to ``app``."""

    @app.command("demo")
    @user_errors
    def demo(
        programme: Annotated[
            Path, typer.Argument(metavar="PROGRAMME", help="The programme folder to tour.")
        ] = Path("examples/cloudockit"),
        out: Annotated[
            Path, typer.Option("--out", "-o", help="Folder for the outputs (created).")
        ] = Path("out"),
        serve: Annotated[
            bool,
            typer.Option(
                "--serve",
                help="Then serve the pages and the API on localhost with the tour's data.",
            ),
        ] = False,
        port: Annotated[int, typer.Option("--port", min=1, max=65535, help="For --serve.")] = 8000,
    ) -> None:
        """Tour check, statement render and diff, records export and data-subject requests."""
        if not programme.is_dir():
            raise ConfigurationError(f"{programme} is not a programme folder; give the folder")
        if out.exists() and not out.is_dir():
            raise ConfigurationError(f"--out {out} is a file; give a folder for the outputs")
        environ = run_tour(app, programme, out)
        if serve:
            serve_demo(programme, environ, port)


def serve_demo(programme: Path, environ: dict[str, str], port: int) -> None:
    """Serve the pages and the API on localhost over the tour's store and systems.

    Prints the privacy centre's and the console's addresses, a console login ``demo``
    (privacy officer) with a random password and a staff API key, each shown once.
    """
    from tutela.cli.serve import run_server
    from tutela.programme.loader import load_programme

    application = bootstrap.build(environ)
    key = application.key_service().create("demo", "admin").key
    password = _demo_login(application)
    base = f"http://127.0.0.1:{port}"
    someone = _demo_person(programme)
    typer.secho("\n== tutela is serving the Cloudockit example", bold=True)
    typer.echo(f"privacy centre (for data subjects): {base}/")
    typer.echo(f"console (for staff): {base}/console/")
    typer.echo(f"console login (privacy officer, demo only): demo / {password}")
    typer.echo(f"API and its documentation: {base}/docs (OpenAPI at {base}/openapi.json)")
    typer.echo(f"staff API key (admin, demo only): {key}")
    body = json.dumps({"type": "access", "identity": {"email": someone}, "residence": "BE"})
    typer.echo("submit a request as a data subject would:")
    typer.echo(f"  curl -s -X POST {base}/api/v1/requests -H 'Content-Type: application/json' \\")
    typer.echo(f"       -d '{body}'")
    typer.echo("list the requests as staff:")
    typer.echo(f"  curl -s {base}/api/v1/staff/requests -H 'Authorization: Bearer {key}'")
    typer.echo("(Ctrl-C stops the server)")
    run_server(application, load_programme(programme), "127.0.0.1", port, source=programme)


def _demo_login(application: Application) -> str:
    """Add the console login ``demo`` (privacy officer) to the demo's new store; its password.

    The password is random (16 URL-safe characters) so a demo left running is not opened
    by a well-known one; the store keeps only its hash.
    """
    from tutela.store.console import login_service

    password = secrets.token_urlsafe(12)
    login_service(application.ledger(), application.clock).add("demo", "privacy_officer", password)
    return password


def _demo_person(programme: Path) -> str:
    from tutela.programme.loader import load_programme
    from tutela.testing import synthetic

    person = synthetic.best_known_person(load_programme(programme), people=DEMO_PEOPLE, seed=1)
    return person.email if person is not None else "someone@example.test"


def run_tour(app: typer.Typer, programme: Path, out: Path) -> dict[str, str]:
    """Run every step of the tour against ``programme``, writing into ``out``.

    Returns the environment the steps ran in (the tour's store and systems).
    """
    out.mkdir(parents=True, exist_ok=True)
    command = get_command(app)
    assert isinstance(command, TyperGroup), "tutela's app is a group of commands"
    shop_steps, environ = _shop_steps(out)
    system_steps, environ = _system_steps(programme, out, environ)
    retention_steps = _retention_steps(programme, environ) if system_steps else []
    release_steps = _release_steps(programme, out) if system_steps else []
    release_steps += _discovery_steps(programme, out, environ) if system_steps else []
    steps = [*_steps(programme, out), *shop_steps, *system_steps, *release_steps]
    steps += retention_steps
    for title, arguments, prepare in steps:
        if prepare is not None:
            prepare()
        args = arguments() if callable(arguments) else arguments
        typer.secho(f"\n== {title}", bold=True)
        typer.secho("$ tutela " + shlex.join(args), fg=typer.colors.CYAN)
        code = _invoke(command, args, bootstrap.build(environ))
        typer.echo(f"(exit code {code})")
    if system_steps:
        typer.secho(f"\nThe access request's answer is in {out / ANSWER}", bold=True)
    typer.secho(f"\nOutputs are in {out}/", bold=True)
    return environ


def _invoke(command: TyperGroup, args: list[str], application: Application) -> int:
    try:
        result = command.main(args=args, prog_name="tutela", standalone_mode=False, obj=application)
    except typer.Exit as done:
        return done.exit_code
    except SystemExit as done:
        return int(done.code or 0)
    return result if isinstance(result, int) else 0


def _translated_steps(programme: Path, out: Path) -> list[Step]:
    """One HTML rendering per further language the statement declares (Art. 12(1))."""
    from tutela.programme.loader import load_programme

    statement = load_programme(programme).statement
    return [
        (
            f"Render the privacy statement in {language} (HTML)",
            [
                "statement",
                "render",
                str(programme),
                "--lang",
                language,
                "--format",
                "html",
                "--output",
                str(out / f"statement.{language}.html"),
            ],
            None,
        )
        for language in (statement.languages[1:] if statement else [])
    ]


def _steps(programme: Path, out: Path) -> list[Step]:
    nxt = out / "next-version"
    src = str(programme)

    def to(name: str) -> list[str]:
        return ["--output", str(out / name)]

    return [
        ("Check the programme (the compliance linter)", ["check", src], None),
        (
            "Render the privacy statement as Markdown",
            ["statement", "render", src, "--format", "md", *to("statement.md")],
            None,
        ),
        (
            "Render the privacy statement as HTML",
            ["statement", "render", src, "--format", "html", *to("statement.html")],
            None,
        ),
        *_translated_steps(programme, out),
        (
            "Export the Art. 30 records for an auditor (XLSX)",
            ["records", "export", src, "--format", "xlsx", *to("records.xlsx")],
            None,
        ),
        (
            "Export the Art. 30 records as JSON",
            ["records", "export", src, "--format", "json", *to("records.json")],
            None,
        ),
        (
            "Diff against a next version that adds a purpose (material: exit 3)",
            ["statement", "diff", src, str(nxt)],
            lambda: _next_version(programme, nxt),
        ),
    ]


def _shop_steps(out: Path) -> tuple[list[Step], dict[str, str]]:
    """Data-subject requests on a synthetic shop database built in ``out``.

    Returns the steps and the environment they run in: this process's, plus the
    variables a user sets in a shell (the shop's URL, tutela's store and a
    demonstration-only masking key). The process's own environment is left as it is.
    The first step sets up tutela's new store (``tutela db upgrade``), as a user does.
    """
    from tutela.testing import shopdb

    shop, store = out / "shop.sqlite", out / "tutela.sqlite"
    for stale in (shop, store):
        stale.unlink(missing_ok=True)
    url = f"sqlite:///{shop}"
    shopdb.build(url, customers=DEMO_CUSTOMERS, seed=1)
    with closing(sqlite3.connect(shop)) as connection:
        (email,) = connection.execute("SELECT email FROM customer WHERE id = 1").fetchone()
    environ = {
        "TUTELA_HASH_KEY": "demo-only-key-change-me",
        **os.environ,
        "TUTELA_SHOP_URL": url,
        "TUTELA_DATABASE_URL": f"sqlite:///{store}",
    }
    shop_programme = str(shopdb.shop_programme_path())
    request = [shop_programme, "--identity", f"email={email}"]
    steps: list[Step] = [
        ("Set up tutela's own store (its schema)", ["db", "upgrade"], None),
        ("Propose a dataset from the shop's catalog", ["datasets", "reflect", url], None),
        ("Plan an erasure", ["dsr", "plan", *request, "--type", "erasure"], None),
        (
            "Answer an access request (JSON and CSV in access/)",
            ["dsr", "run", *request, "--type", "access", "--output", str(out / "access")],
            None,
        ),
        ("Preview the erasure", ["dsr", "run", *request, "--type", "erasure", "--dry-run"], None),
        ("Erase", ["dsr", "run", *request, "--type", "erasure"], None),
        (
            "Erase again: a new batch; the erased subject is no longer found",
            ["dsr", "run", *request, "--type", "erasure"],
            None,
        ),
    ]
    return steps, environ


ANSWER = "answer.zip"
"""The file, in the output folder, the demo exports the access request's answer to."""

SYSTEMS = "systems"
"""The folder, in the output folder, of the programme's systems as SQLite databases."""


def _system_steps(
    programme: Path, out: Path, environ: dict[str, str]
) -> tuple[list[Step], dict[str, str]]:
    """A request's life on the programme's own systems, built as synthetic SQLite databases.

    Every SQL system of ``programme`` gets a database in ``out/systems`` (built by the
    first step, which adds the systems' URL variables to the environment returned) holding
    :data:`DEMO_PEOPLE` synthetic people; an access request for the person found in the
    most of them is submitted, verified by staff, approved, completed and exported.
    Returns the steps (none when no system holds people) and the environment they run in.
    """
    from tutela.programme.loader import load_programme
    from tutela.testing import synthetic

    loaded = load_programme(programme)
    cast = synthetic.plan_cast(loaded, people=DEMO_PEOPLE, seed=1)
    someone = cast.best_known()
    if someone is None:
        return [], environ
    environ = dict(environ)
    src, found = str(programme), len(cast.datasets_of(someone.index))
    built = sum(1 for system in loaded.systems if synthetic.buildable(system))

    def build() -> None:  # the systems' URL variables join the demo's environment
        environ.update(synthetic.build_systems(loaded, out / SYSTEMS, people=DEMO_PEOPLE, seed=1))

    def with_id(*args: str) -> Callable[[], list[str]]:
        return lambda: [args[0], args[1], _latest_request(environ), *args[2:]]

    evidence = "demo: staff checked the customer account"
    identity = ["--identity", f"email={someone.email}"]
    steps: list[Step] = [
        (
            f"Build the programme's {built} systems with {DEMO_PEOPLE} synthetic people "
            f"({SYSTEMS}/); submit an access request for one found in {found} datasets",
            ["requests", "submit", src, "--type", "access", *identity, "--residence", "BE"],
            build,
        ),
        (
            "Record that staff verified who asks (ID-4)",
            with_id("requests", "verify", "--accept", "--evidence", evidence),
            None,
        ),
        ("Approve the request", with_id("requests", "approve"), None),
        (
            "Answer it from every system (kept sealed; prints the signed link)",
            with_id("requests", "complete", "--programme", src),
            None,
        ),
        (
            f"Export the answer for staff to deliver ({ANSWER})",
            with_id("requests", "export", "--out", str(out / ANSWER)),
            None,
        ),
    ]
    return steps, environ


RELEASES = "releases"
"""The folder, in the output folder, of the anonymised releases and their risk reports."""


def _release_steps(programme: Path, out: Path) -> list[Step]:
    """Each anonymised release read from the systems built (or a CSV file), with its report."""
    from tutela.programme.loader import load_programme
    from tutela.testing import synthetic

    loaded = load_programme(programme)
    built = {system.key for system in loaded.systems if synthetic.buildable(system)}
    return [
        (
            f"Release the anonymised {release.key} ({release.method}) with its risk report",
            [
                *("anonymise", release.key, "--programme", str(programme)),
                *("--out", str(out / RELEASES / f"{release.key}.csv")),
            ],
            None,
        )
        for release in loaded.anonymisation
        if release.source is not None
        and (release.source.system is None or release.source.system in built)
    ]


def _discovery_steps(programme: Path, out: Path, environ: dict[str, str]) -> list[Step]:
    from tutela.cli.demo_discovery import discovery_steps
    from tutela.programme.loader import load_programme

    return discovery_steps(programme, load_programme(programme), out, environ)


def _retention_steps(programme: Path, environ: dict[str, str]) -> list[Step]:
    """Scan data deleted 24 or 48 hours after each scan, as each customer chose, with proof.

    Before the first step, each customer of the scan store gets three recent scans (72 h,
    30 h and minutes old: :mod:`tutela.testing.scans`) in the database the systems' step
    built. Returns no step when the programme has no such customer or scan store.
    """
    from tutela.programme.loader import load_programme

    loaded = load_programme(programme)
    store = next((s for s in loaded.systems if s.key == "scan_store" and s.connector), None)
    chosen = [c for c in loaded.dpa_register if c.scan_retention and c.account is not None]
    if store is None or store.connector is None or not store.connector.url_env or not chosen:
        return []
    variable, src = store.connector.url_env, str(programme)

    def add_scans() -> None:
        from datetime import UTC, datetime

        from tutela.testing import scans

        scans.add_scans(environ[variable], loaded, datetime.now(UTC))

    return [
        (
            "Each customer's choice for its scan data (24h, 48h or kept): seed §9",
            ["retention", "scan-policy", src],
            add_scans,
        ),
        (
            "Preview the retention sweep (nothing changes)",
            ["retention", "run", src, "--dry-run"],
            None,
        ),
        (
            f"Place a legal hold on {chosen[-1].key}'s data (RT-3): its rows stay",
            [
                *("retention", "hold", "place", src, "--customer", chosen[-1].key),
                *("--reason", "demo: a pending claim", "--actor", "staff:demo"),
            ],
            None,
        ),
        ("Run the retention sweep: the expired rows go", ["retention", "run", src], None),
        (
            f"Prove the deletion of {chosen[0].key}'s scans, per scan",
            ["retention", "proof", src, chosen[0].key],
            None,
        ),
    ]


def _latest_request(environ: dict[str, str]) -> str:
    """The id of the request submitted last (the demo's store is new for each tour)."""
    records = bootstrap.build(environ).request_service().list()
    if not records:
        raise ConfigurationError("the demo's access request was not recorded; see the step above")
    return max(records, key=lambda record: record.received_at).id


def _next_version(programme: Path, target: Path) -> None:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(programme, target)
    (target / "zz-next-version.yml").write_text(NEXT_VERSION_PURPOSE, encoding="utf-8")
