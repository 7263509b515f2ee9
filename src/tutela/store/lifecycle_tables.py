"""The tables of what the request lifecycle keeps for a while beside the request rows.

Each holds ids, digests, dates and sealed bytes (AES-GCM under the store key), never an
identity in clear (:mod:`tutela.requests.keeping` says what each is for and when it goes):

- ``tutela_request_secret``: the sealed identity of an open request;
- ``tutela_request_code``: the one-time code of a request, as a keyed digest;
- ``tutela_rate_event``: one row per code sent under a rate key (keyed digests);
- ``tutela_answer``: an answer awaiting its download, its sealed bytes dropped at purge;
- ``tutela_notification``: one Art. 19 notification per request and recipient.

Declared on :data:`tutela.store.tables.metadata`; created by ``0005_lifecycle`` from the
same column lists.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from tutela.store.tables import UtcDateTime, metadata

LongBinary = sa.LargeBinary().with_variant(mysql.LONGBLOB(), "mysql", "mariadb")
"""Bytes without MariaDB's 64 KiB BLOB limit (a sealed answer can be a large ZIP)."""

SECRET = "tutela_request_secret"
CODE = "tutela_request_code"
RATE_EVENT = "tutela_rate_event"
ANSWER = "tutela_answer"
NOTIFICATION = "tutela_notification"

RATE_KEY_INDEX = "ix_tutela_rate_event_key_at"
NOTIFICATION_RECIPIENT_INDEX = "uq_tutela_notification_recipient"
NOTIFICATION_DUE_INDEX = "ix_tutela_notification_state_next"

RATE_KEY = 80
"""The longest rate key (``identity:`` or ``source:`` and a digest or an address)."""
TARGET = 300
ERROR_TEXT = 300


def secret_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_request_secret`` (shared with the migration)."""
    return [
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("sealed", LongBinary, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    ]


def code_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_request_code`` (shared with the migration)."""
    return [
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("issued_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("used", sa.Boolean, nullable=False),
    ]


def rate_event_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_rate_event`` (shared with the migration)."""
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(RATE_KEY), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
    ]


def answer_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_answer`` (shared with the migration)."""
    return [
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("media_type", sa.String(64), nullable=False),
        sa.Column("filename", sa.String(120), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("downloads", sa.Integer, nullable=False),
        sa.Column("purged_at", UtcDateTime, nullable=True),
        sa.Column("sealed", LongBinary, nullable=True),
    ]


def notification_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_notification`` (shared with the migration)."""
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("request_id", sa.String(36), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("target", sa.String(TARGET), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_at", UtcDateTime, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("delivered_at", UtcDateTime, nullable=True),
        sa.Column("last_error", sa.String(ERROR_TEXT), nullable=True),
        sa.Column("sealed", LongBinary, nullable=True),
    ]


secret_table = sa.Table(SECRET, metadata, *secret_columns())
code_table = sa.Table(CODE, metadata, *code_columns())
rate_event_table = sa.Table(RATE_EVENT, metadata, *rate_event_columns())
answer_table = sa.Table(ANSWER, metadata, *answer_columns())
notification_table = sa.Table(NOTIFICATION, metadata, *notification_columns())

sa.Index(RATE_KEY_INDEX, rate_event_table.c.key, rate_event_table.c.at)
sa.Index(
    NOTIFICATION_RECIPIENT_INDEX,
    notification_table.c.request_id,
    notification_table.c.recipient,
    unique=True,
)
sa.Index(NOTIFICATION_DUE_INDEX, notification_table.c.state, notification_table.c.next_at)
