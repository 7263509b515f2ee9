"""The cookie banner's configuration, choices and GPC over HTTP (CK-1, CK-2, CO-1, CO-3, GPC-1)."""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.consent.test_decisions import programme as with_sharing

from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.consent.banner import banner_config, plan_choices
from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Method
from tutela.programme.loader import load_programme
from tutela.programme.models import Cookie, Programme
from tutela.store.ledger import open_ledger

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
ASSETS = Path(__file__).resolve().parents[2] / "src" / "tutela" / "consent" / "assets"
HASH_KEY = "banner-test-hash-key"
VISITOR = "Vb3kQ9xL2mN7pR4s"
PROBLEM = "application/problem+json"


@cache
def programme() -> Programme:
    """The decisions tests' programme (partner ads, data sharing) plus a marketing cookie."""
    base = with_sharing()
    cookie = Cookie(
        name="ads_id",
        provider="ads.test",
        category="marketing",
        duration="12 months",
        description="Lets partners show you ads.",
        purpose="partner_ads",
        third_party=True,
    )
    return base.model_copy(update={"cookies": [*base.cookies, cookie]})


def make_application(tmp_path: Path) -> Application:
    """An application on a fresh SQLite store at the head revision, with a hash key."""
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()
    return build({"TUTELA_DATABASE_URL": store, "TUTELA_HASH_KEY": HASH_KEY})


def make_api(application: Application) -> FastAPI:
    """The API of the test programme, deciding from the store at every call."""
    api = create_app(application, programme())
    api.state.decisions.refresh = 0  # read the store at every decision (no waiting)
    return api


def stored(application: Application) -> list[ChoiceEvent]:
    """Every choice event in the store."""
    return application.consent_service(programme()).store.events()


@pytest.fixture
def application(tmp_path: Path) -> Application:
    return make_application(tmp_path)


@pytest.fixture
def api(application: Application) -> FastAPI:
    return make_api(application)


