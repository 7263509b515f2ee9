"""The request store's table: one row per data-subject request, ids and dates only.

``tutela_request`` holds what the lifecycle needs: the type, regime and state, when the
request was received and is due (a local date in the controller's ``zone``, with the
deadline's explanation in ``due_rule``), whether it was extended, and ``subject``, a
keyed digest of the identity (HMAC-SHA256 with the programme's hash key), never the
identity in clear. ``reason`` is a denial's or extension's reason (no personal data, by
contract). Declared on :data:`tutela.store.tables.metadata`; created by ``0004_requests``;
``details`` and ``residence`` added by ``0005_lifecycle``.
"""

from __future__ import annotations

import sqlalchemy as sa

from tutela.store.tables import UtcDateTime, metadata


def request_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_request`` (shared with the migration)."""
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("regime", sa.String(8), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("due_rule", sa.Text, nullable=False),
        sa.Column("extended", sa.Boolean, nullable=False, default=False),
        sa.Column("subject", sa.String(66), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
    ]


def lifecycle_request_columns() -> list[sa.Column[object]]:
    """The columns ``0005_lifecycle`` adds to ``tutela_request`` (shared with the migration).

    ``details`` is what the type carries as canonical JSON (no personal data);
    ``residence`` the subject's country (``BE``) or US state (``US-CA``).
    """
    return [
        sa.Column("details", sa.Text, nullable=True),
        sa.Column("residence", sa.String(6), nullable=True),
    ]


STATE_DUE_INDEX = "ix_tutela_request_state_due"
SUBJECT_INDEX = "ix_tutela_request_subject"

request_table = sa.Table(
    "tutela_request", metadata, *request_columns(), *lifecycle_request_columns()
)
sa.Index(STATE_DUE_INDEX, request_table.c.state, request_table.c.due_date)
sa.Index(SUBJECT_INDEX, request_table.c.subject, request_table.c.received_at)
