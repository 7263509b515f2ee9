"""What every command's help ends with: the environment it reads and the exit codes.

:func:`add_epilogs` walks the whole command tree once, after every command is
registered, so a new command gets the exit-code table without doing anything;
which commands read which environment variables is declared in one table,
:data:`ENVIRONMENT`, next to it.
"""

from __future__ import annotations

import typer

from tutela.cli.errors import EXIT_CODES, INTERNAL_ERROR, INTERRUPTED

EXIT_MEANINGS: dict[int, str] = {
    0: "done (check: no error finding; statement diff: no material change)",
    1: "check found error findings (statement render and records export refuse them); "
    "anonymise: the release misses its model",
    2: "the programme does not load, a release cannot be made as declared, "
    "or the command line is wrong",
    3: "statement diff found a material change (notify people in advance)",
    4: "a data-subject request cannot be planned or run as asked",
    5: "a system could not be reached or answered badly",
    6: "tutela's own store failed",
    7: "settings, environment variables or a plug-in are missing or wrong",
    INTERNAL_ERROR: "a bug in tutela (one line on stderr; please report it)",
    INTERRUPTED: "interrupted (Ctrl-C)",
}
"""Exit code -> meaning: :data:`tutela.cli.errors.EXIT_CODES` plus 0, 1, 3 and the last resorts."""

_SETTINGS = (
    "every TUTELA_ setting is in docs/settings.md; a .env file in the working folder is read too"
)

_STORE = ("TUTELA_DATABASE_URL", "tutela's store (default sqlite:///tutela.sqlite)")
_TIMEOUTS = (
    ("TUTELA_CONNECT_TIMEOUT", "seconds to wait for a database to connect (10)"),
    ("TUTELA_STATEMENT_TIMEOUT", "seconds one SQL statement may run (300; 0: no limit)"),
)
_WINDOW = ("TUTELA_DELIVERY_WINDOW", "how long answers wait in the store for delivery (0h)")

ENVIRONMENT: dict[str, tuple[tuple[str, str], ...]] = {
    "dsr": (
        _STORE,
        ("TUTELA_HASH_KEY", "keyed-hash masking key (or masking.hash_key_env's)"),
        ("TUTELA_BATCH_SIZE", "requests per batch statement (default 1000)"),
        _WINDOW,
        *_TIMEOUTS,
        ("connector.url_env", "names the variable holding a system's URL"),
        ("connector.password_env", "names the variable holding a system's password"),
    ),
    "requests": (
        _STORE,
        ("TUTELA_HASH_KEY", "submit: the subject's keyed digest (or masking.hash_key_env's)"),
        ("TUTELA_STORE_KEY", "seals identities and answers, signs links (secret; db keygen)"),
        ("TUTELA_SMTP_URL", "mail server for codes and notices: smtp://host:port"),
        ("TUTELA_MAIL_FROM", "sender of tutela's mail (default privacy@localhost)"),
        ("TUTELA_PROGRAMME", "complete, fee, forward, notify: the programme folder"),
        ("TUTELA_ANSWER_WINDOW", "how long answers can be downloaded (default 30d)"),
        ("TUTELA_PUBLIC_URL", "where download links point (default http://localhost:8000)"),
        *_TIMEOUTS,
    ),
    "complaints": (_STORE, *_TIMEOUTS),
    "retention": (
        _STORE,
        ("TUTELA_HASH_KEY", "subject holds: the keyed reference (or masking.hash_key_env's)"),
        ("TUTELA_STORE_KEY", "subject holds: seals the held identity (secret; db keygen)"),
        ("TUTELA_RETENTION_INTERVAL", "how often workers sweep on their own (1h; 0: never)"),
        *_TIMEOUTS,
        ("connector.url_env", "names the variable holding a system's URL"),
    ),
    "mail": (
        _STORE,
        ("TUTELA_IMAP_URL", "fetch: the mailbox, imaps://user:pass@host/INBOX (secret)"),
        ("TUTELA_MAIL_MAX_SIZE", "the largest message read, in bytes (10 MiB); larger: queued"),
        ("TUTELA_HASH_KEY", "the subject's keyed digest (or masking.hash_key_env's)"),
        ("TUTELA_STORE_KEY", "seals queued mail; keys the messages' digests (secret)"),
        ("TUTELA_SMTP_URL", "mail server for acknowledgements and codes: smtp://host:port"),
        ("TUTELA_MAIL_FROM", "sender of tutela's mail (default privacy@localhost)"),
        ("TUTELA_PROGRAMME", "the programme folder (or --programme)"),
        *_TIMEOUTS,
    ),
    "store": (_STORE, _WINDOW, *_TIMEOUTS),
    "db": (_STORE, *_TIMEOUTS),
    "ledger": (
        _STORE,
        ("TUTELA_LEDGER_KEY", "the ledger's signer key (secret; verifier key derived from it)"),
        ("TUTELA_LEDGER_ORIGIN", "the checkpoints' origin (default tutela.local/ledger)"),
        *_TIMEOUTS,
    ),
    "datasets reflect": (
        ("--url-env NAME", "the database URL is read from the variable NAME"),
        ("--password-env NAME", "the password is read from the variable NAME"),
        *_TIMEOUTS,
    ),
    "anonymise": (
        _STORE,
        ("TUTELA_PROGRAMME", "the programme folder (or --programme; else the current folder)"),
        *_TIMEOUTS,
        ("connector.url_env", "names the variable holding the source system's URL"),
    ),
    "demo": (
        ("TUTELA_HASH_KEY", "masking key (a demonstration-only key if unset)"),
        ("TUTELA_SHOP_URL", "set by the demo for its steps: the shop it builds"),
        ("TUTELA_DATABASE_URL", "set by the demo for its steps: OUT/tutela.sqlite"),
    ),
}
"""Command path (or group) -> the environment variables it reads, with their meaning."""


