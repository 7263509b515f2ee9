"""`tutela statement announce`: tell subjects of a material change before it takes effect.

NT-1 (Art. 13(3), 14(4)); seed §13 ("we will endeavour to notify you in advance ... by
means of pop-up screens ... as well as ... by email"). Compares PROGRAMME with
``--previous`` as ``statement diff`` does; stores the announcement (ledgered), which the
privacy centre and the banner show until the effective date (``GET /api/v1/notice``) and
which renews consent to the purposes whose terms changed (CO-4); then mails a service
notice to every address the systems hold, once each, paced, resumable.

Exit codes: 0 done, 4 nothing to announce (no material change, a date not in the
future), 2 a programme that does not load, 5 a system or the mail server failed (run
again to resume), 6 the store failed, 7 a missing hash key, mail server or setting.
"""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from tutela.cli.context import application
from tutela.cli.errors import user_errors
from tutela.cli.requests import ActorOpt, who
from tutela.errors import ConfigurationError

if TYPE_CHECKING:
    from tutela.bootstrap import Application
    from tutela.consent.announce_mail import MailReport
    from tutela.consent.announcements import Announcement
    from tutela.programme.models import Programme

DEFAULT_RATE = 10.0
"""Messages a second unless ``--rate`` says otherwise."""
BATCH = 500
"""Addresses claimed, sent and ledgered together."""


class AnnounceFormat(StrEnum):
    """Output formats of ``tutela statement announce``."""

    TEXT = "text"
    JSON = "json"


def register(app: typer.Typer) -> None:
    """Add the ``announce`` command to the ``statement`` app."""
    app.command("announce")(announce)


@user_errors
def announce(
    context: typer.Context,
    new: Annotated[
        Path,
        typer.Argument(
            exists=True, metavar="PROGRAMME", help="The NEW programme (folder or file)."
        ),
    ],
    previous: Annotated[
        str,
        typer.Option(
            "--previous",
            metavar="OLD",
            help="The version in force: a folder or file, else a git revision of PROGRAMME.",
        ),
    ],
    effective: Annotated[
        datetime | None,
        typer.Option(
            "--effective",
            formats=["%Y-%m-%d"],
            metavar="YYYY-MM-DD",
            help="When it takes effect (default: the new statement's effective_date).",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count and print; send and store nothing.")
    ] = False,
    rate: Annotated[
        float, typer.Option("--rate", min=0.01, max=10_000, help="Messages a second at most.")
    ] = DEFAULT_RATE,
    limit: Annotated[
        int | None,
        typer.Option("--limit", min=1, help="Send at most N this run (run again to go on)."),
    ] = None,
    actor: ActorOpt = None,
    output_format: Annotated[
        AnnounceFormat, typer.Option("--format", "-f", help="text for people, json for tools.")
    ] = AnnounceFormat.TEXT,
) -> None:
    """Announce a material change of the statement before it takes effect (NT-1, CO-4).

    Refuses (exit 4) when PROGRAMME has no material change from OLD or its effective
    date is not in the future. Stores the announcement once per version (the notice the
    privacy centre and banner show until then; consent to changed consent purposes is
    asked again), then e-mails a service notice to each address the systems hold, in
    its subject's language. Running again resumes the mailing and sends no one twice.
    """
    from tutela.consent.announcements import announcement, unchanged_notices
    from tutela.programme.loader import load_programme
    from tutela.statement.versions.diff import diff_programmes
    from tutela.statement.versions.revision import load_old_programme

    old, programme = load_old_programme(previous, new), load_programme(new)
    app = application(context)
    day = effective.date() if effective else None
    item = announcement(old, programme, diff_programmes(old, programme), app.clock.now(), day)
    for purpose in unchanged_notices(old, item.purposes):
        typer.echo(
            f"warning: purpose {purpose!r} keeps its consent.notice_version: consent given "
            "before stays valid; give it a new notice_version (CO-4)",
            err=True,
        )
    if dry_run:
        _show(item, _count(app, programme), output_format, dry_run=True)
        return
    item, report = _run(app, programme, item, who(actor), rate, limit)
    _show(item, _report(report), output_format, dry_run=False)


def _run(
    app: Application,
    programme: Programme,
    item: Announcement,
    actor: str,
    rate: float,
    limit: int | None,
) -> tuple[Announcement, MailReport]:
    from tutela.consent.announce_mail import (
        Mailing,
        Pace,
        address_sources,
        batched,
        default_language,
        mail_notices,
    )

    key, mailer = app.hash_key(programme), app.mailer()
    if key is None:
        raise ConfigurationError(
            f"no hash key: set {programme.masking.hash_key_env} or TUTELA_HASH_KEY (the "
            "mailing records subjects by keyed reference)"
        )
    if mailer is None:
        raise ConfigurationError("TUTELA_SMTP_URL is not set: the notice cannot be mailed")
    stored, new = app.announcements().save(item, actor)
    if not new and stored.digest() != item.digest():
        typer.echo(
            f"warning: version {stored.version} was announced before with other terms "
            "(date, changes or purposes): resuming that announcement as stored",
            err=True,
        )
    url = programme.statement.url if programme.statement else None
    mailing = Mailing(stored, app.announcements(), mailer, app.settings.mail_from, key, url, actor)
    reader = app.system_addresses(programme)
    try:
        rows = reader.read(address_sources(programme), BATCH)
        report = mail_notices(
            mailing,
            batched(rows, BATCH),
            default_language(programme),
            Pace(rate),
            app.clock.now,
            limit,
        )
    finally:
        reader.close()
    return stored, report


def _count(app: Application, programme: Programme) -> dict[str, Any]:
    from tutela.consent.announce_mail import address_sources, default_language, preferred_language

    fallback = default_language(programme)
    languages: dict[str, str] = {}
    reader = app.system_addresses(programme)
    try:
        for row in reader.read(address_sources(programme), BATCH):
            address = row.address.strip().lower()
            if "@" in address:
                languages.setdefault(address, preferred_language(row.language, fallback))
    finally:
        reader.close()
    by_language: dict[str, int] = {}
    for lang in languages.values():
        by_language[lang] = by_language.get(lang, 0) + 1
    return {"recipients": len(languages), "by_language": dict(sorted(by_language.items()))}


def _report(report: MailReport) -> dict[str, Any]:
    return {
        "sent": report.sent,
        "refused": report.refused,
        "already": report.skipped,
        "batches": report.batches,
        "by_language": dict(sorted(report.by_language.items())),
    }


def _show(item: Announcement, counts: dict[str, Any], output_format: str, *, dry_run: bool) -> None:
    document = {
        "version": item.version,
        "effective_at": item.effective_at.isoformat(),
        "renewed_purposes": dict(sorted(item.purposes.items())),
        "summary": list(item.summary),
        "dry_run": dry_run,
        **counts,
    }
    if output_format == AnnounceFormat.JSON:
        typer.echo(json.dumps(document, indent=2))
        return
    when = item.effective_at.date().isoformat()
    lines = [
        f"{'Would announce' if dry_run else 'Announced'} version {item.version}, effective {when}:"
    ]
    lines += [f"  {line}" for line in item.summary]
    if item.purposes:
        lines.append("consent asked again for: " + ", ".join(sorted(item.purposes)))
    if dry_run:
        lines.append(f"would mail {counts['recipients']} address(es): {counts['by_language']}")
    else:
        lines.append(
            f"mailed {counts['sent']} now, {counts['already']} already done before, "
            f"{counts['refused']} refused by the mail server: {counts['by_language']}"
        )
    typer.echo("\n".join(lines))
