"""The tables of tutela as a service: staff API keys, job steps, and the privacy@ mailbox.

- ``tutela_api_key``: one row per staff key: its public prefix (how a presented key is
  found), the argon2 hash of the whole key (never the key), a name, a role, and when it
  was made, last used and revoked;
- ``tutela_job``: one row per (request, step): the step's state (ready, claimed, done,
  failed), who claimed it until when, attempts and the last error. The request row and
  its state machine are the truth; a step already done is never done again;
- ``tutela_mail``: one row per inbound message, found again by the keyed digest of its
  Message-ID (so a message read twice becomes one request): what became of it (a request,
  or the staff queue), the type and confidence classified, the request it threads to,
  and the message sealed for staff while it waits in the queue.

Declared on :data:`tutela.store.tables.metadata`; created by ``0006_service`` from the
same column lists.
"""

from __future__ import annotations

import sqlalchemy as sa

from tutela.store.lifecycle_tables import LongBinary
from tutela.store.tables import UtcDateTime, metadata

API_KEY = "tutela_api_key"
JOB = "tutela_job"
MAIL = "tutela_mail"

API_KEY_PREFIX_INDEX = "uq_tutela_api_key_prefix"
JOB_READY_INDEX = "ix_tutela_job_state_ready"
MAIL_MESSAGE_INDEX = "uq_tutela_mail_message"
MAIL_STATE_INDEX = "ix_tutela_mail_state_received"


def api_key_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_api_key`` (shared with the migration)."""
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("hash", sa.String(255), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("last_used_at", UtcDateTime, nullable=True),
        sa.Column("revoked_at", UtcDateTime, nullable=True),
    ]


def job_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_job`` (shared with the migration)."""
    return [
        sa.Column("request_id", sa.String(36), primary_key=True),
        sa.Column("step", sa.String(32), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("ready_at", UtcDateTime, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("claimed_by", sa.String(64), nullable=True),
        sa.Column("claimed_until", UtcDateTime, nullable=True),
        sa.Column("done_at", UtcDateTime, nullable=True),
        sa.Column("last_error", sa.String(300), nullable=True),
    ]


def mail_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_mail`` (shared with the migration)."""
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("message", sa.String(64), nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("request_id", sa.String(36), nullable=True),
        sa.Column("type", sa.String(40), nullable=True),
        sa.Column("confidence", sa.Float, nullable=True),
        sa.Column("language", sa.String(8), nullable=True),
        sa.Column("reason", sa.String(300), nullable=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("sealed", LongBinary, nullable=True),
    ]


api_key_table = sa.Table(API_KEY, metadata, *api_key_columns())
job_table = sa.Table(JOB, metadata, *job_columns())
mail_table = sa.Table(MAIL, metadata, *mail_columns())
sa.Index(API_KEY_PREFIX_INDEX, api_key_table.c.prefix, unique=True)
sa.Index(JOB_READY_INDEX, job_table.c.state, job_table.c.ready_at)
sa.Index(MAIL_MESSAGE_INDEX, mail_table.c.message, unique=True)
sa.Index(MAIL_STATE_INDEX, mail_table.c.state, mail_table.c.received_at)
