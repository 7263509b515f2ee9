"""Driver exceptions turned into :class:`tutela.errors.ConnectorError`.

The failure is classified by :func:`tutela.sqlengine.classify` (the store uses
the same words): the message starts with what happened (``timed out``,
``connection refused``, ``authentication failed``, ``database does not exist``,
``missing table``...) followed by the driver's first line. ``retryable`` says
whether running the same work again may succeed. Messages never carry the
statement's bound values (they are personal data) nor the password.
"""

from __future__ import annotations

import sqlalchemy as sa

from tutela import sqlengine
from tutela.errors import ConnectorError


def translate(
    error: sa.exc.SQLAlchemyError,
    *,
    system: str,
    password: str | None,
    url: sa.URL | None = None,
) -> ConnectorError:
    """The :class:`ConnectorError` for a SQLAlchemy or driver ``error`` on ``system``."""
    failure = sqlengine.classify(error, url=url, secrets=(password,))
    return ConnectorError(str(failure), system=system, retryable=failure.retryable)
