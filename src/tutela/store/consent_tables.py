"""The table of subjects' choices: consent, objections, restrictions and opt-outs (issue 17).

``tutela_choice_event`` holds one row per :class:`~tutela.consent.records.ChoiceEvent`,
appended and never edited. ``seq`` numbers the rows in the order they were stored (a
cache notices a change by a higher number); ``subject`` is the keyed reference of one
identity, never the identity in clear. Declared on :data:`tutela.store.tables.metadata`;
created by ``0007_consent`` from the same column list.
"""

from __future__ import annotations

import sqlalchemy as sa

from tutela.store.lifecycle_tables import LongBinary
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


# --- propagation of choices to systems, and announced changes of the statement -----------

PROPAGATION = "tutela_propagation"
PROPAGATION_DUE_INDEX = "ix_tutela_propagation_state_next"
PROPAGATION_EVENT_INDEX = "ix_tutela_propagation_event"
ANNOUNCEMENT = "tutela_announcement"
ANNOUNCEMENT_VERSION_INDEX = "uq_tutela_announcement_version"
ANNOUNCEMENT_MAIL = "tutela_announcement_mail"


def propagation_columns() -> list[sa.Column[object]]:
    """``tutela_propagation``: one row per (choice event, system) to push the change to.

    ``state`` is ``pending``, ``retry``, ``delivered`` or ``failed``; ``next_at`` is when a
    pending or retrying delivery is due; ``last_error`` names the host and status only.
    ``message`` is the payload sealed under the store key (it names the subject's
    identities), dropped once delivered or failed.
    """
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("system", sa.String(64), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, default=0),
        sa.Column("next_at", UtcDateTime, nullable=True),
        sa.Column("last_error", sa.String(200), nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("delivered_at", UtcDateTime, nullable=True),
        sa.Column("message", LongBinary, nullable=True),
    ]


def announcement_columns() -> list[sa.Column[object]]:
    """``tutela_announcement``: one row per announced statement version (seed §13).

    ``purposes`` is the JSON list of the consent purposes whose terms changed: consent
    given under an earlier notice no longer counts for them from ``effective_at``.
    ``summary`` is the JSON list of the material changes, as ``statement diff`` found them.
    """
    return [
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("effective_at", UtcDateTime, nullable=False),
        sa.Column("announced_at", UtcDateTime, nullable=False),
        sa.Column("purposes", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
    ]


def announcement_mail_columns() -> list[sa.Column[object]]:
    """``tutela_announcement_mail``: who was sent an announcement's notice, for resuming.

    ``subject`` is the keyed reference of the address, never the address.
    """
    return [
        sa.Column("announcement", sa.Integer, primary_key=True),
        sa.Column("subject", sa.String(66), primary_key=True),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("language", sa.String(16), nullable=True),
        sa.Column("sent_at", UtcDateTime, nullable=True),
    ]


propagation_table = sa.Table(PROPAGATION, metadata, *propagation_columns())
sa.Index(PROPAGATION_DUE_INDEX, propagation_table.c.state, propagation_table.c.next_at)
sa.Index(PROPAGATION_EVENT_INDEX, propagation_table.c.event_id)
announcement_table = sa.Table(ANNOUNCEMENT, metadata, *announcement_columns())
sa.Index(ANNOUNCEMENT_VERSION_INDEX, announcement_table.c.version, unique=True)
announcement_mail_table = sa.Table(ANNOUNCEMENT_MAIL, metadata, *announcement_mail_columns())
