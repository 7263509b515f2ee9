"""Staff decisions on a request: flags, fees, refusals on lawful grounds, forwarding.

A request may be flagged as repetitive (:class:`~tutela.requests.excessive.ExcessRule`);
staff may then charge a reasonable fee or refuse it, only on the grounds of Art. 12(5)
and 15(3) (FEE-1, FEE-2), and the subject is told why with the right to complain to the
authorities the programme names (DL-7): :meth:`StaffSteps.fee`, :meth:`StaffSteps.refuse`.
A request about data the organisation processes for a customer is forwarded to that
customer with what the DPA requires, and the subject told whom to address (PR-2):
:meth:`StaffSteps.forward`. Each change is ledgered with the request's new state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation

from tutela.errors import ConfigurationError, RequestError
from tutela.programme.models import Programme
from tutela.requests import excessive
from tutela.requests.details import details_of, with_detail
from tutela.requests.keeping import Keeping
from tutela.requests.records import RequestRecord, reason_text
from tutela.requests.service import RequestService
from tutela.requests.states import State
from tutela.requests.types import RequestType


@dataclass(frozen=True)
class Decided:
    """A request after staff's decision, and the notice owed to the subject (DL-7)."""

    request: RequestRecord
    notice: tuple[str, ...]


class StaffSteps:
    """Flags, fees, refusals and forwarding for the requests of ``requests``."""

    def __init__(
        self,
        requests: RequestService,
        keeping: Keeping | None,
        programme: Programme | None,
        rule: excessive.ExcessRule | None = None,
    ) -> None:
        self.requests, self.keeping, self.programme = requests, keeping, programme
        self.rule = rule or excessive.ExcessRule()

    def flag(self, identifier: str) -> excessive.ExcessFlag | None:
        """The excess flag of the request (same subject and type again, too many), or None."""
        record = self.requests.show(identifier)
        earlier = [
            excessive.PastRequest(r.subject.removeprefix("h:"), RequestType(r.type), r.received_at)
            for r in self.requests.store.list(subject=record.subject)
            if r.id != record.id and r.received_at <= record.received_at
        ]
        subject = record.subject.removeprefix("h:")
        return self.rule.assess(subject, record.type, earlier, record.received_at)

    def fee(
        self,
        identifier: str,
        amount: str,
        currency: str,
        basis: str,
        *,
        unfounded: bool = False,
        further_copy: bool = False,
        actor: str = "system",
    ) -> Decided:
        """Ask a reasonable fee before acting (Art. 12(5)(a), 15(3)); refused without a ground."""
        record = self._open(identifier)
        fee = excessive.Fee(_amount(amount), currency, reason_text(basis, "a fee"))
        decision = excessive.decide(
            record.type,
            excessive.Outcome.FEE,
            reason=fee.basis,
            now=self.requests.clock.now(),
            flag=self.flag(record.id),
            manifestly_unfounded=unfounded,
            further_copy=further_copy,
            fee=fee,
        )
        value = {"amount": str(fee.amount), "currency": fee.currency, "ground": decision.ground}
        after = self._detail(record, "fee", {**value, "paid": False}, "fee_asked", actor)
        return Decided(after, self._notice(decision))

    def fee_paid(self, identifier: str, *, actor: str = "system") -> RequestRecord:
        """Record that the fee was paid: the request may go on."""
        record = self._open(identifier)
        fee = details_of(record.details).get("fee")
        if not isinstance(fee, dict):
            raise RequestError(f"request {record.id} has no fee to pay")
        return self._detail(record, "fee", {**fee, "paid": True}, "fee_paid", actor)

    def refuse(
        self,
        identifier: str,
        reason: str,
        *,
        unfounded: bool = False,
        actor: str = "system",
        purge: bool = True,
    ) -> Decided:
        """Refuse a manifestly unfounded or excessive request (Art. 12(5)(b)), with DL-7."""
        record = self._open(identifier)
        decision = excessive.decide(
            record.type,
            excessive.Outcome.REFUSE,
            reason=reason_text(reason, "a refusal"),
            now=self.requests.clock.now(),
            flag=self.flag(record.id),
            manifestly_unfounded=unfounded,
        )
        why = f"{decision.ground}: {decision.reason}"
        denied = self.requests.deny(record.id, why, actor=actor, purge=purge)
        return Decided(denied, self._notice(decision))

    def forward(
        self, identifier: str, customer: str, *, actor: str = "system", purge: bool = True
    ) -> Decided:
        """Forward a request about processor data to the customer (PR-2); tell the subject."""
        from tutela.requests.forwarding import controller_message, forward_targets, subject_notice
        from tutela.rights.planner import forwardings

        programme, keeping = self._programme(), self._keeping()
        record = self._open(identifier)
        identity, _changes = self.requests.identity(record)
        found = forwardings(programme, list(identity))
        (target,) = forward_targets(programme, found, customer)
        message = controller_message(
            target,
            request_id=record.id,
            request_type=record.type,
            received_at=record.received_at,
            sender=keeping.mail_from,
            controller_name=_known_as(programme),
            identity=identity,
            sent_at=self.requests.clock.now(),
        )
        keeping.mailer().send(message)
        moved = self._detail(record, "customer", customer, "forward_sent", actor)
        after = self.requests.move(moved, State.FORWARDED_TO_CONTROLLER, actor, None, purge=purge)
        return Decided(after, subject_notice([target], record.type))

    def _open(self, identifier: str) -> RequestRecord:
        record = self.requests.show(identifier)
        if State(record.state).is_final:
            raise RequestError(f"request {record.id} is {record.state}: nothing more to decide")
        return record

    def _detail(
        self, record: RequestRecord, name: str, value: object, action: str, actor: str
    ) -> RequestRecord:
        now = self.requests.clock.now()
        after = replace(record, details=with_detail(record.details, name, value), updated_at=now)
        self.requests.record_change(record, after, action, actor, now)
        return after

    def _notice(self, decision: excessive.Decision) -> tuple[str, ...]:
        complaints = self.programme.complaints if self.programme is not None else None
        return excessive.notice(decision, complaints).lines

    def _programme(self) -> Programme:
        if self.programme is None:
            raise ConfigurationError("this step needs the programme (give --programme)")
        return self.programme

    def _keeping(self) -> Keeping:
        if self.keeping is None:
            raise ConfigurationError("this step needs tutela's store key and mail server")
        return self.keeping


def _amount(text: str) -> Decimal:
    try:
        value = Decimal(text.strip()) if isinstance(text, str) and len(text) <= 20 else None
    except InvalidOperation:
        value = None
    if value is None:
        raise RequestError("the fee's amount is a number such as 12.50")
    return value


def _known_as(programme: Programme) -> str:
    return programme.organisation.known_as if programme.organisation else ""
