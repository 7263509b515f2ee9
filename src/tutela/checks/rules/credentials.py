"""Secret rules: connector credentials come from the environment, never from the YAML.

A programme lives in a repository; a password written into it is disclosed to everyone
who can read that repository (GDPR Art. 32(1), security of processing).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

from tutela.checks.findings import CheckContext, Rule, Violation, rule

SECRET_NAME = re.compile(r"pass(word|wd)?|secret|token|api[_-]?key|credential", re.IGNORECASE)
"""Names of URL query parameters and connector options that hold secrets."""


def holds_secret(name: str, value: object) -> bool:
    """True if option or parameter ``name`` carries a secret value inline.

    Names ending in ``_env`` hold the name of an environment variable, not a secret.
    """
    is_env_reference = name.lower().endswith("_env")
    return (
        bool(SECRET_NAME.search(name))
        and not is_env_reference
        and isinstance(value, str)
        and bool(value)
    )


def url_has_secret(url: str) -> bool:
    """True if ``url`` carries a password in its user info or a secret query parameter."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return False
    query = parse_qsl(parts.query)
    return bool(password) or any(holds_secret(name, value) for name, value in query)


@rule(
    "secrets/password-in-connector-url",
    severity="error",
    title="Password written inline in a connector URL",
    source="GDPR Art. 32(1); tutela DESIGN (secrets come from the environment)",
)
def password_in_connector_url(context: CheckContext) -> Iterator[Violation]:
    """A connector URL carries no password; use url_env or password_env (Art. 32(1))."""
    for index, system in enumerate(context.programme.systems):
        connector = system.connector
        if connector is not None and connector.url and url_has_secret(connector.url):
            yield Violation(
                ("systems", index, "connector", "url"),
                f"system '{system.key}': the connector url contains a password",
                "remove the password from the YAML and rotate it; set url_env (the whole URL "
                "from an environment variable) or password_env",
            )


@rule(
    "secrets/secret-in-connector-options",
    severity="error",
    title="Secret written inline in connector options",
    source="GDPR Art. 32(1); tutela DESIGN (secrets come from the environment)",
)
def secret_in_connector_options(context: CheckContext) -> Iterator[Violation]:
    """Connector options carry no passwords, tokens or API keys (Art. 32(1))."""
    for index, system in enumerate(context.programme.systems):
        options = system.connector.options if system.connector else {}
        for name, value in sorted(options.items()):
            if holds_secret(name, value):
                yield Violation(
                    ("systems", index, "connector", "options", name),
                    f"system '{system.key}': connector option '{name}' holds a secret inline",
                    "remove it from the YAML, rotate it, and pass it through an environment "
                    "variable (password_env or a *_env option)",
                )


RULES: tuple[Rule, ...] = (password_in_connector_url, secret_in_connector_options)
"""The secret rules, in documentation order."""
