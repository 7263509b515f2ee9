"""The console's operations pages over ASGI on a real SQLite store: retention sweeps and
holds, consent statistics, the mail queue and the ledger's verification.

The programme is the shop's with two consent purposes (``newsletter``, ``offers``) and
its login events swept after a year, so that sweeps, holds and choices are real.
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, Later, csrf_of, login

from tutela.bootstrap import Application
from tutela.consent.records import Kind
from tutela.consent.service import Choice, Context
from tutela.programme.loader import load_programme
from tutela.programme.models import Programme
from tutela.retention.holds import Hold
from tutela.store.console import login_service
from tutela.testing import shopdb
from tutela.web.consent_chart import Series, chart
from tutela.web.console_mail import masked
from tutela.web.console_stats import asked_days

CONSENT_PURPOSES = """\
purposes:
  - key: newsletter
    name: Newsletter
    description: Send product news to those who asked for it.
    legal_basis: consent
    consent: {notice: Tick the box., methods: [checkbox], withdrawal: Unsubscribe link.}
    categories: [user.contact.email]
    subjects: [shop_customer]
    sources: [from_customer]
    retention: account_life
  - key: offers
    name: Personal offers
    description: Offers chosen from your orders.
    legal_basis: consent
    consent: {notice: Tick the box., methods: [checkbox], withdrawal: Untick the box.}
    categories: [user.contact.email]
    subjects: [shop_customer]
    sources: [from_customer]
    retention: account_life
"""
SWEPT_RULE = (
    "  - {key: one_year, name: One year after the login, period: 1y, trigger: collection,\n"
    "     covers: {collections: [shop_db.login_event]}}"
)
QUESTION = b"""\
From: Alice Martin <alice.martin@example.org>
To: privacy@shop.example.test
Subject: Question about my parcel
Message-ID: <parcel-1@example.org>
Date: Mon, 30 Nov 2026 08:00:00 +0000
Content-Type: text/plain; charset=utf-8

Hello, my parcel has not arrived. The tracking number is ZX-SECRET-BODY-42.
"""


@pytest.fixture
def programme(tmp_path: Path) -> Programme:
    """The shop's programme, with two consent purposes and its login events swept."""
    folder = tmp_path / "programme"
    shutil.copytree(shopdb.shop_programme_path(), folder)
    purposes = folder / "purposes.yml"
    text = purposes.read_text(encoding="utf-8")
    text = text.replace(
        "  - {key: one_year, name: One year after the login, period: 1y, trigger: collection}",
        SWEPT_RULE,
    )
    purposes.write_text(text.replace("purposes:\n", CONSENT_PURPOSES, 1), encoding="utf-8")
    systems = folder / "systems.yml"
    systems.write_text(
        systems.read_text(encoding="utf-8")
        .replace(
            "          - name: login_event\n            purposes: [security]\n",
            "          - name: login_event\n            purposes: [security]\n"
            "            retention_from: ts\n",
        )
        .replace("{name: ts, data_categories", "{name: ts, type: datetime, data_categories"),
        encoding="utf-8",
    )
    return load_programme(folder)


