"""The decision point in memory: reasons, overrides, time (CO-1, CO-3, OB-1, OB-2, RS-2, GPC-1)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import cache
from itertools import count
from pathlib import Path

from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.consent.decisions import Decision, DecisionTable
from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Method, Renewal, subject_ref
from tutela.ledger.checkpoint import generate_key
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.programme.purposes import LegalBasis, Purpose

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
T0 = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
ALICE = subject_ref("email", "alice@example.com", b"k" * 32)
BOB = subject_ref("email", "bob@example.com", b"k" * 32)
_ids = count()


@cache
def programme() -> Programme:
    """Cloudockit plus two sharing purposes (it has none of its own)."""
    base = load_programme(EXAMPLE)
    ads = Purpose(
        key="partner_ads",
        name="Partner ads",
        description="Targeted ads with partners.",
        data_uses=["marketing.advertising.third_party.targeted"],
        legal_basis=LegalBasis.CONSENT,
    )
    sharing = Purpose(
        key="data_sharing",
        name="Data sharing",
        description="Sharing with partners.",
        data_uses=["third_party_sharing"],
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
    )
    return base.model_copy(update={"purposes": [*base.purposes, ads, sharing]})


def event(
    kind: Kind, purpose: str, hours: int, subject: str = ALICE, **extra: object
) -> ChoiceEvent:
    """One event ``hours`` after T0."""
    at = T0 + timedelta(hours=hours)
    method = Method.GPC if kind is Kind.OPT_OUT else Method.WEB_FORM
    return ChoiceEvent(f"e{next(_ids)}", subject, purpose, kind, at, method, **extra)  # type: ignore[arg-type]


def decide(events: list[ChoiceEvent], purpose: str, hours: int = 100) -> Decision:
    table = DecisionTable.compile(programme(), events)
    return table.decide(ALICE, purpose, T0 + timedelta(hours=hours))


def test_co_1_consent_purpose_without_consent_is_denied() -> None:
    assert decide([], "direct_marketing") == Decision(False, ("consent:missing",), "consent")
    given = decide([event(Kind.CONSENT_GIVEN, "direct_marketing", 1)], "direct_marketing")
    assert given == Decision(True, ("consent:given",), "consent")


def test_co_1_consent_is_granular_per_purpose() -> None:
    events = [event(Kind.CONSENT_GIVEN, "website_statistics", 1)]
    assert decide(events, "website_statistics").allow
    assert decide(events, "direct_marketing").reasons == ("consent:missing",)


def test_co_3_withdrawal_denies_at_once_and_re_consent_wins_by_time() -> None:
    withdrawn = [
        event(Kind.CONSENT_GIVEN, "direct_marketing", 1),
        event(Kind.CONSENT_WITHDRAWN, "direct_marketing", 2),
    ]
    assert decide(withdrawn, "direct_marketing").reasons == ("consent:withdrawn",)
    again = [*withdrawn, event(Kind.CONSENT_GIVEN, "direct_marketing", 3)]
    assert decide(list(reversed(again)), "direct_marketing").allow


def test_co_3_a_decision_before_an_event_ignores_it() -> None:
    events = [
        event(Kind.CONSENT_GIVEN, "direct_marketing", 1),
        event(Kind.CONSENT_WITHDRAWN, "direct_marketing", 5),
    ]
    assert decide(events, "direct_marketing", hours=0).reasons == ("consent:missing",)
    assert decide(events, "direct_marketing", hours=3).allow
    assert decide(events, "direct_marketing", hours=5).reasons == ("consent:withdrawn",)


def test_ob_2_objection_to_direct_marketing_overrides_consent() -> None:
    events = [
        event(Kind.CONSENT_GIVEN, "direct_marketing", 1),
        event(Kind.OBJECTION, "direct_marketing", 2),
        event(Kind.CONSENT_GIVEN, "direct_marketing", 3),
    ]
    assert decide(events, "direct_marketing") == Decision(
        False, ("objection:direct_marketing",), "consent"
    )


def test_ob_2_objection_to_soft_opt_in_marketing_is_absolute() -> None:
    objected = [event(Kind.OBJECTION, ALL_PURPOSES, 1)]
    assert decide([], "direct_marketing_customers").allow
    assert decide(objected, "direct_marketing_customers").reasons == ("objection:direct_marketing",)


def test_ob_1_objection_to_legitimate_interest_denies_until_lifted() -> None:
    events = [event(Kind.OBJECTION, "analytics", 1)]
    assert decide(events, "analytics") == Decision(False, ("objection",), "legitimate_interests")
    lifted = [*events, event(Kind.OBJECTION_LIFTED, "analytics", 2)]
    assert decide(lifted, "analytics") == Decision(
        True, ("basis:legitimate_interests",), "legitimate_interests"
    )


def test_ob_1_objection_does_not_stop_a_contract() -> None:
    events = [event(Kind.OBJECTION, "customer_support", 1)]
    assert decide(events, "customer_support") == Decision(True, ("basis:contract",), "contract")


def test_rs_2_restriction_denies_everything_but_storage() -> None:
    events = [
        event(Kind.CONSENT_GIVEN, "direct_marketing", 1),
        event(Kind.CONSENT_GIVEN, "website_preferences", 1),
        event(Kind.RESTRICTION, ALL_PURPOSES, 2),
    ]
    for key in ("direct_marketing", "analytics", "customer_support", "legal_compliance"):
        assert "restriction" in decide(events, key).reasons, key
    assert decide(events, "website_preferences").allow  # functional.storage only


def test_rs_2_restriction_ends_when_lifted_or_at_its_end() -> None:
    ends = T0 + timedelta(hours=10)
    events = [event(Kind.RESTRICTION, "analytics", 2, ends_at=ends)]
    assert decide(events, "analytics", hours=5).reasons == ("restriction",)
    assert decide(events, "analytics", hours=10).allow
    lifted = [
        event(Kind.RESTRICTION, "analytics", 2),
        event(Kind.RESTRICTION_LIFTED, "analytics", 3),
    ]
    assert decide(lifted, "analytics").allow
    assert not decide(lifted, "analytics", hours=2).allow


def test_gpc_1_opt_out_denies_sharing_and_advertising_only() -> None:
    events = [event(Kind.CONSENT_GIVEN, "partner_ads", 1), event(Kind.OPT_OUT, ALL_PURPOSES, 2)]
    assert decide(events, "partner_ads").reasons == ("opt_out:sale_sharing",)
    assert decide(events, "data_sharing").reasons == ("opt_out:sale_sharing",)
    assert decide(events, "analytics").allow
    assert decide(events, "legal_compliance").allow  # sharing required by law is no sale


def test_gpc_1_an_absent_signal_never_allows() -> None:
    assert decide([], "partner_ads").reasons == ("consent:missing",)
    assert decide([], "data_sharing").allow  # its own basis, not the signal
    later = [event(Kind.OPT_OUT, "data_sharing", 1), event(Kind.CONSENT_GIVEN, "data_sharing", 2)]
    assert not decide(later, "data_sharing").allow


def test_every_deny_reason_is_reported_together() -> None:
    events = [
        event(Kind.CONSENT_WITHDRAWN, "partner_ads", 1),
        event(Kind.OBJECTION, "partner_ads", 1),
        event(Kind.RESTRICTION, ALL_PURPOSES, 1),
        event(Kind.OPT_OUT, ALL_PURPOSES, 1),
    ]
    reasons = decide(events, "partner_ads").reasons
    assert reasons == ("restriction", "objection", "opt_out:sale_sharing", "consent:withdrawn")


def test_unknown_purpose_and_events_of_others() -> None:
    events = [event(Kind.OBJECTION, "analytics", 1, subject=BOB), event(Kind.OBJECTION, "nope", 1)]
    assert decide(events, "nope") == Decision(False, ("purpose:unknown",), "")
    assert decide(events, "analytics").allow


def test_decisions_are_shared_immutable_objects() -> None:
    table = DecisionTable.compile(programme(), [event(Kind.CONSENT_GIVEN, "direct_marketing", 1)])
    at = T0 + timedelta(days=1)
    assert table.decide(ALICE, "direct_marketing", at) is table.decide(
        ALICE, "direct_marketing", at
    )
    assert table.decide(BOB, "analytics", at) is table.decide(ALICE, "analytics", at)


def cli(env: dict[str, str], *args: str, code: int = 0) -> str:
    """Run ``tutela`` with ``env``; check its exit code; return its output."""
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == code, result.output
    return result.output


def test_co_3_tutela_decide_after_consent_give_and_withdraw(tmp_path: Path) -> None:
    env = {
        "TUTELA_DATABASE_URL": f"sqlite:///{tmp_path / 'store.sqlite'}",
        "TUTELA_HASH_KEY": "decide-test-hash-key",
        "TUTELA_LEDGER_KEY": generate_key("decide.example.test/ledger").private_text(),
    }
    cli(env, "db", "upgrade")
    who = ("--identity", "email=Alice@Example.com", "--purpose", "direct_marketing")
    ask = ("decide", str(EXAMPLE), *who, "--format", "json")
    before = json.loads(cli(env, *ask))
    assert before == {
        "decision": "deny",
        "reasons": ["consent:missing"],
        "purpose": "direct_marketing",
        "basis": "consent",
    }
    cli(env, "consent", "give", str(EXAMPLE), *who, "--method", "checkbox")
    assert json.loads(cli(env, *ask))["reasons"] == ["consent:given"]
    past = json.loads(cli(env, *ask, "--at", "2020-01-01T00:00:00+00:00"))
    assert past["decision"] == "deny"
    cli(env, "consent", "withdraw", str(EXAMPLE), *who, "--method", "email")
    after = cli(env, *ask)
    assert json.loads(after)["reasons"] == ["consent:withdrawn"]
    assert "alice" not in after.lower()
    text = cli(env, "decide", str(EXAMPLE), *who[:2], "--purpose", "customer_support")
    assert text.startswith("allow: customer_support (contract)")


def test_rt_1_retention_ended_denies_every_purpose_but_held_storage() -> None:
    events = [
        event(Kind.CONSENT_GIVEN, "direct_marketing", 1),
        event(Kind.CONSENT_GIVEN, "website_preferences", 1),
        event(Kind.RETENTION_ENDED, ALL_PURPOSES, 2),
    ]
    for key in ("direct_marketing", "customer_support", "website_preferences"):
        assert decide(events, key).reasons[0] == "retention:ended", key
    assert decide(events, "customer_support", hours=1).allow  # before the end
    held = [*events, event(Kind.LEGAL_HOLD, ALL_PURPOSES, 3)]
    assert decide(held, "website_preferences").reasons == ("consent:given", "legal_hold")
    assert decide(held, "customer_support").reasons == ("retention:ended",)
    lifted = [*held, event(Kind.LEGAL_HOLD_LIFTED, ALL_PURPOSES, 4)]
    assert decide(lifted, "website_preferences").reasons == ("retention:ended",)


def test_rt_1_retention_of_one_purpose_leaves_the_others() -> None:
    events = [event(Kind.RETENTION_ENDED, "analytics", 2)]
    assert decide(events, "analytics").reasons == ("retention:ended",)
    assert decide(events, "customer_support").allow


def test_co_1_changed_terms_need_consent_again_from_the_effective_date() -> None:
    effective = T0 + timedelta(hours=50)
    renewal = Renewal("direct_marketing", "2.0", effective)
    old = [event(Kind.CONSENT_GIVEN, "direct_marketing", 1, notice_version="1.0")]
    table = DecisionTable.compile(programme(), old, [renewal])
    assert table.decide(ALICE, "direct_marketing", effective - timedelta(hours=1)).allow
    after = table.decide(ALICE, "direct_marketing", effective)
    assert after.reasons == ("consent:renewal",) and not after.allow
    renewed = [*old, event(Kind.CONSENT_GIVEN, "direct_marketing", 60, notice_version="2.0")]
    table = DecisionTable.compile(programme(), renewed, [renewal])
    assert table.decide(ALICE, "direct_marketing", T0 + timedelta(hours=55)).reasons == (
        "consent:renewal",
    )
    assert table.decide(ALICE, "direct_marketing", T0 + timedelta(hours=61)).allow
    new = [event(Kind.CONSENT_GIVEN, "direct_marketing", 1, notice_version="2.0")]
    assert (
        DecisionTable.compile(programme(), new, [renewal])
        .decide(ALICE, "direct_marketing", effective + timedelta(days=1))
        .allow
    )


def test_decide_many_gives_what_decide_gives() -> None:
    events = [
        event(Kind.CONSENT_GIVEN, "direct_marketing", 1),
        event(Kind.RESTRICTION, ALL_PURPOSES, 2, ends_at=T0 + timedelta(hours=30)),
        event(Kind.OPT_OUT, ALL_PURPOSES, 3, subject=BOB),
    ]
    table = DecisionTable.compile(programme(), events)
    pairs = [
        (s, p) for s in (ALICE, BOB, "h:nobody") for p in ("direct_marketing", "nope", "analytics")
    ]
    for at in (T0 + timedelta(hours=h) for h in (0, 2, 20, 40)):
        assert table.decide_many(pairs, at) == [table.decide(s, p, at) for s, p in pairs]


def test_a_referencer_gives_the_subject_reference() -> None:
    from tutela.consent.records import referencer

    reference = referencer(b"k" * 32)
    assert reference("email", "alice@example.com") == ALICE
    assert reference("email", "bob@example.com") == BOB
    for key in (b"", b"short", b"k" * 64, b"x" * 65, bytes(range(200))):
        made = referencer(key)
        for name, value in (("email", "a@b.c"), ("customer_id", "42"), ("email", "é@ü.test")):
            assert made(name, value) == subject_ref(name, value, key), (key, value)


def test_lb_1_a_purpose_without_a_legal_basis_is_denied() -> None:
    base = programme()
    bare = Purpose(key="undeclared", name="Undeclared", description="No basis given.")
    table = DecisionTable.compile(base.model_copy(update={"purposes": [*base.purposes, bare]}), [])
    found = table.decide(ALICE, "undeclared", T0)
    assert found == Decision(False, ("basis:missing",), "")


def test_every_deny_reason_with_retention_ended_comes_first() -> None:
    events = [
        event(Kind.CONSENT_WITHDRAWN, "partner_ads", 1),
        event(Kind.OPT_OUT, ALL_PURPOSES, 1),
        event(Kind.RETENTION_ENDED, ALL_PURPOSES, 2),
    ]
    reasons = decide(events, "partner_ads").reasons
    assert reasons == ("retention:ended", "opt_out:sale_sharing", "consent:withdrawn")


def test_co_3_a_decision_now_needs_no_time() -> None:
    now = datetime.now(UTC)
    events = [
        event(Kind.CONSENT_GIVEN, "direct_marketing", 1),
        event(Kind.RESTRICTION, ALL_PURPOSES, 2, subject=BOB, ends_at=now + timedelta(days=9)),
    ]
    table = DecisionTable.compile(programme(), events)
    for subject in (ALICE, BOB, "h:nobody"):
        for purpose in ("direct_marketing", "analytics", "nope"):
            assert table.decide(subject, purpose) == table.decide(subject, purpose, now)
    assert table.decide(BOB, "analytics").reasons == ("restriction",)  # ends in 9 days
    assert table.decide(BOB, "analytics", now + timedelta(days=10)).allow
