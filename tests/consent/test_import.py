"""Consent and unsubscribe lists imported from CSV: all lines or none (CO-2, CO-3, OB-2)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tutela.bootstrap import Application, build
from tutela.consent import importing
from tutela.consent.decisions import Decision, DecisionTable
from tutela.consent.importing import ImportReport, import_choices
from tutela.consent.records import Kind, Method
from tutela.consent.service import ConsentService
from tutela.errors import RequestError
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.store.ledger import open_ledger

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cloudockit"
HASH_KEY = "import-test-hash-key"
HEADER = "email,phone_number,purpose,choice,at,evidence,language,jurisdiction"
GOOD = [
    "Ann@Example.test,,direct_marketing,given,2025-01-10,list-1,en,BE",
    "ann@example.test,,website_statistics,given,2025-02-01T10:00:00+01:00,list-1,,",
    "bob@example.test,,direct_marketing,given,2025-01-01,,,",
    "bob@example.test,,direct_marketing,unsubscribed,2025-03-01,,,",
    "carol@example.test,,direct_marketing_customers,unsubscribed,2025-03-01,,,",
    "dave@example.test,,analytics,objection,2025-03-02,,,",
    ",+32470123456,direct_marketing,given,,,,",
]
"""Seven good lines: consent, a date alone, unsubscribes (consent and legitimate interest),
an objection to weigh, a subject known by phone only, a line without ``at``."""


@pytest.fixture
def programme() -> Programme:
    return load_programme(EXAMPLE)


@pytest.fixture
def application(database_url: str) -> Iterator[Application]:
    open_ledger(database_url).close()
    built = build({"TUTELA_DATABASE_URL": database_url, "TUTELA_HASH_KEY": HASH_KEY})
    yield built
    built.ledger().close()


@pytest.fixture
def service(application: Application, programme: Programme) -> ConsentService:
    return application.consent_service(programme)


def csv(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *lines, ""]).encode("utf-8")


def stored(service: ConsentService) -> int:
    return len(service.store.events())


def decide(service: ConsentService, identity: dict[str, str], key: str) -> Decision:
    """The decision now, from a table compiled from every stored event."""
    table = DecisionTable.compile(service.programme, service.store.events())
    return table.decide(service.subject(identity), key, datetime.now(UTC))


def test_co2_a_good_file_is_imported_and_decisions_follow(
    application: Application, service: ConsentService, programme: Programme
) -> None:
    report = import_choices(service, csv(*GOOD), "staff:importer")
    assert report == ImportReport(
        read=7, accepted=7, rejected=0, rejections=(), committed=True, defaulted_at=1, weighing=1
    )
    events = service.store.events()
    assert len(events) == 7
    assert len(application.ledger().rows()) == 7  # one ledger entry per event, CO-2
    first = events[0]
    assert (first.kind, first.method, first.evidence) == (
        Kind.CONSENT_GIVEN,
        Method.IMPORT,
        "list-1",
    )
    assert (first.language, first.jurisdiction) == ("en", "BE")
    assert first.notice_version == "marketing-consent-2026-1"
    assert first.at == datetime(2025, 1, 10, tzinfo=UTC)
    assert events[1].at == datetime(2025, 2, 1, 9, tzinfo=UTC)
    kinds = [(e.purpose, e.kind) for e in events[3:6]]
    assert kinds == [
        ("direct_marketing", Kind.CONSENT_WITHDRAWN),  # unsubscribed from a consent purpose
        ("direct_marketing_customers", Kind.OBJECTION),  # from marketing on another basis
        ("analytics", Kind.OBJECTION),
    ]
    reasons = {
        ("ann", "direct_marketing"): ("consent:given",),
        ("ann", "website_statistics"): ("consent:given",),
        ("bob", "direct_marketing"): ("consent:withdrawn",),
        ("carol", "direct_marketing_customers"): ("objection:direct_marketing",),
        ("dave", "analytics"): ("objection",),
        ("nobody", "direct_marketing"): ("consent:missing",),
    }
    for (name, key), expected in reasons.items():
        identity = {"email": f"{name}@example.test"}
        assert decide(service, identity, key).reasons == expected, (name, key)
    by_phone = decide(service, {"phone_number": "+32470123456"}, "direct_marketing")
    assert by_phone.allow  # the line without `at` counts from the import's time


BAD_LINES = {
    "unknown purpose": ("ann@example.test,,nonexistent,given,2025-01-01,,,", "purpose"),
    "consent for a non-consent purpose": (
        "ann@example.test,,analytics,given,2025-01-01,,,",
        "purpose",
    ),
    "malformed identity": ("not-an-address,,direct_marketing,given,2025-01-01,,,", "email"),
    "no identity": (",,direct_marketing,given,2025-01-01,,,", "identity"),
    "bad date": ("ann@example.test,,direct_marketing,given,2025-13-45,,,", "at"),
    "no offset": ("ann@example.test,,direct_marketing,given,2025-01-01T10:00:00,,,", "at"),
    "future date": ("ann@example.test,,direct_marketing,given,2999-01-01,,,", "at"),
    "unknown choice": ("ann@example.test,,direct_marketing,maybe,2025-01-01,,,", "choice"),
    "unsubscribed from a contract purpose": (
        "ann@example.test,,supply_services,unsubscribed,2025-01-01,,,",
        "choice",
    ),
    "bad language": ("ann@example.test,,direct_marketing,given,2025-01-01,,english!,", "language"),
    "injection in the identity": (
        "\"=cmd|' /C calc'!A0\",,direct_marketing,given,2025-01-01,,,",
        "email",
    ),
    "injection in the purpose": ("ann@example.test,,=HYPERLINK(x),given,2025-01-01,,,", "purpose"),
    "injection in the evidence": (
        "ann@example.test,,direct_marketing,given,2025-01-01,@SUM(A1),,",
        "evidence",
    ),
    "huge cell": (
        "ann@example.test,,direct_marketing,given,2025-01-01," + "e" * 600 + ",,",
        "evidence",
    ),
    "huge line": ("ann@example.test," + "x" * 5_000, None),
    "too few cells": ("ann@example.test,direct_marketing,given", None),
    "open quote": ('"ann@example.test,,direct_marketing,given,,,,', None),
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("line", "column"), BAD_LINES.values(), ids=BAD_LINES.keys())
def test_co2_one_bad_line_and_nothing_is_committed_the_report_names_line_and_column(
    service: ConsentService, line: str, column: str | None
) -> None:
    report = import_choices(service, csv(GOOD[0], line, GOOD[2]), "staff:importer")
    assert not report.committed and report.accepted == 0 and stored(service) == 0
    assert (report.read, report.rejected) == (3, 1)
    [rejection] = report.rejections
    assert (rejection.line, rejection.column) == (3, column), rejection
    assert "not-an-address" not in rejection.reason and "cmd" not in rejection.reason
    assert "example.test" not in str(report)


def test_co2_with_skip_bad_the_good_lines_are_committed_and_the_bad_reported(
    service: ConsentService,
) -> None:
    lines = [GOOD[0], BAD_LINES["future date"][0], "", GOOD[3], BAD_LINES["unknown purpose"][0]]
    report = import_choices(service, csv(*lines), "staff:importer", skip_bad=True)
    assert report.committed and (report.read, report.accepted, report.rejected) == (4, 2, 2)
    assert [(r.line, r.column) for r in report.rejections] == [(3, "at"), (6, "purpose")]
    assert stored(service) == 2
    ann = decide(service, {"email": "ann@example.test"}, "direct_marketing")
    assert ann.allow


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_co2_skip_bad_with_no_good_line_commits_nothing(service: ConsentService) -> None:
    report = import_choices(service, csv(BAD_LINES["bad date"][0]), "staff:x", skip_bad=True)
    assert not report.committed and report.rejected == 1 and stored(service) == 0


FILE_ERRORS = {
    "unknown column": (
        b"email,purpose,choice,colour\na@b.c,direct_marketing,given,red\n",
        "'colour'",
    ),
    "missing column": (b"email,choice\nann@example.test,given\n", "no purpose"),
    "no identity column": (b"purpose,choice\ndirect_marketing,given\n", "no identity column"),
    "a column twice": (b"email,purpose,choice,email\n", "email given twice"),
    "wrong encoding": (
        "email,purpose,choice\nzoë@example.test,direct_marketing,given\n".encode("latin-1"),
        "line 2: not UTF-8",
    ),
    "empty file": (b"", "empty"),
    "blank lines only": (b"\n\n \n", "empty"),
    "header only": (b"email,purpose,choice\r\n", "no line to import"),
    "injection in the header": (b"=cmd|calc,purpose,choice\na,b,c\n", "unknown column"),
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize(("data", "message"), FILE_ERRORS.values(), ids=FILE_ERRORS.keys())
def test_co2_a_file_that_cannot_be_read_as_a_whole_is_refused(
    service: ConsentService, data: bytes, message: str
) -> None:
    with pytest.raises(RequestError, match=message.replace("|", r"\|")):
        import_choices(service, data, "staff:importer", skip_bad=True)
    assert stored(service) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_co2_a_utf8_file_with_a_byte_order_mark_and_crlf_is_read(service: ConsentService) -> None:
    data = "\ufeffEmail,Purpose,Choice\r\nzoë@example.test,direct_marketing,given\r\n"
    report = import_choices(service, data.encode("utf-8"), "staff:importer")
    assert report.committed and report.accepted == 1 and report.defaulted_at == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_co2_the_limits_are_enforced(
    service: ConsentService, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = b"email,purpose,choice\n" + b"a@b.c,x,given\n" * (importing.MAX_LINES + 1)
    with pytest.raises(RequestError, match=f"at most {importing.MAX_LINES}"):
        import_choices(service, lines, "staff:importer")
    monkeypatch.setattr(importing, "MAX_BYTES", 1024 * 1024)
    with pytest.raises(RequestError, match="larger than 1 MiB"):
        import_choices(service, b"x" * (1024 * 1024 + 1), "staff:importer")
    assert stored(service) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_co2_a_report_lists_the_first_bad_lines_and_counts_them_all(
    service: ConsentService,
) -> None:
    bad = [BAD_LINES["unknown choice"][0]] * (importing.MAX_LISTED + 5)
    report = import_choices(service, csv(*bad), "staff:importer")
    assert report.rejected == importing.MAX_LISTED + 5
    assert len(report.rejections) == importing.MAX_LISTED
    assert report.rejections[-1].line == importing.MAX_LISTED + 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_co3_importing_the_same_file_twice_adds_events_but_no_decision_changes(
    service: ConsentService,
) -> None:
    lines = [GOOD[0], GOOD[2], GOOD[3], GOOD[4]]
    import_choices(service, csv(*lines), "staff:importer")
    before = {
        name: decide(service, {"email": f"{name}@example.test"}, key).reasons
        for name, key in (("ann", "direct_marketing"), ("bob", "direct_marketing"))
    }
    import_choices(service, csv(*lines), "staff:importer")
    assert stored(service) == 8  # not idempotent: each import is recorded, as evidence
    for name, reasons in before.items():
        identity = {"email": f"{name}@example.test"}
        assert decide(service, identity, "direct_marketing").reasons == reasons
    assert before == {"ann": ("consent:given",), "bob": ("consent:withdrawn",)}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_ob2_an_imported_objection_to_direct_marketing_beats_a_later_consent(
    service: ConsentService,
) -> None:
    now = datetime.now(UTC)
    lines = [
        f"ann@example.test,,direct_marketing,objection,{(now - timedelta(days=2)).isoformat()},,,",
        f"ann@example.test,,direct_marketing,given,{(now - timedelta(days=1)).isoformat()},,,",
    ]
    assert import_choices(service, csv(*lines), "staff:importer").committed
    decision = decide(service, {"email": "ann@example.test"}, "direct_marketing")
    assert not decision.allow and decision.reasons == ("objection:direct_marketing",)
