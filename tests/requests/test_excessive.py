"""Excessive requests, fees, refusals (Art. 12(4)-(5), 15(3); GDPR.md FEE-1, FEE-2, DL-7, CP-1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tutela.errors import RequestError
from tutela.programme.loader import load_programme
from tutela.requests.excessive import (
    ExcessFlag,
    ExcessReason,
    ExcessRule,
    Fee,
    Outcome,
    PastRequest,
    decide,
    notice,
)
from tutela.requests.types import RequestType

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
ALICE = "a" * 64
BOB = "b" * 64
T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
FEE = Fee(Decimal("25.00"), "eur", "staff time to search and copy the data again")


def _flag(days_later: int) -> ExcessFlag | None:
    history = [PastRequest(ALICE, RequestType.ACCESS, T0)]
    return ExcessRule().assess(ALICE, "access", history, T0 + timedelta(days=days_later))


def test_fee2_second_request_within_window_is_flagged_with_its_reason() -> None:
    flag = ExcessRule().assess(
        ALICE,
        "access",
        [PastRequest(ALICE, RequestType.ACCESS, T0)],
        T0 + timedelta(days=10),
    )
    assert flag is not None and flag.reason is ExcessReason.REPEATED
    assert "within 30 days" in flag.detail and flag.article == "GDPR Art. 12(5)"
    assert flag.evidence[0].received_at == T0


def test_fee2_after_reasonable_interval_not_flagged() -> None:
    assert _flag(30) is None
    assert _flag(45) is None


def test_fee2_other_subject_or_type_not_a_repeat() -> None:
    history = [
        PastRequest(BOB, RequestType.ACCESS, T0),
        PastRequest(ALICE, RequestType.ERASURE, T0),
    ]
    assert ExcessRule().assess(ALICE, "access", history, T0 + timedelta(days=1)) is None


def test_fee2_too_many_requests_in_window() -> None:
    kinds = ["erasure", "rectification", "restriction", "objection", "portability"]
    history = [
        PastRequest(ALICE, RequestType(k), T0 + timedelta(days=40 * i)) for i, k in enumerate(kinds)
    ]
    flag = ExcessRule(max_requests=5).assess(ALICE, "access", history, T0 + timedelta(days=200))
    assert flag is not None and flag.reason is ExcessReason.TOO_MANY and len(flag.evidence) == 5


@pytest.mark.parametrize("value", ["alice@example.com", "", "zz" * 32, None])
def test_id1_subject_must_be_a_keyed_digest(value: object) -> None:
    with pytest.raises(RequestError, match="keyed hex digest"):
        ExcessRule().assess(value, "access", [], T0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"repeat_days": 0}, "repeat_days"), ({"max_requests": True}, "max_requests")],
)
def test_fee2_rule_is_validated(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(RequestError, match=message):
        ExcessRule(**kwargs)  # type: ignore[arg-type]


def test_fee2_naive_now_refused() -> None:
    with pytest.raises(RequestError, match="aware"):
        ExcessRule().assess(ALICE, "access", [], datetime(2026, 1, 1))


def test_fee2_fee_allowed_for_excessive_request() -> None:
    flag = _flag(5)
    decision = decide("access", "fee", reason="fourth copy this month", now=T0, flag=flag, fee=FEE)
    assert decision.outcome is Outcome.FEE and decision.ground == "Art. 12(5)(a)"
    assert decision.fee is not None and decision.fee.currency == "EUR"


def test_fee1_fee_allowed_for_further_copy_only() -> None:
    decision = decide("access", "fee", reason="second copy", now=T0, further_copy=True, fee=FEE)
    assert decision.ground == "Art. 15(3)"
    with pytest.raises(RequestError, match="first copy are free"):
        decide("access", "fee", reason="we always charge", now=T0, fee=FEE)
    with pytest.raises(RequestError, match="no lawful ground for a fee"):
        decide("erasure", "fee", reason="copy", now=T0, further_copy=True, fee=FEE)


def test_fee1_answer_is_free() -> None:
    assert decide("access", "answer", reason="", now=T0).outcome is Outcome.ANSWER
    with pytest.raises(RequestError, match="free"):
        decide("access", "answer", reason="", now=T0, fee=FEE)


@pytest.mark.parametrize(
    ("amount", "currency", "basis"),
    [
        (Decimal(0), "EUR", "costs"),
        (Decimal("NaN"), "EUR", "x"),
        (10, "EUR", "x"),
        (Decimal(5), "euro", "x"),
        (Decimal(5), "EUR", " "),
    ],
)
def test_fee2_fee_must_be_reasoned_amount(amount: object, currency: str, basis: str) -> None:
    with pytest.raises(RequestError):
        Fee(amount, currency, basis)  # type: ignore[arg-type]


def test_fee2_refusal_needs_a_lawful_ground_and_a_reason() -> None:
    with pytest.raises(RequestError, match="no lawful ground to refuse"):
        decide("access", "refuse", reason="we are busy", now=T0)
    with pytest.raises(RequestError, match="reason"):
        decide("access", "refuse", reason="  ", now=T0, flag=_flag(3))
    with pytest.raises(RequestError, match="may not be refused"):
        decide("consent_withdrawal", "refuse", reason="x", now=T0, manifestly_unfounded=True)
    unfounded = decide("erasure", "refuse", reason="no data", now=T0, manifestly_unfounded=True)
    assert unfounded.ground == "Art. 12(5)(b)"


def test_dl7_cp1_refusal_names_reason_belgian_authority_and_judicial_remedy() -> None:
    programme = load_programme(EXAMPLE)
    decision = decide(
        "access",
        Outcome.REFUSE,
        reason="same request three times this week",
        now=T0,
        flag=_flag(2),
    )
    told = notice(decision, programme.complaints)
    assert [a.country for a in told.authorities] == ["BE"]
    assert "APD/GBA" in told.authorities[0].name
    assert "same request three times this week" in told.text
    assert "APD/GBA" in told.text and "dataprotectionauthority.be" in told.text
    assert "judicial remedy" in told.text and "Art. 79" in told.text
    assert "privacy@cloudockit.com" in told.text


def test_dl7_fee_notice_states_amount_and_cost_basis() -> None:
    programme = load_programme(EXAMPLE)
    decision = decide("access", "fee", reason="third copy", now=T0, further_copy=True, fee=FEE)
    text = notice(decision, programme.complaints).text
    assert "25.00 EUR" in text and "administrative costs" in text and "Art. 77" in text


def test_cp1_notice_without_authority_or_for_an_answer_refused() -> None:
    refusal = decide("erasure", "refuse", reason="x", now=T0, manifestly_unfounded=True)
    with pytest.raises(RequestError, match=r"complaints\.authorities"):
        notice(refusal, None)
    with pytest.raises(RequestError, match=r"no Art\. 12"):
        notice(decide("access", "answer", reason="", now=T0), None)
