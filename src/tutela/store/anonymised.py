"""The ledger entries of anonymised releases (``tutela anonymise``).

:class:`SqlReleaseLedger` is the :class:`tutela.anonymise.service.ReleaseLedger` of the
store: each release (``anonymised_release``) or refusal (``anonymised_refused``) is one
entry of its own, on ``release:<key>``, holding digests only.
"""

from __future__ import annotations

from tutela.anonymise.service import LedgerNote
from tutela.store.ledger import NewEntry, SqlLedger


class SqlReleaseLedger:
    """Appends release entries to ``ledger``; StoreError when the store fails."""

    def __init__(self, ledger: SqlLedger) -> None:
        self.ledger = ledger

    def record(self, note: LedgerNote) -> None:
        """Append ``note`` in a transaction of its own."""
        entry = NewEntry(note.time, note.actor, note.action, note.subject, note.before, note.after)
        self.ledger.append_now([entry])
