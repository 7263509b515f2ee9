"""Consent receipts: ISO/IEC TS 27560 and Kantara v1.1 fields, the ledger digest (CO-2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.consent.test_unsubscribe import (
    ANN,
    EXAMPLE,
    PUBLIC,
    T0,
    MovingClock,
    _application,
)
from typer.testing import CliRunner

from tutela.api.app import create_app
from tutela.bootstrap import Application
from tutela.cli.main import app as cli
from tutela.consent.receipts import Receipts, UnknownEvent, receipt
from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Method
from tutela.consent.service import Context
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.programme.purposes import LegalBasis
from tutela.requests.sealing import LinkError

ISO_FIELDS = {
    "schema_version",
    "record_id",
    "pii_principal_id",
    "controllers",
    "notice",
    "purposes",
    "purpose_ref",
    "event",
    "jurisdiction",
}
ISO_PURPOSE = {
    "purpose_id",
    "purpose",
    "description",
    "lawful_basis",
    "data_uses",
    "pii_categories",
    "recipients",
    "retention",
    "withdrawal_method",
}
KANTARA_FIELDS = {
    "version",
    "jurisdiction",
    "consentTimestamp",
    "collectionMethod",
    "consentReceiptID",
    "language",
    "piiPrincipalId",
    "piiControllers",
    "policyUrl",
    "services",
    "sensitive",
    "spiCat",
}
KANTARA_PURPOSE = {
    "purpose",
    "purposeCategory",
    "consentType",
    "piiCategory",
    "primaryPurpose",
    "termination",
    "thirdPartyDisclosure",
    "thirdPartyName",
}
WEB = Context(Method.WEB_FORM, language="fr-BE", jurisdiction="BE", evidence="form-7")


@pytest.fixture
def application(tmp_path: Path) -> Application:
    return _application(f"sqlite:///{tmp_path / 'store.sqlite'}")


@pytest.fixture
def programme() -> Programme:
    return load_programme(EXAMPLE)


@pytest.fixture
def receipts(application: Application, programme: Programme) -> Receipts:
    return application.receipts(programme)


def _every_choice(application: Application, programme: Programme) -> list[ChoiceEvent]:
    """One event per purpose of the example: consent given, or an objection."""
    service = application.consent_service(programme)
    made = []
    for purpose in programme.purposes:
        choose = service.give if purpose.legal_basis is LegalBasis.CONSENT else service.object
        made.append(choose(ANN, purpose.key, WEB, actor="system"))
    return made


def test_co_2_every_field_is_present_for_every_cloudockit_purpose(
    application: Application, programme: Programme, receipts: Receipts
) -> None:
    for event in _every_choice(application, programme):
        found = receipts.receipt(event.id)
        iso, kantara = found["iso27560"], found["kantara"]
        assert set(iso) == ISO_FIELDS and set(kantara) == KANTARA_FIELDS
        assert [set(p) for p in iso["purposes"]] == [ISO_PURPOSE]
        (service,) = kantara["services"]
        assert set(service) == {"service", "purposes"}
        assert [set(p) for p in service["purposes"]] == [KANTARA_PURPOSE]
        purpose = programme.purpose(event.purpose)
        assert iso["purposes"][0]["lawful_basis"] == purpose.legal_basis
        assert iso["purposes"][0]["pii_categories"] == purpose.categories
        assert iso["purposes"][0]["retention"], purpose.key
        expected = "EXPLICIT" if purpose.legal_basis is LegalBasis.CONSENT else "NOT_APPLICABLE"
        assert service["purposes"][0]["consentType"] == expected
        assert iso["record_id"] == kantara["consentReceiptID"] == found["receipt_id"] == event.id
        assert iso["pii_principal_id"] == kantara["piiPrincipalId"] == event.subject


def test_co_2_the_receipt_says_who_what_when_how_and_where(
    application: Application, programme: Programme, receipts: Receipts
) -> None:
    service = application.consent_service(programme)
    event = service.give(ANN, "direct_marketing", WEB, actor="system")
    found = receipts.receipt(event.id)
    iso, kantara = found["iso27560"], found["kantara"]
    assert iso["controllers"][0]["name"] == "Lansweeper Canada Inc."
    assert iso["controllers"][0]["contact"] == "privacy@cloudockit.com"
    assert iso["notice"] == {
        "version": "marketing-consent-2026-1",
        "language": "fr-BE",
        "url": "https://www.cloudockit.com/privacy-statement/",
    }
    assert iso["event"] == {
        "event_type": "consent_given",
        "event_state": "given",
        "event_time": T0.isoformat(),
        "method": "web_form",
        "evidence": "form-7",
        "ends_at": None,
    }
    assert iso["jurisdiction"] == kantara["jurisdiction"] == "BE"
    assert "unsubscribe link" in iso["purposes"][0]["withdrawal_method"]
    assert {r["name"] for r in iso["purposes"][0]["recipients"]} >= {"Lansweeper NV"}
    assert kantara["consentTimestamp"] == int(T0.timestamp())
    assert kantara["collectionMethod"] == "web_form"
    assert kantara["language"] == "fr-BE"
    assert kantara["policyUrl"] == "https://www.cloudockit.com/privacy-statement/"
    assert kantara["piiControllers"][0]["piiController"] == "Lansweeper Canada Inc."
    (purpose,) = kantara["services"][0]["purposes"]
    assert purpose["thirdPartyDisclosure"] and purpose["thirdPartyName"] == "Lansweeper NV"
    assert "Marketing contacts" in purpose["termination"]
    assert (kantara["sensitive"], kantara["spiCat"]) == (False, [])
    assert receipt(programme, event) == found  # the same event, the same receipt


def test_co_2_special_categories_make_the_receipt_sensitive(
    programme: Programme, receipts: Receipts, application: Application
) -> None:
    special = "user.demographic.religious_belief"
    purposes = [
        p.model_copy(update={"categories": [*p.categories, special]})
        if p.key == "direct_marketing"
        else p
        for p in programme.purposes
    ]
    changed = programme.model_copy(update={"purposes": purposes})
    event = application.consent_service(programme).give(ANN, "direct_marketing", WEB, actor="a:b")
    kantara = receipt(changed, event)["kantara"]
    assert kantara["sensitive"] is True and kantara["spiCat"] == [special]


def test_co_2_an_event_for_every_purpose_lists_them_all(programme: Programme) -> None:
    event = ChoiceEvent(
        "00000000-0000-0000-0000-000000000001",
        "h:" + "0" * 64,
        ALL_PURPOSES,
        Kind.OPT_OUT,
        T0,
        Method.GPC,
    )
    found = receipt(programme, event)
    assert len(found["iso27560"]["purposes"]) == len(programme.purposes)
    assert found["iso27560"]["purpose_ref"] == "*"
    assert found["iso27560"]["event"]["event_state"] == "opted_out"


def test_co_2_the_digest_is_the_ledger_entrys_on_every_backend(database_url: str) -> None:
    application = _application(database_url)
    programme = load_programme(EXAMPLE)
    events = _every_choice(application, programme)[:4]
    receipts = application.receipts(programme)
    entries = {e.request: e for e in application.ledger().entries()}
    for event in events:
        found = receipts.receipt(event.id)["ledger"]
        entry = entries[event.id]
        assert found["digest"] == entry.after
        assert (found["action"], found["request"]) == (entry.action, entry.request)
    application.ledger().close()


def test_co_2_no_identity_anywhere_in_the_receipt(
    application: Application, programme: Programme, receipts: Receipts
) -> None:
    for event in _every_choice(application, programme):
        text = json.dumps(receipts.receipt(event.id)).lower()
        assert "ann.smith" not in text and "example.test" not in text


def test_co_2_an_unknown_event_is_refused(receipts: Receipts) -> None:
    for event_id in ("00000000-0000-0000-0000-000000000000", "nope", "x" * 500):
        with pytest.raises(UnknownEvent, match="no consent event"):
            receipts.receipt(event_id)


@pytest.fixture
def client(application: Application, programme: Programme) -> Iterator[TestClient]:
    with TestClient(create_app(application, programme), raise_server_exceptions=False) as c:
        yield c


def _path(link: str) -> str:
    assert link.startswith(PUBLIC)
    return link.removeprefix(PUBLIC)


def test_co_2_the_subject_downloads_with_the_signed_link_only(
    application: Application, programme: Programme, receipts: Receipts, client: TestClient
) -> None:
    first, second = _every_choice(application, programme)[:2]
    link = receipts.receipt_link(first)
    answer = client.get(_path(link))
    assert answer.status_code == 200, answer.text
    assert answer.json() == receipts.receipt(first.id)
    token = link.split("token=")[1]
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    refused = [
        f"/api/v1/consent/receipts/{first.id}?token={altered}",
        f"/api/v1/consent/receipts/{second.id}?token={token}",  # another event's link
        f"/api/v1/consent/receipts/{first.id}?token=",
    ]
    for path in refused:
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.get(f"/api/v1/consent/receipts/{first.id}").status_code == 422
    clock = application.clock
    assert isinstance(clock, MovingClock)
    clock.now_at = clock.now_at.replace(year=clock.now_at.year + 1)
    assert client.get(_path(link)).status_code == 403
    with pytest.raises(LinkError, match="expired"):
        receipts.download(first.id, token)


def test_co_2_staff_read_any_receipt_with_decisions_read(
    application: Application, programme: Programme, client: TestClient
) -> None:
    (event,) = _every_choice(application, programme)[:1]
    path = f"/api/v1/staff/consent/receipts/{event.id}"
    assert client.get(path).status_code == 401
    key = application.key_service().create("auditor-1", "auditor").key
    headers = {"Authorization": f"Bearer {key}"}
    answer = client.get(path, headers=headers)
    assert answer.status_code == 200
    assert answer.json()["ledger"]["request"] == event.id
    missing = client.get(
        "/api/v1/staff/consent/receipts/" + "0" * 8 + "-0000" * 3 + "-" + "0" * 12, headers=headers
    )
    assert missing.status_code == 404
    assert client.get("/api/v1/staff/consent/receipts/nope", headers=headers).status_code == 422


def _invoke(application: Application, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), obj=application)
    return result.exit_code, result.output


def test_co_2_cli_prints_the_receipt_and_the_subjects_link(
    application: Application, programme: Programme
) -> None:
    (event,) = _every_choice(application, programme)[:1]
    code, output = _invoke(application, "consent", "receipt", str(EXAMPLE), event.id)
    assert code == 0, output
    assert json.loads(output) == application.receipts(programme).receipt(event.id)
    code, output = _invoke(application, "consent", "receipt", str(EXAMPLE), event.id, "--link")
    assert code == 0, output
    assert output.startswith(f"{PUBLIC}/api/v1/consent/receipts/{event.id}?token=1.")
    code, output = _invoke(application, "consent", "receipt", str(EXAMPLE), "nope")
    assert code == 4 and "no consent event" in output


def test_mk_2_cli_prints_the_link_and_its_headers(application: Application) -> None:
    args = ("consent", "link", str(EXAMPLE), "--identity", "email=ann.smith@example.test")
    code, output = _invoke(application, *args, "--purpose", "direct_marketing")
    assert code == 0, output
    url, unsubscribe, post = output.strip().splitlines()
    assert url.startswith(f"{PUBLIC}/u/") and "ann" not in url.lower()
    assert (
        unsubscribe
        == f"List-Unsubscribe: <{url}>, <mailto:privacy@cloudockit.com?subject=unsubscribe>"
    )
    assert post == "List-Unsubscribe-Post: List-Unsubscribe=One-Click"
    code, output = _invoke(
        application,
        *args,
        "--purpose",
        "direct_marketing_customers",
        "--format",
        "json",
        "--days",
        "2",
    )
    assert code == 0, output
    document = json.loads(output)
    assert document["headers"]["List-Unsubscribe"].startswith(f"<{document['url']}>")
    links = application.unsubscribing(load_programme(EXAMPLE))
    assert links.read(document["url"].removeprefix(f"{PUBLIC}/u/")).purpose.endswith("customers")
    clock = application.clock
    assert isinstance(clock, MovingClock)
    clock.now_at = T0.replace(day=T0.day + 2)
    with pytest.raises(Exception, match="expired"):
        links.read(document["url"].removeprefix(f"{PUBLIC}/u/"))
    for purpose, code_wanted in (("customer_support", 4), ("nope", 4)):
        code, output = _invoke(application, *args, "--purpose", purpose)
        assert code == code_wanted and "Traceback" not in output
    code, output = _invoke(application, *args[:3], "--identity", "email=nope", "--purpose", "x")
    assert code == 4 and "nope" not in output.replace("email=nope", "")