class Cells(HTMLParser):
    """The cells of the rows of table ``table_id`` with a ``data-purpose``, by class."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside = table_id, False
        self.row: dict[str, str] | None = None
        self.rows: list[dict[str, str]] = []
        self.cell: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self.inside = found.get("id") == self.table_id
        elif self.inside and tag == "tr" and found.get("data-purpose"):
            row = {"purpose": found["data-purpose"] or "", "period": found.get("data-period") or ""}
            self.rows.append(row)
            self.row = row
        elif self.row is not None and tag == "td":
            self.cell = ((found.get("class") or "").split() or [""])[-1]

    def handle_data(self, data: str) -> None:
        if self.row is not None and self.cell is not None and data.strip():
            self.row[self.cell] = data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.cell = None
        elif tag in ("tr", "table"):
            self.row = None
            self.inside = self.inside and tag != "table"


def cells(text: str, table_id: str) -> list[dict[str, str]]:
    parser = Cells(table_id)
    parser.feed(text)
    return parser.rows


def staff(client: TestClient, application: Application, role: str) -> None:
    """Add a login ``bea`` of ``role`` and log ``bea`` in on ``client``."""
    login_service(application.ledger(), application.clock).add("bea", role, PASSWORD)
    assert login(client, "bea").status_code == 303


def place(application: Application, programme: Programme, **extra: object) -> Hold:
    service = application.retention(programme)
    return service.place_hold(
        scope="collection",
        collection="shop_db.login_event",
        reason="Dispute 2026-17 with a customer",
        owner="legal@shop",
        actor="staff:alice",
        **extra,  # type: ignore[arg-type]
    )


def ledger_rows(application: Application, action: str) -> list[str]:
    with application.ledger().engine.connect() as connection:
        rows = connection.execute(sa.text("select entry from tutela_ledger_entry")).scalars()
        return [row for row in rows if f'"{action}"' in row]


# --- retention --------------------------------------------------------------------------


def test_pages_without_a_session_redirect_to_the_login(client: TestClient) -> None:
    for path in ("/console/retention", "/console/consent", "/console/mail", "/console/ledger"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/console/login"


def test_RT_2_a_sweep_shows_its_rule_collection_and_counts(
    client: TestClient, application: Application, programme: Programme
) -> None:
    hold = place(application, programme)
    held = application.retention(programme).run(actor="staff:alice")
    application.retention(programme).lift_hold(hold.id, actor="staff:alice", reason="settled")
    application.clock = Later(timedelta(hours=1))  # the next sweep, an hour later
    swept = application.retention(programme).run(actor="staff:alice")
    login(client)
    page = client.get("/console/retention")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.text.count("<h1") == 1 and "console-operations.css" in page.text
    rows = re.findall(r"<tr>\s*<td><time.*?</tr>", page.text, re.S)
    assert len(rows) == 2  # newest first: the second sweep deleted, the first held back
    numbers = [re.findall(r'<td class="num">(\d+)', row) for row in rows]
    assert numbers == [["60", "60", "0"], ["60", "0", "60"]]
    assert swept.total("affected") == 60 and held.total("held") == 60
    assert "one_year" in rows[0] and "shop_db.login_event" in rows[0] and "Real run" in rows[0]


def test_RT_3_holds_in_force_show_owner_reason_and_review_date(
    client: TestClient, application: Application, programme: Programme
) -> None:
    kept = place(application, programme)
    gone = place(application, programme)
    application.retention(programme).lift_hold(gone.id, actor="staff:alice", reason="over")
    login(client)
    page = client.get("/console/retention")
    assert f'id="hold-{kept.id}"' in page.text and f'id="hold-{gone.id}"' not in page.text
    assert "legal@shop" in page.text and "Dispute 2026-17 with a customer" in page.text
    assert kept.review_at is not None and kept.review_at.isoformat() in page.text
    assert f'<label for="reason-{kept.id}">' in page.text
    everything = client.get("/console/retention?lifted=1")
    assert f'id="hold-{gone.id}"' in everything.text and "Lifted" in everything.text


def test_RT_3_a_review_date_past_is_flagged_in_words(
    client: TestClient, application: Application, programme: Programme
) -> None:
    place(application, programme)
    login(client)
    assert "Review overdue" not in client.get("/console/retention").text
    application.clock = Later(timedelta(days=400))
    assert "Review overdue" in client.get("/console/retention").text


def test_RT_3_lifting_a_hold_with_a_reason_ledgers_it_without_the_reason(
    client: TestClient, application: Application, programme: Programme
) -> None:
    hold = place(application, programme)
    login(client)
    token = csrf_of(client.get("/console/retention").text)
    response = client.post(
        f"/console/retention/holds/{hold.id}/lift",
        data={"csrf": token, "reason": "The claim was settled out of court"},
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/console/retention?lifted=1&done=lifted"
    assert application.retention(programme).holds() == []
    lifted = application.retention(programme).store_hold(hold.id)
    assert lifted is not None and lifted.lifted_by == "staff:alice"
    assert lifted.lift_reason == "The claim was settled out of court"
    entries = ledger_rows(application, "hold_lifted")
    assert len(entries) == 1 and "staff:alice" in entries[0] and "settled" not in entries[0]
    page = client.get(response.headers["location"])
    assert "The hold was lifted" in page.text


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"reason": ""}, 400, "Give the reason for lifting this hold."),
        ({"reason": "   "}, 400, "Give the reason for lifting this hold."),
        ({"reason": "x" * 2001}, 400, "The reason is too long"),
        ({"reason": "bad\x00byte"}, 400, "cannot be kept"),
        ({"reason": "<script>alert(1)</script>", "csrf": "forged"}, 403, "This form has expired"),
    ],
)
def test_RT_3_a_lift_without_a_good_reason_or_token_is_refused(
    client: TestClient,
    application: Application,
    programme: Programme,
    form: dict[str, str],
    status: int,
    message: str,
) -> None:
    hold = place(application, programme)
    login(client)
    token = csrf_of(client.get("/console/retention").text)
    response = client.post(f"/console/retention/holds/{hold.id}/lift", data={"csrf": token, **form})
    assert response.status_code == status
    assert message in response.text and "<script>alert" not in response.text
    if status == 400:
        assert f'aria-describedby="reason-error-{hold.id}"' in response.text
    assert [h.id for h in application.retention(programme).holds()] == [hold.id]
    assert ledger_rows(application, "hold_lifted") == []


@pytest.mark.parametrize(
    "hold_id",
    ["not-a-hold", "00000000-0000-0000-0000-000000000000", "%3Cscript%3E", "a" * 400],
)
def test_an_unknown_or_malformed_hold_id_is_404_and_changes_nothing(
    client: TestClient, application: Application, programme: Programme, hold_id: str
) -> None:
    hold = place(application, programme)
    login(client)
    token = csrf_of(client.get("/console/retention").text)
    response = client.post(
        f"/console/retention/holds/{hold_id}/lift", data={"csrf": token, "reason": "why not"}
    )
    assert response.status_code == 404
    assert "No active hold has that id" in response.text and "<script>" not in response.text
    assert [h.id for h in application.retention(programme).holds()] == [hold.id]


def test_an_auditor_reads_the_ledger_and_stats_but_cannot_lift_holds(
    client: TestClient, application: Application, programme: Programme
) -> None:
    hold = place(application, programme)
    staff(client, application, "auditor")
    assert client.get("/console/ledger").status_code == 200
    assert client.get("/console/consent").status_code == 200
    page = client.get("/console/retention")
    assert page.status_code == 200 and "Lift this hold" not in page.text
    assert "may read the holds but not lift them" in page.text
    token = csrf_of(page.text)  # the logout form's: the session's own token
    response = client.post(
        f"/console/retention/holds/{hold.id}/lift", data={"csrf": token, "reason": "mine now"}
    )
    assert response.status_code == 403
    assert [h.id for h in application.retention(programme).holds()] == [hold.id]


def test_an_agent_cannot_read_the_ledger(client: TestClient, application: Application) -> None:
    staff(client, application, "agent")
    page = client.get("/console/ledger")
    assert page.status_code == 403 and "Your role does not allow this page" in page.text


# --- consent ------------------------------------------------------------------------------


def _choose(
    application: Application,
    programme: Programme,
    choices: list[tuple[str, Kind, str, datetime]],
) -> None:
    service = application.consent_service(programme)
    context = Context(method="checkbox")
    prepared = [
        Choice(service.prepare(kind, {"email": who}, purpose, context, at), {"email": who})
        for who, kind, purpose, at in choices
    ]
    service.record(prepared, "staff:alice")


def _truth(application: Application, kind: Kind, purpose: str, day: str) -> int:
    query = sa.text(
        "select count(*) from tutela_choice_event"
        " where kind = :kind and purpose = :purpose and date(at) = :day"
    )
    with application.ledger().engine.connect() as connection:
        found = connection.execute(query, {"kind": kind.value, "purpose": purpose, "day": day})
        return int(found.scalar() or 0)


def test_CO_3_counts_per_day_equal_the_store_and_show_in_table_and_chart(
    client: TestClient, application: Application, programme: Programme
) -> None:
    now = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    days = [now - timedelta(days=n) for n in (3, 2, 0)]
    _choose(
        application,
        programme,
        [
            ("ann@example.com", Kind.CONSENT_GIVEN, "newsletter", days[0]),
            ("bob@example.com", Kind.CONSENT_GIVEN, "newsletter", days[0]),
            ("cid@example.com", Kind.CONSENT_GIVEN, "offers", days[1]),
            ("ann@example.com", Kind.CONSENT_WITHDRAWN, "newsletter", days[1]),
            ("dee@example.com", Kind.CONSENT_GIVEN, "newsletter", days[2]),
            ("bob@example.com", Kind.OBJECTION, "security", days[2]),
        ],
    )
    login(client)
    page = client.get("/console/consent?days=7")
    assert page.status_code == 200
    rows = cells(page.text, "consent-table")
    by_key = {(r["purpose"], r["period"]): r for r in rows}
    assert len(by_key) == len(rows) == 5  # the days with a choice, per purpose
    for purpose in ("newsletter", "offers", "security"):
        for back in range(7):
            day = (now - timedelta(days=back)).date().isoformat()
            row = by_key.get((purpose, day), {"given": "0", "withdrawn": "0"})
            for kind, css in ((Kind.CONSENT_GIVEN, "given"), (Kind.CONSENT_WITHDRAWN, "withdrawn")):
                assert int(row[css]) == _truth(application, kind, purpose, day), (row, kind)
    assert by_key[("newsletter", days[0].date().isoformat())]["given"] == "2"
    assert by_key[("newsletter", days[1].date().isoformat())]["withdrawn"] == "1"
    assert by_key[("security", days[2].date().isoformat())]["objection"] == "1"
    chart = page.text[page.text.index('<svg id="consent-chart"') : page.text.index("</svg>")]
    assert 'role="img"' in chart and "<title" in chart
    assert 'data-purpose="newsletter" data-kind="consent_given"' in chart
    assert 'data-purpose="newsletter" data-kind="consent_withdrawn"' in chart
    assert 'stroke-dasharray="8 5"' in chart  # withdrawn lines are dashed, not only coloured
    assert "Newsletter: given" in page.text and "Personal offers: given" in page.text
    assert "ann@example.com" not in page.text


def test_CO_3_a_withdrawal_changes_the_numbers_on_the_next_load(
    client: TestClient, application: Application, programme: Programme
) -> None:
    _choose(
        application,
        programme,
        [
            ("ann@example.com", Kind.CONSENT_GIVEN, "newsletter", datetime.now(UTC)),
            ("bob@example.com", Kind.CONSENT_GIVEN, "newsletter", datetime.now(UTC)),
        ],
    )
    login(client)
    first = client.get("/console/consent")
    assert first.headers["cache-control"] == "no-store"
    standing = {r["purpose"]: r for r in cells(first.text, "consent-standing")}
    assert (standing["newsletter"]["consenting"], standing["newsletter"]["withdrawn"]) == ("2", "0")
    application.consent_service(programme).withdraw(
        {"email": "ann@example.com"}, "newsletter", Context(method="checkbox"), actor="system"
    )
    second = client.get("/console/consent")
    standing = {r["purpose"]: r for r in cells(second.text, "consent-standing")}
    assert (standing["newsletter"]["consenting"], standing["newsletter"]["withdrawn"]) == ("1", "1")
    today = datetime.now(UTC).date().isoformat()
    table = {(r["purpose"], r["period"]): r for r in cells(second.text, "consent-table")}
    assert table[("newsletter", today)]["withdrawn"] == "1"
    assert table[("newsletter", today)]["given"] == "2"


def test_a_long_span_is_counted_per_week(
    client: TestClient, application: Application, programme: Programme
) -> None:
    _choose(
        application,
        programme,
        [
            (
                "ann@example.com",
                Kind.CONSENT_GIVEN,
                "offers",
                datetime.now(UTC) - timedelta(days=200),
            )
        ],
    )
    login(client)
    page = client.get("/console/consent?days=366")
    assert "per week over the last 366 days" in page.text
    rows = [r for r in cells(page.text, "consent-table") if r["purpose"] == "offers"]
    assert len(rows) == 1 and rows[0]["given"] == "1"
    assert re.search(r"\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d", page.text)  # a week


@pytest.mark.parametrize(
    ("days", "status", "shown"),
    [
        ("abc", 400, None),
        ("-5", 400, None),
        ("1e9", 400, None),
        ("<script>alert(1)</script>", 400, None),
        ("7 OR 1=1", 400, None),
        ("9" * 40, 400, None),
        ("٣", 400, None),
        ("0", 200, "over the last 1 days"),
        ("99999", 200, "over the last 366 days"),
    ],
)
def test_hostile_days_are_refused_or_clamped(
    client: TestClient, days: str, status: int, shown: str | None
) -> None:
    login(client)
    page = client.get("/console/consent", params={"days": days})
    assert page.status_code == status
    assert "<script>alert" not in page.text and "OR 1=1" not in page.text
    if shown is None:
        assert "The number of days is a whole number from 1 to 366." in page.text
        assert 'aria-describedby="days-error"' in page.text
        assert 'id="consent-chart"' not in page.text
    else:
        assert shown in page.text


# --- mail ----------------------------------------------------------------------------------


def test_the_mail_queue_shows_an_unclassified_message_masked_and_without_its_body(
    client: TestClient, application: Application, programme: Programme
) -> None:
    result = application.mailbox(programme).ingest(QUESTION)
    assert result.state == "queued" and result.queue_id is not None
    login(client)
    page = client.get("/console/mail")
    assert page.status_code == 200
    assert "Question about my parcel" in page.text
    assert "a…@example.org" in page.text and "alice.martin" not in page.text
    assert "not recognised as a request" in page.text
    assert "ZX-SECRET-BODY-42" not in page.text
    assert result.queue_id[:8] in page.text
    assert "1 message waits." in page.text


def test_mail_is_listed_newest_first(
    client: TestClient, application: Application, programme: Programme
) -> None:
    mailbox = application.mailbox(programme)
    for number, subject in enumerate(("Older note", "Newer note")):
        raw = QUESTION.replace(b"Question about my parcel", subject.encode()).replace(
            b"parcel-1", f"note-{number}".encode()
        )
        received = datetime.now(UTC) - timedelta(hours=2 - number)
        assert mailbox.ingest(raw, received_at=received).state == "queued"
    login(client)
    page = client.get("/console/mail").text
    assert page.index("Newer note") < page.index("Older note")


def test_an_empty_queue_says_so(client: TestClient) -> None:
    login(client)
    assert "No message waits." in client.get("/console/mail").text


# --- ledger --------------------------------------------------------------------------------


def _verify(client: TestClient) -> str:
    token = csrf_of(client.get("/console/ledger").text)
    response = client.post("/console/ledger/verify", data={"csrf": token})
    assert response.status_code == 200
    return str(response.text)


def test_the_ledger_page_shows_its_size_head_and_checkpoint(
    client: TestClient, application: Application, programme: Programme
) -> None:
    place(application, programme)
    signed = application.ledger_proofs().checkpoint(application.ledger_key())
    login(client)
    page = client.get("/console/ledger")
    assert page.status_code == 200 and "Verify the ledger" in page.text
    entries = len(application.ledger().rows())
    assert re.search(rf"<dt>Entries</dt><dd>{entries}</dd>", page.text)
    assert application.ledger().rows()[-1].leaf_hash in page.text
    assert f"size {signed.size}, kept on" in page.text
    verifier = application.ledger_key().verifier
    assert f"{verifier.name}+{verifier.key_id.hex()}" in page.text


def test_verifying_an_intact_ledger_says_so_in_words(
    client: TestClient, application: Application, programme: Programme
) -> None:
    place(application, programme)
    proofs, key = application.ledger_proofs(), application.ledger_key()
    first = proofs.checkpoint(key)
    place(application, programme)
    second = proofs.checkpoint(key)
    login(client)  # a login is ledgered too: one entry appended since the checkpoint
    text = _verify(client)
    assert "Verified: the ledger is intact." in text
    assert f"The chain is intact up to {second.size} entries" in text
    assert "signature is valid" in text
    assert f"The previous checkpoint (size {first.size}) is consistent with it" in text


def test_verifying_a_tampered_ledger_names_what_failed(
    client: TestClient, application: Application, programme: Programme
) -> None:
    place(application, programme)
    application.ledger_proofs().checkpoint(application.ledger_key())
    login(client)
    with application.ledger().engine.begin() as connection:  # tamper, in a test only
        connection.execute(
            sa.text(
                "update tutela_ledger_entry set entry = replace(entry, 'hold_placed', "
                "'hold_lifted') where seq = 1"
            )
        )
    text = _verify(client)
    assert "Verification failed" in text and "Verified" not in text
    assert "entry 1: edited" in text


def test_a_ledger_without_a_checkpoint_is_reported(
    client: TestClient, application: Application, programme: Programme
) -> None:
    place(application, programme)
    login(client)
    text = _verify(client)
    assert "Verification failed" in text and "No checkpoint has been signed yet" in text


def test_verifying_needs_the_session_token(client: TestClient) -> None:
    login(client)
    for form in ({}, {"csrf": "forged"}, {"csrf": "x" * 9000}):
        response = client.post("/console/ledger/verify", data=form)
        assert response.status_code in (403, 413)
        assert "Verified" not in response.text


# --- pure parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "days"),
    [(None, 90), ("", 90), ("7", 7), ("0", 1), ("366", 366), ("367", 366), ("x", None)],
)
def test_asked_days_defaults_clamps_or_refuses(text: str | None, days: int | None) -> None:
    assert asked_days(text) == days


def test_the_chart_draws_only_series_with_choices_each_with_its_own_cue() -> None:
    labels = [f"2026-11-{day:02d}" for day in range(1, 31)]
    series = [
        Series("newsletter", "consent_given", "Newsletter", tuple(range(30))),
        Series("newsletter", "consent_withdrawn", "Newsletter", (0,) * 29 + (3,)),
        Series("offers", "consent_given", "Offers", (0,) * 30),
    ]
    drawn = chart(labels, series, ["newsletter", "offers"])
    assert [(line.purpose, line.kind) for line in drawn.lines] == [
        ("newsletter", "consent_given"),
        ("newsletter", "consent_withdrawn"),
    ]
    given, withdrawn = drawn.lines
    assert given.dash == "" and withdrawn.dash != "" and given.marker == withdrawn.marker
    assert [point[2] for point in withdrawn.marked] == [3]
    assert drawn.y_ticks[-1].text == "40" and drawn.y_ticks[0].text == "0"
    assert drawn.x_ticks[0].text == labels[0] and drawn.x_ticks[-1].text == labels[-1]
    assert len(drawn.x_ticks) <= 8
    top = min(y for _x, y, _v in given.points)
    assert drawn.top <= top < drawn.bottom


@pytest.mark.parametrize(
    ("address", "shown"),
    [("alice@example.org", "a…@example.org"), (None, ""), ("", ""), ("odd", "")],
)
def test_a_sender_is_masked_to_its_first_character_and_domain(
    address: str | None, shown: str
) -> None:
    assert masked(address) == shown


def test_without_the_ledger_key_the_page_says_how_to_verify_elsewhere(
    client: TestClient, application: Application
) -> None:
    login(client)
    token = csrf_of(client.get("/console/ledger").text)
    application.settings.ledger_key = None
    response = client.post("/console/ledger/verify", data={"csrf": token})
    assert response.status_code == 503
    assert "tutela ledger verify --key VERIFIER-KEY" in response.text
    assert "Verified" not in response.text and "PRIVATE+KEY" not in response.text
