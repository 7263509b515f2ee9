"""Database URLs: where they come from, which driver they use, and how they are shown.

A URL comes from the programme (``connector.url``, never with a password in
it) or from an environment variable named by ``connector.url_env``; a
``password_env`` variable adds the password at run time. The environment is
passed in as a mapping: nothing here reads ``os.environ``. A URL is only ever
shown through :func:`render_url`, which hides the password.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from tutela import sqlengine
from tutela.errors import ConfigurationError
from tutela.programme.models import ConnectorSettings

DEFAULT_DRIVERS = sqlengine.DEFAULT_DRIVERS
"""Driver used when a URL names only the database (``postgresql://`` uses psycopg 3)."""

_SECRET_QUERY_WORDS = ("password", "passwd", "secret", "token", "key")

URL_EXAMPLE = sqlengine.URL_EXAMPLE


def parse_url(text: str, *, source: str) -> sa.URL:
    """Parse ``text`` as a database URL; ``source`` names where it came from for errors.

    Raises :class:`ConfigurationError` that never repeats the text (it may hold a
    password), also for a port that is not a number or an ``@`` left unescaped in
    the password (:func:`tutela.sqlengine.parse_url`). A bare ``postgresql://`` or
    ``mysql://`` gets the installed driver.
    """
    return sqlengine.parse_url(text, owner=source)


def render_url(url: sa.URL | str) -> str:
    """``url`` as text with its password (and secret-looking query values) hidden.

    A host holding ``@`` is the rest of a password whose ``@`` was not escaped:
    it is hidden too.
    """
    if isinstance(url, str):
        try:
            url = sa.make_url(url)
        except (sa.exc.ArgumentError, ValueError, TypeError):
            return "<unparseable URL>"
    if "@" in (url.host or ""):
        url = url.set(host="***")
    hidden = {
        name: "***"
        for name in url.query
        if any(word in name.lower() for word in _SECRET_QUERY_WORDS)
    }
    return url.update_query_dict(hidden).render_as_string(hide_password=True)


def resolve_url(settings: ConnectorSettings, env: Mapping[str, str], *, system: str) -> sa.URL:
    """The URL of ``system`` from its connector ``settings`` and the environment ``env``.

    Exactly one of ``url`` (no inline password) and ``url_env`` must be set;
    ``password_env``, when set, must name a variable present in ``env``.
    Raises :class:`ConfigurationError` naming the setting or variable to fix.
    """
    where = f"system {system!r}: connector"
    if (settings.url is None) == (settings.url_env is None):
        raise ConfigurationError(f"{where}: set exactly one of url and url_env")
    if settings.url is not None:
        url = parse_url(settings.url, source=f"{where}.url")
        if url.password is not None:
            raise ConfigurationError(
                f"{where}.url holds a password; remove it and name the variable "
                "that holds it in password_env (or move the whole URL to url_env)"
            )
    else:
        name = str(settings.url_env)
        url = parse_url(_variable(env, name, where), source=f"environment variable {name}")
    if settings.password_env is not None:
        url = url.set(password=_variable(env, settings.password_env, where))
    return url


def _variable(env: Mapping[str, str], name: str, where: str) -> str:
    value = env.get(name)
    if not value:
        raise ConfigurationError(f"{where}: environment variable {name} is not set")
    return value
