"""The table of subjects' choices: consent, objections, restrictions and opt-outs (issue 17).

``tutela_choice_event`` holds one row per :class:`~tutela.consent.records.ChoiceEvent`,
appended and never edited. ``seq`` numbers the rows in the order they were stored (a
cache notices a change by a higher number); ``subject`` is the keyed reference of one
identity, never the identity in clear. Declared on :data:`tutela.store.tables.metadata`;
created by ``0007_consent`` from the same column list.
"""

from __future__ import annotations

import sqlalchemy as sa

from tutela.store.tables import UtcDateTime, metadata

CHOICE_EVENT = "tutela_choice_event"
CHOICE_ID_INDEX = "uq_tutela_choice_event_id"
CHOICE_SUBJECT_INDEX = "ix_tutela_choice_event_subject"


def choice_event_columns() -> list[sa.Column[object]]:
    """The columns of ``tutela_choice_event`` (shared with the migration)."""
    return [
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("subject", sa.String(66), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(24), nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("method", sa.String(16), nullable=False),
        sa.Column("notice_version", sa.String(64), nullable=True),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("jurisdiction", sa.String(8), nullable=True),
        sa.Column("evidence", sa.String(200), nullable=True),
        sa.Column("ends_at", UtcDateTime, nullable=True),
    ]


choice_event_table = sa.Table(CHOICE_EVENT, metadata, *choice_event_columns())
sa.Index(CHOICE_ID_INDEX, choice_event_table.c.id, unique=True)
sa.Index(
    CHOICE_SUBJECT_INDEX,
    choice_event_table.c.subject,
    choice_event_table.c.purpose,
    choice_event_table.c.at,
)
