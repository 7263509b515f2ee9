"""Staff decisions that take more than one step of the lifecycle, for the API.

A denial or a forwarding ends a request: the subject is owed a letter with the reason and
the complaint route (Art. 12(4), DL-7) or the controller to address (PR-2), kept as the
request's answer. :class:`StaffDesk` does the decision and the letter together, as
``tutela requests deny`` and ``forward`` do; single steps (approve, extend, fee) are the
lifecycle services' own methods. :meth:`StaffDesk.intake` records a batch of requests
staff received and verified, approved in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from tutela.requests.intake_batch import submit_many
from tutela.requests.staff import Decided

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tutela.requests.answering import Answering
    from tutela.requests.intake_batch import BatchItem
    from tutela.requests.records import RequestRecord
    from tutela.requests.service import RequestService
    from tutela.requests.staff import StaffSteps


class StaffDesk:
    """Denials, refusals and forwarding with their letters, and the complaints' list."""

    def __init__(self, requests: RequestService, steps: StaffSteps, answering: Answering) -> None:
        self.requests, self.steps, self.answering = requests, steps, answering

    def deny(
        self,
        identifier: str,
        reason: str,
        *,
        excessive: bool = False,
        unfounded: bool = False,
        actor: str,
    ) -> Decided:
        """Deny (or refuse as excessive or unfounded, Art. 12(5)(b)) and keep the letter."""
        if excessive or unfounded:
            decided = self.steps.refuse(
                identifier, reason, unfounded=unfounded, actor=actor, purge=False
            )
        else:
            denied = self.requests.deny(identifier, reason, actor=actor, purge=False)
            decided = Decided(denied, ())
        self.answering.closing_letter(decided.request.id, actor=actor)
        return decided

    def extend(
        self, identifier: str, reason: str, notice_at: datetime | None, *, actor: str
    ) -> RequestRecord:
        """Extend the deadline once (DL-5) and tell the subject why by e-mail (DL-6)."""
        extended = self.requests.extend(identifier, reason, notice_at, actor=actor)
        self.answering.tell_extension(extended.id, actor=actor)
        return extended

    def forward(self, identifier: str, customer: str, *, actor: str) -> Decided:
        """Forward a request about processor data to the customer (PR-2); keep the letter."""
        decided = self.steps.forward(identifier, customer, actor=actor, purge=False)
        self.answering.closing_letter(decided.request.id, actor=actor)
        return decided

    def intake(self, items: Sequence[BatchItem], actor: str) -> list[RequestRecord]:
        """Submit, verify and approve a batch of requests staff received, in one transaction.

        A bad item refuses the whole batch, naming its index and field (nothing stored).
        """
        return submit_many(self.requests, items, actor)

    def complaints(self, state: str | None = None) -> list[RequestRecord]:
        """The complaints (seed §14, CP-1), earliest due first."""
        return self.requests.list(state=state, kind="complaint")