def _table(title: str, rows: list[tuple[str, str]]) -> str:
    width = max(len(name) for name, _ in rows)
    lines = [f"  {name.ljust(width)}  {meaning}" for name, meaning in rows]
    # "\b" keeps Click from re-wrapping the table into one paragraph.
    return f"{title}:\n\n\b\n" + "\n".join(lines)


def exit_codes_text() -> str:
    """The exit-code table of every command's help."""
    codes = sorted({*EXIT_MEANINGS, *EXIT_CODES.values()})
    documented = {kind_code: kind for kind, kind_code in reversed(EXIT_CODES.items())}
    rows = [
        (str(code), EXIT_MEANINGS.get(code) or _first_line(documented[code].__doc__))
        for code in codes
    ]
    return _table("Exit codes", rows)


def environment_text(path: str) -> str | None:
    """The environment section for the command at ``path`` (e.g. ``"dsr run"``), if any."""
    for scope, rows in ENVIRONMENT.items():
        if path == scope or path.startswith(f"{scope} "):
            text = _table("Environment variables", list(rows))
            settings = any(name.startswith("TUTELA_") for name, _ in rows)
            return f"{text}\n\n({_SETTINGS}.)" if settings else text
    return None


def add_epilogs(app: typer.Typer, path: str = "") -> None:
    """Give every command and group under ``app`` its environment section and exit codes.

    Call once, after the last command is registered (a later command is not reached).
    """
    own = app.info.epilog if isinstance(app.info.epilog, str) else None
    app.info.epilog = _epilog(path, own)
    for command in app.registered_commands:
        name = command.name or getattr(command.callback, "__name__", "").replace("_", "-")
        command.epilog = _epilog(f"{path} {name}".strip(), command.epilog)
    for group in app.registered_groups:
        if group.typer_instance is not None:
            name = getattr(group.name, "value", group.name) or ""
            add_epilogs(group.typer_instance, f"{path} {name}".strip())


def _epilog(path: str, own: str | None = None) -> str:
    codes = exit_codes_text()
    if own is not None and codes in own:
        return own  # added already
    parts = [own, environment_text(path), codes]
    return "\n\n".join(part for part in parts if part)


def _first_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[0].rstrip(".") if lines else "see the error message"
