"""The tables of retention (issue 18): legal holds, scan policies, sweeps and their proofs.

``tutela_retention_hold`` keeps each hold with its reason; the held subject is a keyed
reference and the identity sealed under the store key, purged when the hold is lifted.
``tutela_scan_policy`` keeps the customers' choices set by ``tutela retention
scan-policy``. A sweep is one row of ``tutela_sweep`` (open until ``finished_at``), one
row per (sweep, rule, lane) of ``tutela_sweep_progress`` (a lane is a covered collection,
or one customer's part of it: how far the sweep got, the range planned but not yet
recorded done, running totals), and one row per (sweep, rule, event) of
``tutela_sweep_event`` accumulating the rows deleted per event (a scan). When the sweep
finishes those become ``tutela_event_proof`` rows, one per event, each ledgered.
Declared on :data:`tutela.store.tables.metadata`; created by ``0009_retention`` from the
same column lists.
"""

from __future__ import annotations

import sqlalchemy as sa

from tutela.store.lifecycle_tables import LongBinary
from tutela.store.tables import LongText, UtcDateTime, metadata

HOLD = "tutela_retention_hold"
HOLD_SUBJECT_INDEX = "ix_tutela_retention_hold_subject"
SCAN_POLICY = "tutela_scan_policy"
SWEEP = "tutela_sweep"
SWEEP_PROGRESS = "tutela_sweep_progress"
SWEEP_EVENT = "tutela_sweep_event"
EVENT_PROOF = "tutela_event_proof"
EVENT_PROOF_UNIQUE = "uq_tutela_event_proof_event"
EVENT_PROOF_CUSTOMER_INDEX = "ix_tutela_event_proof_customer"


def hold_columns() -> list[sa.Column[object]]:
    """``tutela_retention_hold``: one row per legal hold, active while ``lifted_at`` is NULL.

    ``conditions`` is the JSON list of a filter hold's tests; ``sealed`` is NULL once lifted
    (or, when an erasure waits for the lift, once that erasure ran); ``erasure_owed`` names
    the erasure request the hold kept data from, until the data is erased after the lift.
    """
    return [
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("scope", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("placed_at", UtcDateTime, nullable=False),
        sa.Column("review_at", sa.Date, nullable=True),
        sa.Column("subject", sa.String(66), nullable=True),
        sa.Column("identity", sa.String(120), nullable=True),
        sa.Column("sealed", LongBinary, nullable=True),
        sa.Column("customer", sa.String(120), nullable=True),
        sa.Column("collection", sa.String(250), nullable=True),
        sa.Column("conditions", LongText, nullable=False),
        sa.Column("lifted_at", UtcDateTime, nullable=True),
        sa.Column("lifted_by", sa.String(200), nullable=True),
        sa.Column("lift_reason", sa.Text, nullable=True),
        sa.Column("erasure_owed", sa.String(64), nullable=True),
    ]


def scan_policy_columns() -> list[sa.Column[object]]:
    """``tutela_scan_policy``: a processor customer's stored choice for its scan data."""
    return [
        sa.Column("customer", sa.String(120), primary_key=True),
        sa.Column("choice", sa.String(32), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("set_at", UtcDateTime, nullable=False),
        sa.Column("actor", sa.String(96), nullable=False),
    ]


def sweep_columns() -> list[sa.Column[object]]:
    """``tutela_sweep``: one sweep; ``now`` fixes every cutoff, ``report`` is set at the end."""
    return [
        sa.Column("id", sa.String(12), primary_key=True),
        sa.Column("now", UtcDateTime, nullable=False),
        sa.Column("started_at", UtcDateTime, nullable=False),
        sa.Column("finished_at", UtcDateTime, nullable=True),
        sa.Column("actor", sa.String(96), nullable=False),
        sa.Column("report", LongText, nullable=True),
    ]


def sweep_progress_columns() -> list[sa.Column[object]]:
    """``tutela_sweep_progress``: how far one sweep got on one lane of one rule.

    ``start`` is the next key to start from (JSON); ``pending_lo``/``pending_hi`` and
    ``pending`` (JSON counts) a range counted but not recorded done; the other columns
    are running totals over the ranges done.
    """
    return [
        sa.Column("sweep", sa.String(12), primary_key=True),
        sa.Column("rule", sa.String(120), primary_key=True),
        sa.Column("lane", sa.String(250), primary_key=True),
        sa.Column("customer", sa.String(120), nullable=True),
        sa.Column("start", sa.Text, nullable=True),
        sa.Column("finished", sa.Boolean, nullable=False),
        sa.Column("examined", sa.BigInteger, nullable=False),
        sa.Column("ended", sa.BigInteger, nullable=False),
        sa.Column("held", sa.BigInteger, nullable=False),
        sa.Column("affected", sa.BigInteger, nullable=False),
        sa.Column("pending_lo", sa.Text, nullable=True),
        sa.Column("pending_hi", sa.Text, nullable=True),
        sa.Column("pending", LongText, nullable=True),
        sa.Column("seconds", sa.Float, nullable=False),
        sa.Column("longest", sa.Float, nullable=False),
    ]


def sweep_event_columns() -> list[sa.Column[object]]:
    """``tutela_sweep_event``: rows one sweep deleted of one event, per collection (JSON)."""
    return [
        sa.Column("sweep", sa.String(12), primary_key=True),
        sa.Column("rule", sa.String(120), primary_key=True),
        sa.Column("event", sa.String(250), primary_key=True),
        sa.Column("customer", sa.String(120), nullable=True),
        sa.Column("rows", sa.Text, nullable=False),
    ]


def event_proof_columns() -> list[sa.Column[object]]:
    """``tutela_event_proof``: what one sweep deleted of one event, ledgered as ``request``."""
    return [
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sweep", sa.String(12), nullable=False),
        sa.Column("rule", sa.String(120), nullable=False),
        sa.Column("event", sa.String(250), nullable=False),
        sa.Column("customer", sa.String(120), nullable=True),
        sa.Column("rows", sa.Text, nullable=False),
        sa.Column("deleted_at", UtcDateTime, nullable=False),
        sa.Column("due_at", UtcDateTime, nullable=True),
        sa.Column("request", sa.String(64), nullable=False),
    ]


hold_table = sa.Table(HOLD, metadata, *hold_columns())
sa.Index(HOLD_SUBJECT_INDEX, hold_table.c.subject)
scan_policy_table = sa.Table(SCAN_POLICY, metadata, *scan_policy_columns())
sweep_table = sa.Table(SWEEP, metadata, *sweep_columns())
sweep_progress_table = sa.Table(SWEEP_PROGRESS, metadata, *sweep_progress_columns())
sweep_event_table = sa.Table(SWEEP_EVENT, metadata, *sweep_event_columns())
event_proof_table = sa.Table(EVENT_PROOF, metadata, *event_proof_columns())
sa.Index(
    EVENT_PROOF_UNIQUE,
    event_proof_table.c.sweep,
    event_proof_table.c.rule,
    event_proof_table.c.event,
    unique=True,
)
sa.Index(EVENT_PROOF_CUSTOMER_INDEX, event_proof_table.c.customer)
