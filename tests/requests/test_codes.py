"""One-time identity codes against GDPR.md §1.2 (ID-1, ID-2): digests, attempts, rate limits."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from tutela import i18n
from tutela.requests.codes import (
    CODE_TTL,
    CheckResult,
    CodeError,
    CodeRecord,
    Outcome,
    RateLimit,
    RateLimiter,
    channel_address,
    check,
    code_digest,
    email_code_suffices,
    identity_digest,
    issue,
    required_verification,
)
from tutela.requests.types import RequestType, Verification

KEY = b"k" * 32
OTHER_KEY = b"o" * 32
NOW = datetime(2026, 3, 5, 10, 0, tzinfo=UTC)
ADDRESS = "Subject@Example.org"


def _issue(request_id: str = "req-1", number: int = 123456) -> tuple[str, CodeRecord]:
    issued = issue(request_id, ADDRESS, key=KEY, now=NOW, draw=lambda n: number)
    return issued.code, issued.record


def _check(
    record: CodeRecord | None, code: object, *, at: datetime = NOW, rid: str = "req-1"
) -> CheckResult:
    return check(record, request_id=rid, address=ADDRESS, submitted=code, key=KEY, now=at)


def test_id1_right_code_verifies_once() -> None:
    code, record = _issue()
    assert code == "123456"
    result = _check(record, code)
    assert result.outcome is Outcome.VERIFIED and result.verified
    assert result.record is not None and result.record.used
    assert _check(result.record, code).outcome is Outcome.UNKNOWN  # one-time
    assert _check(record, f" {code}\n").verified  # a pasted line break is forgiven


def test_id1_code_is_drawn_with_leading_zeros_and_8_digits() -> None:
    issued = issue("req-1", ADDRESS, key=KEY, now=NOW, digits=8, draw=lambda n: 42)
    assert issued.code == "00000042"
    assert _check(issued.record, "0000 0042").verified
    real = issue("req-1", ADDRESS, key=KEY, now=NOW)  # secrets.randbelow by default
    assert len(real.code) == 6 and real.code.isdigit()
    with pytest.raises(CodeError):
        issue("req-1", ADDRESS, key=KEY, now=NOW, digits=4)


def test_id2_expired_code_is_refused() -> None:
    code, record = _issue()
    assert record.expires_at == NOW + CODE_TTL
    assert _check(record, code, at=NOW + CODE_TTL - timedelta(seconds=1)).verified
    result = _check(record, code, at=NOW + CODE_TTL)
    assert result.outcome is Outcome.EXPIRED and result.record == record


def test_id2_wrong_codes_count_down_then_lock() -> None:
    code, record = _issue()
    lefts = []
    for _ in range(4):
        result = _check(record, "654321")
        assert result.outcome is Outcome.WRONG
        lefts.append(result.attempts_left)
        assert result.record is not None
        record = result.record
    assert lefts == [4, 3, 2, 1]
    last = _check(record, "654321")
    assert last.outcome is Outcome.LOCKED and last.record is not None
    assert _check(last.record, code).outcome is Outcome.LOCKED  # even the right code


def test_id1_code_of_another_request_is_refused() -> None:
    code_a, _record_a = _issue("req-a", 111111)
    _code_b, record_b = _issue("req-b", 222222)
    assert _check(record_b, code_a, rid="req-b").outcome is Outcome.WRONG
    assert _check(record_b, "222222", rid="req-a").outcome is Outcome.UNKNOWN
    assert _check(None, code_a).outcome is Outcome.UNKNOWN


def test_id2_digest_differs_per_request_address_and_key() -> None:
    base = code_digest(KEY, "req-1", "a@b.c", "123456")
    assert base != code_digest(KEY, "req-2", "a@b.c", "123456")
    assert base != code_digest(KEY, "req-1", "x@b.c", "123456")
    assert base != code_digest(OTHER_KEY, "req-1", "a@b.c", "123456")
    assert base == code_digest(KEY, "req-1", "A@B.C", "123456")
    with pytest.raises(CodeError):
        code_digest(b"short", "req-1", "a@b.c", "123456")


def test_id2_record_never_holds_the_code_in_clear() -> None:
    issued = issue("req-1", ADDRESS, key=KEY, now=NOW, draw=lambda n: 987654)
    assert "987654" not in repr(issued) and "987654" not in repr(issued.record)
    fields = dataclasses.asdict(issued.record)
    assert all("987654" not in str(value) for value in fields.values())
    assert ADDRESS.lower() not in repr(issued.record)
    with pytest.raises(dataclasses.FrozenInstanceError):
        issued.record.attempts = 0  # type: ignore[misc]


@pytest.mark.parametrize(
    "hostile",
    [
        "",
        "   ",
        "9" * 100_000,
        "12345a",
        "١٢٣٤٥٦",
        "123\n456",
        "１２３４５６",
        None,
        123456,
        "+12345",
    ],
)
def test_id2_hostile_codes_count_as_wrong(hostile: object) -> None:
    _code, record = _issue()
    result = _check(record, hostile)
    assert result.outcome is Outcome.WRONG and result.attempts_left == 4


@pytest.mark.parametrize(
    "address", ["a@b.c\nBcc: x@y.z", "a@b.c\r\nBcc: x@y.z", "A <a@b.c>", "a@b.c, d@e.f", "", "ab"]
)
def test_id2_header_injection_in_address_is_refused(address: str) -> None:
    with pytest.raises(CodeError) as caught:
        issue("req-1", address, key=KEY, now=NOW)
    assert "Bcc" not in str(caught.value)
    with pytest.raises(CodeError):
        channel_address(address)


def test_id2_naive_time_and_bad_request_id_are_refused() -> None:
    with pytest.raises(CodeError):
        issue("req-1", ADDRESS, key=KEY, now=datetime(2026, 3, 5))
    with pytest.raises(CodeError):
        issue("req\n1", ADDRESS, key=KEY, now=NOW)


def test_id2_messages_never_reveal_code_or_address() -> None:
    code, _record = _issue()
    for language in i18n.LANGUAGES:
        with i18n.language(language):
            for outcome in Outcome:
                text = outcome.message
                assert text and code not in text and "@" not in text
    with i18n.language("fr"):
        assert Outcome.EXPIRED.message != Outcome.EXPIRED.value
        assert "expiré" in Outcome.EXPIRED.message


def test_id2_rate_limit_per_identity_with_retry_after() -> None:
    limiter = RateLimiter(per_identity=RateLimit(5, timedelta(hours=1)))
    who = identity_digest(KEY, ADDRESS)
    assert ADDRESS.lower() not in who
    for minute in range(5):
        decision = limiter.attempt(who, "192.0.2.1", NOW + timedelta(minutes=minute))
        assert decision.allowed and decision.retry_after == 0
        limiter = decision.limiter
    refused = limiter.attempt(who, "192.0.2.9", NOW + timedelta(minutes=10))
    assert not refused.allowed and refused.retry_after == 50 * 60  # the first leaves at 11:00
    again = refused.limiter.attempt(who, "192.0.2.9", NOW + timedelta(hours=1))
    assert again.allowed  # sliding: the first code left the window, the right is not refused
    other = identity_digest(KEY, "other@example.org")
    assert limiter.attempt(other, "192.0.2.1", NOW + timedelta(minutes=10)).allowed


def test_id2_rate_limit_per_source_with_retry_after() -> None:
    limiter = RateLimiter(per_source=RateLimit(3, timedelta(minutes=30)))
    for n in range(3):
        who = identity_digest(KEY, f"p{n}@example.org")
        decision = limiter.attempt(who, "2001:db8::1", NOW + timedelta(seconds=n))
        assert decision.allowed
        limiter = decision.limiter
    who = identity_digest(KEY, "p9@example.org")
    refused = limiter.attempt(who, "2001:DB8:0::1", NOW + timedelta(minutes=29, seconds=59.5))
    assert not refused.allowed and refused.retry_after == 1
    assert limiter.attempt(who, "192.0.2.1", NOW).allowed
    mapped = RateLimiter(per_source=RateLimit(1, timedelta(hours=1))).attempt("x", "1.2.3.4", NOW)
    assert not mapped.limiter.attempt("y", "::ffff:1.2.3.4", NOW).allowed


def test_id2_rate_limit_is_pure_and_refuses_bad_limits() -> None:
    limiter = RateLimiter()
    limiter.attempt("x", "192.0.2.1", NOW)
    assert limiter.sent == {}
    with pytest.raises(CodeError):
        RateLimit(0, timedelta(hours=1))


def test_id1_id2_proportionate_levels() -> None:
    opt_out = required_verification("opt_out_sale_sharing")
    assert opt_out is Verification.NONE
    assert required_verification(RequestType.OBJECTION_DIRECT_MARKETING) is Verification.CHANNEL
    for heavier in (RequestType.ERASURE, RequestType.ACCESS):
        assert required_verification(heavier) > opt_out
        assert required_verification(heavier) > Verification.CHANNEL
        assert email_code_suffices(heavier)
    assert email_code_suffices(RequestType.COMPLAINT)


def test_id2_code_alone_is_not_enough_for_ccpa_certainty() -> None:
    assert required_verification("know") is Verification.REASONABLY_HIGH
    for name in ("know", "delete", "correct"):
        assert required_verification(name) >= Verification.REASONABLE
        assert not email_code_suffices(name)
    with pytest.raises(Exception, match="unknown request type"):
        required_verification("teleport")