@pytest.fixture
def client(api: FastAPI) -> Iterator[TestClient]:
    with TestClient(api, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keys(application: Application) -> dict[str, dict[str, str]]:
    service = application.key_service()
    made = {role: service.create(f"{role}-1", role).key for role in ("agent", "auditor")}
    return {role: {"Authorization": f"Bearer {key}"} for role, key in made.items()}


def decide(client: TestClient, key: dict[str, str], identity: dict[str, str], purpose: str) -> Any:
    answer = client.post(
        "/api/v1/decisions", json={"identity": identity, "purpose": purpose}, headers=key
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def choose(client: TestClient, **body: Any) -> Any:
    headers = body.pop("headers", {})
    answer = client.post(
        "/api/v1/consent/banner", json={"visitor": VISITOR, **body}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


# --- the configuration ----------------------------------------------------------------------


def test_ck_1_config_from_the_cloudockit_programme() -> None:
    config = banner_config(load_programme(EXAMPLE))
    keys = [c.key for c in config.categories]
    assert keys == ["necessary", "preferences", "statistics", "marketing"]
    necessary, preferences, statistics, marketing = config.categories
    assert necessary.required and necessary.purposes == ()
    assert "cookie_consent" in [c.name for c in necessary.cookies]
    assert [p.key for p in preferences.purposes] == ["website_preferences"]
    assert [p.key for p in statistics.purposes] == ["website_statistics"]
    assert [c.name for c in statistics.cookies] == ["_pk_id", "_pk_ses"]
    assert [p.key for p in marketing.purposes] == [
        "direct_marketing",
        "recruitment_apply_with_platform",
    ]
    assert not any(c.required for c in config.categories[1:])
    assert (config.identity, config.cookie, config.cookie_days) == (
        "cookie_id",
        "cookie_consent",
        365,
    )
    assert config.notice_version == "1.1"
    assert config.gpc_blocked == ("marketing",)


def test_ck_1_config_in_the_programme_languages_else_the_first() -> None:
    french = banner_config(load_programme(EXAMPLE), "fr-BE")
    statistics = french.categories[2]
    assert french.language == "fr"
    assert statistics.purposes[0].name == "Statistiques web"
    assert french.texts["accept_all"] == "Tout accepter"
    assert banner_config(load_programme(EXAMPLE), "es").language == "en"
    assert banner_config(load_programme(EXAMPLE), identity="visitor_id").identity == "visitor_id"


def test_gpc_1_plan_keeps_marketing_off_and_opts_out_once() -> None:
    config = banner_config(programme())
    plan = plan_choices(config, ["statistics", "marketing"], [], gpc=True, opted_out=False)
    assert plan.give == ("website_statistics",)
    assert set(plan.withdraw) == {
        "direct_marketing",
        "recruitment_apply_with_platform",
        "partner_ads",
    }
    assert plan.opt_out
    assert not plan_choices(config, [], [], gpc=True, opted_out=True).opt_out
    quiet = plan_choices(config, ["marketing"], [], gpc=False, opted_out=False)
    assert not quiet.opt_out and "partner_ads" in quiet.give


def test_config_route_serves_json_with_cors_and_the_pending_notice(
    api: FastAPI, client: TestClient
) -> None:
    answer = client.get("/api/v1/consent/banner", params={"lang": "nl"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["access-control-allow-origin"] == "*"
    found = answer.json()
    assert found["language"] == "nl" and found["notice"] is None
    assert found["categories"][0]["key"] == "necessary"

    class Pending:
        def current(self) -> dict[str, Any]:
            return {"version": "1.2", "effective_at": "2026-07-01T00:00:00+00:00", "summary": ["x"]}

    api.state.notice = Pending()
    assert client.get("/api/v1/consent/banner").json()["notice"]["version"] == "1.2"
    assert client.get("/api/v1/consent/banner", params={"lang": "<script>"}).status_code == 422
    preflight = client.options("/api/v1/consent/banner")
    assert preflight.status_code == 204
    assert "Sec-GPC" in preflight.headers["access-control-allow-headers"]


# --- recording choices ----------------------------------------------------------------------


def test_co_1_banner_choice_records_consent_per_purpose_and_no_identity(
    application: Application, client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    found = choose(
        client, granted=["statistics"], denied=["marketing", "preferences"], language="en"
    )
    assert VISITOR not in str(found) and found["gpc"] is False
    kinds = {(e["purpose"], e["kind"]) for e in found["recorded"]}
    assert kinds == {
        ("website_statistics", "consent_given"),
        ("website_preferences", "consent_withdrawn"),
        ("direct_marketing", "consent_withdrawn"),
        ("recruitment_apply_with_platform", "consent_withdrawn"),
        ("partner_ads", "consent_withdrawn"),
    }
    events = stored(application)
    assert {e.method for e in events} == {Method.BANNER}
    assert {e.notice_version for e in events if e.purpose == "website_statistics"} == {
        "cookie-banner-2026-1"
    }
    assert all(e.subject.startswith("h:") and VISITOR not in e.subject for e in events)
    visitor = {"cookie_id": VISITOR}
    assert decide(client, keys["agent"], visitor, "website_statistics")["decision"] == "allow"
    assert decide(client, keys["agent"], visitor, "direct_marketing")["reasons"] == [
        "consent:withdrawn"
    ]


def test_co_3_withdrawing_in_the_banner_denies_at_once(
    client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    choose(client, granted=["statistics"])
    visitor = {"cookie_id": VISITOR}
    assert decide(client, keys["agent"], visitor, "website_statistics")["decision"] == "allow"
    choose(client, denied=["statistics"])
    assert decide(client, keys["agent"], visitor, "website_statistics")["reasons"] == [
        "consent:withdrawn"
    ]


@pytest.mark.parametrize("signal", ["header", "body"])
def test_gpc_1_signal_records_one_opt_out_and_denies_sale_and_sharing(
    application: Application, client: TestClient, keys: dict[str, dict[str, str]], signal: str
) -> None:
    visitor = {"cookie_id": VISITOR}
    assert decide(client, keys["agent"], visitor, "data_sharing")["decision"] == "allow"
    extra: dict[str, Any] = {"headers": {"Sec-GPC": "1"}} if signal == "header" else {"gpc": True}
    found = choose(client, granted=["statistics", "marketing"], **extra)
    assert found["gpc"] is True
    given = [e["purpose"] for e in found["recorded"] if e["kind"] == "consent_given"]
    assert given == ["website_statistics"]  # marketing is never granted with GPC on
    opt_outs = [e for e in stored(application) if e.kind is Kind.OPT_OUT]
    assert [(e.purpose, e.method) for e in opt_outs] == [(ALL_PURPOSES, Method.GPC)]
    again = choose(client, granted=["marketing"], **extra)
    assert [e["kind"] for e in again["recorded"]].count("opt_out") == 0
    assert len([e for e in stored(application) if e.kind is Kind.OPT_OUT]) == 1
    shared = decide(client, keys["agent"], visitor, "data_sharing")
    assert shared["decision"] == "deny" and shared["reasons"] == ["opt_out:sale_sharing"]
    assert (
        "opt_out:sale_sharing" in decide(client, keys["agent"], visitor, "partner_ads")["reasons"]
    )


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        ({}, {}),
        ({"gpc": False}, {}),
        ({}, {"Sec-GPC": "0"}),
        ({}, {"Sec-GPC": "true"}),
        ({"gpc": False}, {"Sec-GPC": ""}),
    ],
)
def test_gpc_1_a_false_or_absent_signal_records_nothing_and_allows_nothing_new(
    application: Application,
    client: TestClient,
    keys: dict[str, dict[str, str]],
    body: dict[str, Any],
    headers: dict[str, str],
) -> None:
    found = choose(client, headers=headers, **body)
    assert found == {"recorded": [], "gpc": False}
    assert stored(application) == []
    visitor = {"cookie_id": VISITOR}
    assert decide(client, keys["agent"], visitor, "partner_ads")["reasons"] == ["consent:missing"]
    assert decide(client, keys["agent"], visitor, "data_sharing")["decision"] == "allow"


def test_gpc_1_one_exact_header_among_several_is_enough(
    application: Application, client: TestClient
) -> None:
    headers = [("Sec-GPC", "0"), ("Sec-GPC", "1")]
    answer = client.post("/api/v1/consent/banner", json={"visitor": VISITOR}, headers=headers)
    assert answer.status_code == 200 and answer.json()["gpc"] is True
    assert [(e.purpose, e.kind) for e in stored(application)] == [(ALL_PURPOSES, Kind.OPT_OUT)]


@pytest.mark.parametrize(
    "body",
    [
        {"visitor": 1234567890123456789},
        {"visitor": "short"},
        {"visitor": "x" * 65},
        {"visitor": "<script>alert(1)</script>"},
        {"visitor": "abcdefghijklmnop'; DROP TABLE tutela_choice_event; --"},
        {"visitor": "ééééééééééééééééé"},
        {"visitor": "abcdefghijklmnop\n"},
        {"visitor": VISITOR, "granted": "statistics"},
        {"visitor": VISITOR, "granted": ["statistics"] * 100},
        {"visitor": VISITOR, "granted": ["ads"]},
        {"visitor": VISITOR, "granted": ["statistics'; --"]},
        {"visitor": VISITOR, "granted": [{"$ne": 1}]},
        {"visitor": VISITOR, "gpc": "true"},
        {"visitor": VISITOR, "gpc": 1},
        {"visitor": VISITOR, "granted": ["statistics"], "denied": ["statistics"]},
        {"visitor": VISITOR, "denied": ["necessary"]},
        {"visitor": VISITOR, "language": "en\u0000"},
        {"visitor": VISITOR, "extra": "x"},
        {"granted": ["statistics"]},
        [VISITOR],
    ],
)
def test_hostile_banner_bodies_are_4xx_problems_and_store_nothing(
    application: Application, client: TestClient, body: Any
) -> None:
    answer = client.post("/api/v1/consent/banner", json=body)
    assert 400 <= answer.status_code < 500, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert stored(application) == []


def test_oversized_or_malformed_banner_bodies_are_refused(
    application: Application, client: TestClient
) -> None:
    big = '{"visitor": "' + VISITOR + '", "language": "' + "e" * 5000 + '"}'
    answer = client.post(
        "/api/v1/consent/banner", content=big, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 413 and answer.headers["content-type"] == PROBLEM
    broken = client.post(
        "/api/v1/consent/banner", content=b"{\xff", headers={"Content-Type": "application/json"}
    )
    assert 400 <= broken.status_code < 500
    assert stored(application) == []


# --- the assets -----------------------------------------------------------------------------


def test_ck_2_assets_fit_in_12_kb_gzipped() -> None:
    both = (ASSETS / "banner.js").read_bytes() + (ASSETS / "banner.css").read_bytes()
    assert len(gzip.compress(both, compresslevel=9)) <= 12288


@pytest.mark.parametrize(
    ("path", "media"), [("/banner.js", "text/javascript"), ("/banner.css", "text/css")]
)
def test_assets_are_served_with_type_cache_and_etag(
    client: TestClient, path: str, media: str
) -> None:
    answer = client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(media)
    assert "max-age" in answer.headers["cache-control"]
    assert answer.content == (ASSETS / path.lstrip("/")).read_bytes()
    etag = answer.headers["etag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


# --- staff routes ---------------------------------------------------------------------------


def test_staff_routes_need_consent_write(
    application: Application, client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    body = {
        "identity": {"email": "ann@example.test"},
        "purpose": "direct_marketing",
        "choice": "give",
    }
    assert client.post("/api/v1/consent/choices", json=body).status_code == 401
    refused = client.post("/api/v1/consent/choices", json=body, headers=keys["auditor"])
    assert refused.status_code == 403 and refused.json()["scope"] == "consent:write"
    signal = {"identity": {"email": "ann@example.test"}, "gpc": True}
    assert client.post("/api/v1/consent/signals", json=signal).status_code == 401
    refused = client.post("/api/v1/consent/signals", json=signal, headers=keys["auditor"])
    assert refused.status_code == 403
    assert stored(application) == []


def test_co_3_staff_give_and_withdraw_take_one_call_each(
    application: Application, client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    ann = {"email": "Ann@Example.test"}
    body = {
        "identity": ann,
        "purpose": "direct_marketing",
        "choice": "give",
        "method": "web_form",
        "language": "fr-BE",
        "jurisdiction": "BE",
        "evidence": "form-42",
    }
    given = client.post("/api/v1/consent/choices", json=body, headers=keys["agent"])
    assert given.status_code == 201, given.text
    assert given.json()[0]["kind"] == "consent_given" and "ann@" not in given.text.lower()
    assert decide(client, keys["agent"], ann, "direct_marketing")["decision"] == "allow"
    withdrawn = client.post(
        "/api/v1/consent/choices", json={**body, "choice": "withdraw"}, headers=keys["agent"]
    )
    assert withdrawn.status_code == 201, withdrawn.text
    assert decide(client, keys["agent"], ann, "direct_marketing")["reasons"] == [
        "consent:withdrawn"
    ]
    refused = client.post(
        "/api/v1/consent/choices", json={**body, "purpose": "analytics"}, headers=keys["agent"]
    )
    assert refused.status_code == 422 and refused.headers["content-type"] == PROBLEM
    assert [e.kind for e in stored(application)] == [Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN]


def test_gpc_1_a_forwarded_signal_opts_out_once_and_no_signal_records_nothing(
    application: Application, client: TestClient, keys: dict[str, dict[str, str]]
) -> None:
    ann = {"email": "ann@example.test"}
    quiet = client.post("/api/v1/consent/signals", json={"identity": ann}, headers=keys["agent"])
    assert quiet.status_code == 200 and quiet.json() == {"recorded": [], "gpc": False}
    headers = {**keys["agent"], "Sec-GPC": "1"}
    first = client.post("/api/v1/consent/signals", json={"identity": ann}, headers=headers)
    assert first.status_code == 200, first.text
    assert [(e["purpose"], e["kind"], e["method"]) for e in first.json()["recorded"]] == [
        ("*", "opt_out", "gpc")
    ]
    again = client.post(
        "/api/v1/consent/signals", json={"identity": ann, "gpc": True}, headers=keys["agent"]
    )
    assert again.json()["recorded"] == []
    assert decide(client, keys["agent"], ann, "data_sharing")["reasons"] == ["opt_out:sale_sharing"]
    assert [e.kind for e in stored(application)] == [Kind.OPT_OUT]
