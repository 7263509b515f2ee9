"""The request state machine: every pair of states for every type, legal or refused."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from tutela.errors import RequestError
from tutela.requests.states import (
    FINAL_STATES,
    TRANSITIONS,
    IllegalTransition,
    MissingReason,
    State,
    allowed_targets,
    state,
    transition,
)
from tutela.requests.types import TYPES, RequestType

S, T = State, RequestType
REASON = "manifestly excessive: the fifth identical request this month (Art. 12(5), FEE-2)"

# The expected lifecycle, written out here independently of the table in states.py.
_ANSWERED = {(S.IN_PROGRESS, S.COMPLETED), (S.IN_PROGRESS, S.WITHDRAWN)}
_EARLY_EXITS = {(S.RECEIVED, S.FORWARDED_TO_CONTROLLER), (S.RECEIVED, S.WITHDRAWN)}
_IDENTITY = {
    (S.RECEIVED, S.AWAITING_IDENTITY),
    (S.RECEIVED, S.VERIFIED),
    (S.AWAITING_IDENTITY, S.VERIFIED),
    (S.RECEIVED, S.DENIED),
    (S.AWAITING_IDENTITY, S.DENIED),
    (S.VERIFIED, S.DENIED),
    (S.AWAITING_IDENTITY, S.FORWARDED_TO_CONTROLLER),
    (S.VERIFIED, S.FORWARDED_TO_CONTROLLER),
    (S.AWAITING_IDENTITY, S.WITHDRAWN),
    (S.VERIFIED, S.WITHDRAWN),
}
VERIFIED_THEN_DONE = _ANSWERED | _EARLY_EXITS | _IDENTITY | {(S.VERIFIED, S.IN_PROGRESS)}
VERIFIED_THEN_WEIGHED = (
    _ANSWERED
    | _EARLY_EXITS
    | _IDENTITY
    | {
        (S.VERIFIED, S.AWAITING_APPROVAL),
        (S.AWAITING_APPROVAL, S.IN_PROGRESS),
        (S.AWAITING_APPROVAL, S.DENIED),
        (S.AWAITING_APPROVAL, S.WITHDRAWN),
    }
)
STRAIGHT_IN = _ANSWERED | _EARLY_EXITS | {(S.RECEIVED, S.IN_PROGRESS)}
STRAIGHT_IN_REFUSABLE = STRAIGHT_IN | {(S.RECEIVED, S.DENIED)}

EXPECTED: dict[RequestType, set[tuple[State, State]]] = {
    T.ACCESS: VERIFIED_THEN_DONE,
    T.ERASURE: VERIFIED_THEN_DONE,
    T.RECTIFICATION: VERIFIED_THEN_DONE,
    T.RESTRICTION: VERIFIED_THEN_DONE,
    T.PORTABILITY: VERIFIED_THEN_DONE,
    T.KNOW: VERIFIED_THEN_DONE,
    T.DELETE: VERIFIED_THEN_DONE,
    T.CORRECT: VERIFIED_THEN_DONE,
    T.OBJECTION: VERIFIED_THEN_WEIGHED,  # OB-1
    T.OBJECTION_DIRECT_MARKETING: STRAIGHT_IN_REFUSABLE,  # OB-2
    T.OPT_OUT_SALE_SHARING: STRAIGHT_IN_REFUSABLE,  # CCR §7026
    T.LIMIT_SENSITIVE: STRAIGHT_IN_REFUSABLE,  # CCR §7027
    T.CONSENT_WITHDRAWAL: STRAIGHT_IN,  # Art. 7(3), CO-3
    T.COMPLAINT: STRAIGHT_IN,  # seed §14
}

ALL_CASES = [
    (kind, source, target)
    for kind in RequestType
    for source, target in itertools.product(State, repeat=2)
]


def test_expected_lifecycle_covers_every_type() -> None:
    assert set(EXPECTED) == set(RequestType) == set(TYPES)


@pytest.mark.parametrize("kind, source, target", ALL_CASES)
def test_every_pair_of_states_for_every_type(
    kind: RequestType, source: State, target: State
) -> None:
    if (source, target) in EXPECTED[kind]:
        assert transition(source, target, kind, reason=REASON) is target
        assert transition(source.value, target.value, kind.value, REASON) is target
        assert target in allowed_targets(source, kind)
        return
    with pytest.raises(IllegalTransition) as refused:
        transition(source, target, kind, reason=REASON)
    message = str(refused.value)
    assert f"from {source} to {target}" in message
    assert f"allowed from {source}: " in message
    assert refused.value.current is source and refused.value.target is target
    assert refused.value.request_type is kind
    assert set(refused.value.allowed) == {t for s, t in EXPECTED[kind] if s is source}


@pytest.mark.parametrize("kind", list(RequestType))
def test_allowed_targets_are_exactly_the_expected_ones(kind: RequestType) -> None:
    for source in State:
        expected = {t for s, t in EXPECTED[kind] if s is source}
        assert set(allowed_targets(source, kind)) == expected, (kind, source)


@pytest.mark.parametrize("kind", list(RequestType))
@pytest.mark.parametrize("final", sorted(FINAL_STATES))
def test_final_states_have_no_way_out(kind: RequestType, final: State) -> None:
    assert final.is_final and allowed_targets(final, kind) == ()
    for target in State:
        with pytest.raises(IllegalTransition, match=f"{final} is final") as refused:
            transition(final, target, kind, reason=REASON)
        assert "allowed from " + final.value + ": none" in str(refused.value)


def test_final_states_are_completed_denied_forwarded_withdrawn() -> None:
    assert {S.COMPLETED, S.DENIED, S.FORWARDED_TO_CONTROLLER, S.WITHDRAWN} == FINAL_STATES
    assert not any(step.source in FINAL_STATES for step in TRANSITIONS)


DENIALS = [(kind, s) for kind in RequestType for s, t in sorted(EXPECTED[kind]) if t is S.DENIED]


@pytest.mark.parametrize("kind, source", DENIALS)
@pytest.mark.parametrize("reason", [None, "", "   ", "\n\t", 42, b"excessive"])
def test_DL_7_denial_without_a_reason_is_refused(
    kind: RequestType, source: State, reason: object
) -> None:
    with pytest.raises(MissingReason, match=r"Art\. 12\(4\), DL-7") as refused:
        transition(source, S.DENIED, kind, reason=reason)  # type: ignore[arg-type]
    assert f"from {source} to denied" in str(refused.value)
    assert isinstance(refused.value, IllegalTransition)


@pytest.mark.parametrize("kind, source", DENIALS)
def test_DL_7_denial_with_a_reason_is_allowed(kind: RequestType, source: State) -> None:
    assert transition(source, S.DENIED, kind, reason=REASON) is S.DENIED


def test_CCR_7026_opt_out_goes_straight_to_in_progress_without_identity() -> None:
    kind = T.OPT_OUT_SALE_SHARING
    assert transition(S.RECEIVED, S.IN_PROGRESS, kind) is S.IN_PROGRESS
    with pytest.raises(IllegalTransition, match=r"has no identity step .*CCR §7026"):
        transition(S.RECEIVED, S.AWAITING_IDENTITY, kind)


def test_ID_1_access_cannot_skip_its_identity_step() -> None:
    with pytest.raises(IllegalTransition, match="must pass its identity step first"):
        transition(S.RECEIVED, S.IN_PROGRESS, T.ACCESS)
    assert transition(S.RECEIVED, S.VERIFIED, T.ACCESS) is S.VERIFIED  # no reasonable doubt


def test_CP_1_complaint_has_no_identity_step_and_is_not_refused() -> None:
    with pytest.raises(IllegalTransition, match=r"complaint has no identity step .*§14"):
        transition(S.RECEIVED, S.AWAITING_IDENTITY, T.COMPLAINT)
    with pytest.raises(IllegalTransition, match="cannot be refused"):
        transition(S.RECEIVED, S.DENIED, T.COMPLAINT, reason=REASON)


def test_CO_3_consent_withdrawal_is_acted_on_at_once_and_not_refused() -> None:
    assert transition(S.RECEIVED, S.IN_PROGRESS, T.CONSENT_WITHDRAWAL) is S.IN_PROGRESS
    with pytest.raises(IllegalTransition, match=r"cannot be refused .*Art\. 7\(3\)"):
        transition(S.RECEIVED, S.DENIED, T.CONSENT_WITHDRAWAL, reason=REASON)


def test_OB_1_objection_is_weighed_by_staff_and_a_refusal_states_the_grounds() -> None:
    with pytest.raises(IllegalTransition, match=r"must be approved by staff first .*OB-1"):
        transition(S.VERIFIED, S.IN_PROGRESS, T.OBJECTION)
    assert transition(S.VERIFIED, S.AWAITING_APPROVAL, T.OBJECTION) is S.AWAITING_APPROVAL
    assert transition(S.AWAITING_APPROVAL, S.IN_PROGRESS, T.OBJECTION) is S.IN_PROGRESS
    grounds = "compelling legitimate grounds override: fraud prevention (Art. 21(1))"
    assert transition(S.AWAITING_APPROVAL, S.DENIED, T.OBJECTION, grounds) is S.DENIED


def test_OB_2_marketing_objection_needs_no_approval() -> None:
    with pytest.raises(IllegalTransition, match="needs no staff approval"):
        transition(S.RECEIVED, S.AWAITING_APPROVAL, T.OBJECTION_DIRECT_MARKETING)
    assert transition(S.RECEIVED, S.IN_PROGRESS, T.OBJECTION_DIRECT_MARKETING) is S.IN_PROGRESS


def test_withdrawn_only_before_completion() -> None:
    for kind in RequestType:
        assert transition(S.IN_PROGRESS, S.WITHDRAWN, kind) is S.WITHDRAWN
        with pytest.raises(IllegalTransition, match="completed is final"):
            transition(S.COMPLETED, S.WITHDRAWN, kind)


def test_PR_2_forwarding_happens_before_the_merits() -> None:
    with pytest.raises(IllegalTransition, match="no step from in_progress to forwarded"):
        transition(S.IN_PROGRESS, S.FORWARDED_TO_CONTROLLER, T.ERASURE)
    assert transition(S.RECEIVED, S.FORWARDED_TO_CONTROLLER, T.ERASURE) is S.FORWARDED_TO_CONTROLLER


def test_staying_in_the_same_state_is_not_a_transition() -> None:
    with pytest.raises(IllegalTransition, match="already received"):
        transition(S.RECEIVED, S.RECEIVED, T.ACCESS)


@pytest.mark.parametrize("kind", list(RequestType))
def test_every_state_with_a_way_out_is_reachable_and_every_path_ends(kind: RequestType) -> None:
    reachable, frontier = {S.RECEIVED}, [S.RECEIVED]
    while frontier:
        for target in allowed_targets(frontier.pop(), kind):
            if target not in reachable:
                reachable.add(target)
                frontier.append(target)
    assert {s for s in State if allowed_targets(s, kind)} <= reachable
    assert S.COMPLETED in reachable and S.WITHDRAWN in reachable
    for here in reachable - FINAL_STATES:
        assert allowed_targets(here, kind), (kind, here)


def test_the_table_is_data_without_duplicates() -> None:
    keys = [(step.source, step.target, step.needs) for step in TRANSITIONS]
    assert len(keys) == len(set(keys))
    assert all(step.rule.strip() for step in TRANSITIONS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        TRANSITIONS[0].target = S.COMPLETED  # type: ignore[misc]


@pytest.mark.parametrize(
    "current, target, kind",
    [
        ("RECEIVED", "verified", "access"),
        ("received", "", "access"),
        (None, "verified", "access"),
        ("received", "done", "access"),
        ("received", "verified", "ACCESS"),
        ("received", "verified", None),
        ("received", "verified", "forget_me"),
    ],
)
def test_unknown_states_and_types_are_refused(
    current: object, target: object, kind: object
) -> None:
    with pytest.raises(RequestError, match=r"unknown request (state|type)"):
        transition(current, target, kind)  # type: ignore[arg-type]


def test_state_parses_only_known_values() -> None:
    assert state("in_progress") is S.IN_PROGRESS
    with pytest.raises(RequestError, match="use one of received, awaiting_identity"):
        state("in progress")
