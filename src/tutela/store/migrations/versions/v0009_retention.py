"""Retention: legal holds, scan policies, sweeps in progress and per-event proofs (issue 18).

Revision ID: 0009_retention
Revises: 0008_consent_delivery
Create Date: 2027-01-12

Creates the tables of :mod:`tutela.store.retention_tables`. Idempotent
(:mod:`tutela.store.migrations.steps`): a table or index that exists already (a migration
interrupted on MariaDB) is left as it is.
"""

from __future__ import annotations

from alembic import op

from tutela.store import retention_tables as t
from tutela.store.migrations.steps import create_index, create_table

revision = "0009_retention"
down_revision = "0008_consent_delivery"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables and their indexes, if missing."""
    create_table(t.HOLD, *t.hold_columns())
    create_table(t.SCAN_POLICY, *t.scan_policy_columns())
    create_table(t.SWEEP, *t.sweep_columns())
    create_table(t.SWEEP_PROGRESS, *t.sweep_progress_columns())
    create_table(t.SWEEP_EVENT, *t.sweep_event_columns())
    create_table(t.EVENT_PROOF, *t.event_proof_columns())
    create_index(t.HOLD_SUBJECT_INDEX, t.HOLD, ["subject"])
    create_index(t.EVENT_PROOF_UNIQUE, t.EVENT_PROOF, ["sweep", "rule", "event"], unique=True)
    create_index(t.EVENT_PROOF_CUSTOMER_INDEX, t.EVENT_PROOF, ["customer"])


def downgrade() -> None:
    """Drop the tables."""
    for table in (t.EVENT_PROOF, t.SWEEP_EVENT, t.SWEEP_PROGRESS, t.SWEEP, t.SCAN_POLICY, t.HOLD):
        op.drop_table(table)
