"""The lifecycle of a request as a state machine (GDPR.md §1, §2, §8).

One table, :data:`TRANSITIONS`, lists every allowed step, what the request type must be
for it (an identity step, staff approval, a refusal ground; see
:class:`tutela.requests.types.TypeSpec`) and the rule allowing it. :func:`transition`
returns the new state or raises :class:`IllegalTransition` saying why and what is allowed.
Completed, denied, forwarded and withdrawn are final. Pure: no I/O, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, StrEnum

from tutela.errors import RequestError
from tutela.requests import types as request_types
from tutela.requests.types import TYPES, RequestType, TypeSpec


class State(StrEnum):
    """Where a request stands."""

    RECEIVED = "received"
    AWAITING_IDENTITY = "awaiting_identity"
    VERIFIED = "verified"
    AWAITING_APPROVAL = "awaiting_approval"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    DENIED = "denied"
    FORWARDED_TO_CONTROLLER = "forwarded_to_controller"
    WITHDRAWN = "withdrawn"

    @property
    def is_final(self) -> bool:
        """True when the request is over: no transition leaves this state."""
        return self in FINAL_STATES


FINAL_STATES = frozenset(
    {State.COMPLETED, State.DENIED, State.FORWARDED_TO_CONTROLLER, State.WITHDRAWN}
)


class Need(Enum):
    """What a request type must be for a step; the value says so when it is not."""

    IDENTITY_STEP = "has no identity step"
    NO_IDENTITY_STEP = "must pass its identity step first"
    APPROVAL = "needs no staff approval"
    NO_APPROVAL = "must be approved by staff first"
    REFUSABLE = "cannot be refused"

    def holds(self, spec: TypeSpec) -> bool:
        """True when a type with properties ``spec`` meets this need."""
        return {
            Need.IDENTITY_STEP: spec.identity_step,
            Need.NO_IDENTITY_STEP: not spec.identity_step,
            Need.APPROVAL: spec.needs_approval,
            Need.NO_APPROVAL: not spec.needs_approval,
            Need.REFUSABLE: spec.refusable,
        }[self]


@dataclass(frozen=True)
class Step:
    """One allowed transition, for the types meeting every need, and the rule allowing it."""

    source: State
    target: State
    needs: frozenset[Need]
    rule: str


def _step(source: State, target: State, rule: str, *needs: Need) -> Step:
    return Step(source, target, frozenset(needs), rule)


_S = State
_ID, _NO_ID = Need.IDENTITY_STEP, Need.NO_IDENTITY_STEP
_OK, _NO_OK, _REF = Need.APPROVAL, Need.NO_APPROVAL, Need.REFUSABLE
TRANSITIONS: tuple[Step, ...] = (
    _step(_S.RECEIVED, _S.AWAITING_IDENTITY, "ask for identity at once (ID-1, DL-8)", _ID),
    _step(_S.RECEIVED, _S.VERIFIED, "no reasonable doubt: the session (ID-1, Rec. 64)", _ID),
    _step(_S.AWAITING_IDENTITY, _S.VERIFIED, "identity established (ID-2, ID-3)", _ID),
    _step(_S.RECEIVED, _S.IN_PROGRESS, "no identity step (CCR §7026, Art. 7(3))", _NO_ID, _NO_OK),
    _step(_S.RECEIVED, _S.AWAITING_APPROVAL, "no identity step, weighing", _NO_ID, _OK),
    _step(_S.VERIFIED, _S.IN_PROGRESS, "identity verified", _ID, _NO_OK),
    _step(
        _S.VERIFIED, _S.AWAITING_APPROVAL, "staff weigh the grounds (Art. 21(1), OB-1)", _ID, _OK
    ),
    _step(_S.AWAITING_APPROVAL, _S.IN_PROGRESS, "no overriding grounds (Art. 21(1), OB-1)", _OK),
    _step(_S.IN_PROGRESS, _S.COMPLETED, "answered (AC-1, ER-2, RS-3, OB-2, PO-3)"),
    _step(_S.RECEIVED, _S.DENIED, "unfounded or excessive (Art. 12(5), FEE-2)", _REF),
    _step(_S.AWAITING_IDENTITY, _S.DENIED, "not identified (ID-3, Art. 12(2))", _ID, _REF),
    _step(_S.VERIFIED, _S.DENIED, "a refusal ground (Art. 12(5), FEE-2, PO-1)", _ID, _REF),
    _step(_S.AWAITING_APPROVAL, _S.DENIED, "compelling grounds (Art. 21(1))", _OK, _REF),
    _step(_S.RECEIVED, _S.FORWARDED_TO_CONTROLLER, "processor-role data (PR-2)"),
    _step(_S.AWAITING_IDENTITY, _S.FORWARDED_TO_CONTROLLER, "processor-role data (PR-2)", _ID),
    _step(_S.VERIFIED, _S.FORWARDED_TO_CONTROLLER, "processor-role data (PR-2)", _ID),
    _step(_S.RECEIVED, _S.WITHDRAWN, "withdrawn by the subject before completion"),
    _step(_S.AWAITING_IDENTITY, _S.WITHDRAWN, "withdrawn by the subject", _ID),
    _step(_S.VERIFIED, _S.WITHDRAWN, "withdrawn by the subject", _ID),
    _step(_S.AWAITING_APPROVAL, _S.WITHDRAWN, "withdrawn by the subject", _OK),
    _step(_S.IN_PROGRESS, _S.WITHDRAWN, "withdrawn by the subject before completion"),
)
"""Every allowed transition; anything not here (or not met by the type) is illegal."""


class IllegalTransition(RequestError):
    """A transition the lifecycle does not allow for this type; the message says why."""

    def __init__(self, why: str, current: State, target: State, kind: RequestType) -> None:
        self.current, self.target, self.request_type = current, target, kind
        self.allowed = allowed_targets(current, kind)
        allowed = ", ".join(self.allowed) or "none"
        super().__init__(
            f"a request of type {kind} cannot go from {current} to {target}: {why}; "
            f"allowed from {current}: {allowed}"
        )


class MissingReason(IllegalTransition):
    """A denial without the reasons owed to the subject (Art. 12(4), DL-7)."""


def state(value: object) -> State:
    """``value`` as a state; RequestError naming the states otherwise."""
    if isinstance(value, str) and value in State.__members__.values():
        return State(value)
    raise RequestError(f"unknown request state {value!r}; use one of {', '.join(State)}")


def allowed_targets(current: State | str, kind: RequestType | str) -> tuple[State, ...]:
    """The states a request of type ``kind`` may move to from ``current``, in table order."""
    source, spec = state(current), TYPES[request_types.request_type(kind)]
    return tuple(
        step.target
        for step in TRANSITIONS
        if step.source is source and all(need.holds(spec) for need in step.needs)
    )


def _why_not(current: State, target: State, kind: RequestType) -> str:
    if current.is_final:
        return f"{current} is final, a request that is {current} has no way out"
    if current is target:
        return f"the request is already {current}"
    steps = [s for s in TRANSITIONS if s.source is current and s.target is target]
    if not steps:
        return f"the lifecycle has no step from {current} to {target}"
    spec = TYPES[kind]
    unmet = sorted({n.value for s in steps for n in s.needs if not n.holds(spec)})
    return f"type {kind} {' and '.join(unmet)} ({spec.source})"


def transition(
    current: State | str,
    target: State | str,
    request_type: RequestType | str,
    reason: str | None = None,
) -> State:
    """The state after moving a request of ``request_type`` from ``current`` to ``target``.

    Raises :class:`IllegalTransition` when the table does not allow it for this type,
    with the reason and the states allowed from ``current``; :class:`MissingReason` when
    denying without a reason for the subject (Art. 12(4), DL-7). RequestError for an
    unknown state or type.
    """
    source, goal = state(current), state(target)
    kind = request_types.request_type(request_type)
    if goal not in allowed_targets(source, kind):
        raise IllegalTransition(_why_not(source, goal, kind), source, goal, kind)
    if goal is State.DENIED and not (isinstance(reason, str) and reason.strip()):
        why = "a denial needs its reasons for the subject (Art. 12(4), DL-7)"
        raise MissingReason(why, source, goal, kind)
    return goal


__all__ = [
    "FINAL_STATES",
    "TRANSITIONS",
    "IllegalTransition",
    "MissingReason",
    "Need",
    "State",
    "Step",
    "allowed_targets",
    "state",
    "transition",
]
