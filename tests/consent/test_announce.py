"""`tutela statement announce`: advance notice of a material change (NT-1, CO-4; seed §13).

A small programme with two SQL systems (SQLite) holding people, some with a preferred
language; the real SMTP inbox of tests/conftest.py receives the notices.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from tutela.api.app import create_app
from tutela.bootstrap import Application, build
from tutela.cli.main import app
from tutela.consent.announce_mail import Mailing, Pace, address_sources, batched, mail_notices
from tutela.consent.announcements import announcement
from tutela.consent.records import Renewal, subject_ref
from tutela.programme.loader import load_programme
from tutela.requests.mail import MailError, SmtpSender
from tutela.statement.versions.diff import diff_programmes
from tutela.store.ledger import open_ledger
from tutela.testing.smtp import Inbox, body

HASH_KEY = "announce-test-hash-key"
EFFECTIVE = "2099-03-01"

ORGANISATION = """\
organisation:
  legal_name: Example Analytics SRL
  registration_number: BE0123.456.789
  registered_address: {street: Rue de la Loi 1, city: Brussels, postal_code: "1000", country: BE}
  website: https://example.test
  privacy_email: privacy@example.test
  privacy_postal_address:
    {street: Rue de la Loi 1, city: Brussels, postal_code: "1000", country: BE}
  dpo: {name: Data Protection Officer, email: dpo@example.test}
  lead_supervisory_authority: BE
  establishment_country: BE
  timezone: Europe/Brussels
  security_measures: [Encryption at rest and in transit]

statement:
  title: Example privacy statement
  version: "VERSION"
  effective_date: EFFECTIVE
  languages: [en, fr, nl, de]
  url: https://example.test/privacy
  change_log:
    - {version: "VERSION", date: EFFECTIVE, summary: This version., material: true}

rights:
  channels: [privacy@example.test]
  identity_verification: We reply to the e-mail address on file.
  fees: Answering is free.
  refusals: We may refuse manifestly unfounded requests and will say why.

complaints:
  contact_email: privacy@example.test
  authorities: [BE]
"""

PURPOSES = """\
retention:
  - {key: account_life, name: Life of the account, criterion: Until the account is closed}

purposes:
  - key: account
    name: Customer account
    description: Run the customer's account.
    legal_basis: contract
    categories: [user.contact, user.name]
    retention: account_life
  - key: newsletter
    name: Newsletter
    description: Send product news to those who asked for it.
    legal_basis: consent
    consent:
      notice: Tick the box.
      notice_version: NOTICE
      methods: [checkbox]
      withdrawal: Unsubscribe link.
    categories: [CATEGORIES]

masking:
  hash_key_env: ANNOUNCE_HASH_KEY
  default: "null"
"""

SYSTEMS = """\
systems:
  - key: crm
    name: CRM
    owner: Sales
    hosting_country: BE
    purposes: [account, newsletter]
    connector: {type: sql, url_env: CRM_URL}
    datasets:
      - key: crm
        name: CRM database
        collections:
          - name: people
            purposes: [account]
            fields:
              - {name: id, primary_key: true}
              - {name: email, data_categories: [user.contact.email], identity: email}
              - {name: lang, data_categories: [user.demographic.language]}
              - {name: name, data_categories: [user.name]}
  - key: shop
    name: Shop
    owner: Sales
    hosting_country: BE
    purposes: [account]
    connector: {type: sql, url_env: SHOP_URL}
    datasets:
      - key: shop
        name: Shop database
        collections:
          - name: customer
            purposes: [account]
            fields:
              - {name: id, primary_key: true}
              - {name: mail, data_categories: [user.contact.email], identity: email}
"""

CRM_PEOPLE = [
    (1, "Ann@Example.test", "fr-BE", "Ann"),
    (2, "bob@example.test", "nl", "Bob"),
    (3, "cem@example.test", "de", "Cem"),
    (4, "dee@example.test", None, "Dee"),
    (5, "eve@example.test", "pt", "Eve"),
    (6, "ann@example.test", "fr", "Ann again"),
    (7, None, None, "No mail"),
]
SHOP_PEOPLE = [(1, "ann@example.test"), (2, "fay@example.test"), (3, "GUS@example.test")]
ADDRESSES = {f"{name}@example.test" for name in ("ann", "bob", "cem", "dee", "eve", "fay", "gus")}


def _write(folder: Path, version: str, notice: str, categories: str, effective: str) -> Path:
    folder.mkdir()
    organisation = ORGANISATION.replace("VERSION", version).replace("EFFECTIVE", effective)
    (folder / "organisation.yml").write_text(organisation, encoding="utf-8")
    purposes = PURPOSES.replace("NOTICE", notice).replace("CATEGORIES", categories)
    (folder / "purposes.yml").write_text(purposes, encoding="utf-8")
    (folder / "systems.yml").write_text(SYSTEMS, encoding="utf-8")
    return folder


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    """The version in force and the new one: the newsletter collects phone numbers too."""
    old = _write(tmp_path / "old", "1.0", "news-1", "user.contact.email", "2026-01-15")
    new = _write(
        tmp_path / "new",
        "2.0",
        "news-2",
        "user.contact.email, user.contact.phone_number",
        EFFECTIVE,
    )
    return old, new


@pytest.fixture
def env(
    tmp_path: Path, inbox: tuple[Inbox, int], monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    monkeypatch.chdir(tmp_path)
    crm, shop = tmp_path / "crm.sqlite", tmp_path / "shop.sqlite"
    with sqlite3.connect(crm) as db:
        db.execute("CREATE TABLE people (id INTEGER PRIMARY KEY, email TEXT, lang TEXT, name TEXT)")
        db.executemany("INSERT INTO people VALUES (?, ?, ?, ?)", CRM_PEOPLE)
    with sqlite3.connect(shop) as db:
        db.execute("CREATE TABLE customer (id INTEGER PRIMARY KEY, mail TEXT)")
        db.executemany("INSERT INTO customer VALUES (?, ?)", SHOP_PEOPLE)
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()
    return {
        "TUTELA_DATABASE_URL": store,
        "TUTELA_HASH_KEY": HASH_KEY,
        "TUTELA_SMTP_URL": f"smtp://127.0.0.1:{inbox[1]}?starttls=false",
        "TUTELA_MAIL_FROM": "privacy@example.test",
        "CRM_URL": f"sqlite:///{crm}",
        "SHOP_URL": f"sqlite:///{shop}",
    }


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(app, ["statement", "announce", *args], env=env)
    assert "Traceback" not in result.output
    assert HASH_KEY not in result.output
    assert result.exit_code == code, result.output
    return result


def announce(env: dict[str, str], versions: tuple[Path, Path], *extra: str) -> dict[str, Any]:
    old, new = versions
    result = run(env, str(new), "--previous", str(old), "--format", "json", *extra)
    document: dict[str, Any] = json.loads(result.stdout)
    return document


def recipients(inbox: Inbox) -> Counter[str]:
    return Counter(str(message["To"]) for message in inbox.messages)


def ledger_actions(env: dict[str, str]) -> list[tuple[str, str]]:
    ledger = open_ledger(env["TUTELA_DATABASE_URL"])
    try:
        entries = ledger.entries()
    finally:
        ledger.close()
    return [(entry.action, entry.request) for entry in entries]


# --- the mailing -------------------------------------------------------------------------


def test_nt1_announce_mails_each_address_once_in_its_language(
    env: dict[str, str], versions: tuple[Path, Path], inbox: tuple[Inbox, int]
) -> None:
    report = announce(env, versions, "--rate", "1000")
    assert report["version"] == "2.0" and report["effective_at"].startswith(EFFECTIVE)
    assert report["renewed_purposes"] == {"newsletter": "news-2"}
    assert report["sent"] == len(ADDRESSES) and report["refused"] == 0
    mailbox = inbox[0]
    assert recipients(mailbox) == Counter(ADDRESSES)  # one per distinct address, lower case
    languages = {str(m["To"]): str(m["Content-Language"]) for m in mailbox.messages}
    assert languages["ann@example.test"] == "fr"  # fr-BE, held twice: once
    assert languages["bob@example.test"] == "nl" and languages["cem@example.test"] == "de"
    assert languages["dee@example.test"] == "en"  # no language: the programme's first
    assert languages["eve@example.test"] == "en"  # pt: not one tutela writes
    assert languages["fay@example.test"] == "en"  # a system without a language field
    french = body(mailbox.to("ann@example.test")[0])
    assert "Nous modifions notre déclaration de confidentialité (version 2.0)" in french
    assert "1 mars 2099" in french and "https://example.test/privacy" in french
    assert "Datenschutzerklärung" in body(mailbox.to("cem@example.test")[0])
    assert "takes effect on 1 March 2099" in body(mailbox.to("dee@example.test")[0])


def test_nt1_the_notice_is_a_service_message_not_marketing(
    env: dict[str, str], versions: tuple[Path, Path], inbox: tuple[Inbox, int]
) -> None:
    announce(env, versions, "--rate", "1000")
    message = inbox[0].to("dee@example.test")[0]
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert "consent" in body(message)  # the newsletter's consent is asked again


def test_nt1_the_announcement_and_each_batch_are_ledgered_without_addresses(
    env: dict[str, str], versions: tuple[Path, Path]
) -> None:
    announce(env, versions, "--rate", "1000")
    actions = ledger_actions(env)
    assert ("announced", "announcement-1") in actions
    mailed = [request for action, request in actions if action == "announce_mailed"]
    assert mailed == [f"announcement-1:batch-1:sent-{len(ADDRESSES)}:refused-0"]
    ledger = open_ledger(env["TUTELA_DATABASE_URL"])
    try:
        text = " ".join(row.text for row in ledger.rows())
    finally:
        ledger.close()
    assert "@" not in text


def test_nt1_a_rerun_resumes_and_sends_nothing_new(
    env: dict[str, str], versions: tuple[Path, Path], inbox: tuple[Inbox, int]
) -> None:
    first = announce(env, versions, "--rate", "1000", "--limit", "3")
    assert first["sent"] == 3 and len(inbox[0].messages) == 3
    second = announce(env, versions, "--rate", "1000")
    assert second["sent"] == len(ADDRESSES) - 3 and second["already"] == 3
    third = announce(env, versions, "--rate", "1000")
    assert third["sent"] == 0 and third["already"] == len(ADDRESSES)
    assert recipients(inbox[0]) == Counter(ADDRESSES)
    assert [a for a, _ in ledger_actions(env)].count("announced") == 1


class FailingAfter:
    """The real mail server that stops accepting after ``count`` messages (a crash)."""

    def __init__(self, sender: SmtpSender, count: int) -> None:
        self.sender, self.count = sender, count

    def send(self, message: EmailMessage) -> None:
        if self.count <= 0:
            raise MailError("cannot reach the mail server (ConnectionRefusedError)")
        self.count -= 1
        self.sender.send(message)


def _application(env: dict[str, str], now: datetime) -> Application:
    application = build(env)
    application.clock = FixedClock(now)
    return application


class FixedClock:
    def __init__(self, now: datetime) -> None:
        self.at = now

    def now(self) -> datetime:
        return self.at


def _mailing(
    application: Application, versions: tuple[Path, Path], mailer: Any
) -> tuple[Mailing, Iterator[list[Any]]]:
    old, new = (load_programme(path) for path in versions)
    item = announcement(old, new, diff_programmes(old, new), application.clock.now())
    stored, _ = application.announcements().save(item, "system")
    key = application.hash_key(new)
    assert key is not None
    mailing = Mailing(stored, application.announcements(), mailer, "privacy@example.test", key)
    rows = application.system_addresses(new).read(address_sources(new))
    return mailing, batched(rows, 2)


def test_nt1_a_mail_failure_midway_then_a_rerun_completes_without_duplicates(
    env: dict[str, str], versions: tuple[Path, Path], inbox: tuple[Inbox, int]
) -> None:
    application = _application(env, datetime(2099, 1, 1, tzinfo=UTC))
    real = application.mailer()
    assert real is not None
    mailing, batches = _mailing(application, versions, FailingAfter(real, 3))
    with pytest.raises(MailError):
        mail_notices(mailing, batches, "en", Pace(1000), application.clock.now)
    assert len(inbox[0].messages) == 3
    progress = application.announcements().progress(mailing.item.number)
    assert progress == {"sent": 3}  # the unsent claims were released
    announce(env, versions, "--rate", "1000")
    assert recipients(inbox[0]) == Counter(ADDRESSES)


def test_nt1_a_claim_left_by_a_crash_is_never_sent_again(
    env: dict[str, str], versions: tuple[Path, Path], inbox: tuple[Inbox, int]
) -> None:
    application = _application(env, datetime(2099, 1, 1, tzinfo=UTC))
    mailing, _ = _mailing(application, versions, None)
    ref = subject_ref("email", "bob@example.test", HASH_KEY.encode())
    assert application.announcements().claim(
        mailing.item.number, [(ref, "nl")], application.clock.now()
    ) == {ref}
    report = announce(env, versions, "--rate", "1000")
    assert "bob@example.test" not in recipients(inbox[0])
    assert report["sent"] == len(ADDRESSES) - 1 and report["already"] == 1


def test_nt1_the_pace_sends_at_most_rate_messages_a_second(
    env: dict[str, str], versions: tuple[Path, Path], inbox: tuple[Inbox, int]
) -> None:
    application = _application(env, datetime(2099, 1, 1, tzinfo=UTC))
    real = application.mailer()
    mailing, batches = _mailing(application, versions, real)
    clock = [100.0]

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    def tick() -> float:
        return clock[0]

    report = mail_notices(mailing, batches, "en", Pace(2, tick, sleep), application.clock.now)
    assert report.sent == len(ADDRESSES)
    # message n leaves no earlier than n / rate seconds after the first
    waited = clock[0] - 100.0
    assert waited == pytest.approx((len(ADDRESSES) - 1) / 2)


def test_nt1_a_refused_mailbox_is_recorded_and_the_others_are_sent(
    env: dict[str, str], versions: tuple[Path, Path], inbox: tuple[Inbox, int]
) -> None:
    inbox[0].refuse = frozenset({"eve@example.test"})
    report = announce(env, versions, "--rate", "1000")
    assert report["refused"] == 1 and report["sent"] == len(ADDRESSES) - 1
    again = announce(env, versions, "--rate", "1000")
    assert again["sent"] == 0 and again["already"] == len(ADDRESSES)


# --- refusals and the dry run ------------------------------------------------------------


def test_nt1_no_material_change_is_refused(
    env: dict[str, str], versions: tuple[Path, Path], tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    same = _write(
        tmp_path / "same",
        "2.1",
        "news-2",
        "user.contact.email, user.contact.phone_number",
        EFFECTIVE,
    )
    result = run(env, str(same), "--previous", str(versions[1]), code=4)
    assert "no material change" in result.output
    assert inbox[0].messages == []


def test_nt1_an_effective_date_not_in_the_future_is_refused(
    env: dict[str, str], versions: tuple[Path, Path], inbox: tuple[Inbox, int]
) -> None:
    old, new = versions
    result = run(env, str(new), "--previous", str(old), "--effective", "2020-01-01", code=4)
    assert "not in the future" in result.output and "--effective" in result.output
    assert inbox[0].messages == [] and ledger_actions(env) == []


def test_nt1_dry_run_counts_and_sends_or_stores_nothing(
    env: dict[str, str], versions: tuple[Path, Path], inbox: tuple[Inbox, int]
) -> None:
    report = announce(env, versions, "--dry-run")
    assert report["dry_run"] is True and report["recipients"] == len(ADDRESSES)
    assert report["by_language"] == {"de": 1, "en": 4, "fr": 1, "nl": 1}
    assert inbox[0].messages == [] and ledger_actions(env) == []
    assert build(env).announcements().announcements() == []


def test_nt1_without_a_mail_server_nothing_is_stored(
    env: dict[str, str], versions: tuple[Path, Path]
) -> None:
    old, new = versions
    without = {k: v for k, v in env.items() if k != "TUTELA_SMTP_URL"}
    failed = run(without, str(new), "--previous", str(old), code=7)
    assert "TUTELA_SMTP_URL" in failed.output
    assert build(without).announcements().announcements() == []


# --- the notice and the renewals ---------------------------------------------------------


def test_nt1_notice_is_served_until_the_effective_date(
    env: dict[str, str], versions: tuple[Path, Path]
) -> None:
    before = datetime(2099, 2, 1, tzinfo=UTC)
    application = _application(env, before)
    _mailing(application, versions, None)
    api = create_app(application, load_programme(versions[1]))
    with TestClient(api, raise_server_exceptions=False) as client:
        shown = client.get("/api/v1/notice")
        assert shown.status_code == 200
        notice = shown.json()
        assert notice["version"] == "2.0" and notice["url"] == "https://example.test/privacy"
        assert notice["effective_at"].startswith(EFFECTIVE)
        assert any("newsletter" in line for line in notice["summary"])
        assert api.state.notice.current() == notice
        application.clock = FixedClock(datetime(2099, 3, 1, tzinfo=UTC))
        api.state.notice = application.notice_board(load_programme(versions[1]))
        assert client.get("/api/v1/notice").status_code == 204
        assert api.state.notice.current() is None


def test_co4_renewals_name_the_changed_consent_purposes(
    env: dict[str, str], versions: tuple[Path, Path]
) -> None:
    application = _application(env, datetime(2099, 1, 1, tzinfo=UTC))
    _mailing(application, versions, None)
    effective = datetime(2099, 3, 1, tzinfo=UTC)
    assert application.announcements().renewals() == [Renewal("newsletter", "news-2", effective)]


def test_co4_a_change_to_a_contract_purpose_renews_no_consent(
    env: dict[str, str], tmp_path: Path
) -> None:
    old = _write(tmp_path / "a", "1.0", "news-1", "user.contact.email", "2026-01-15")
    new = _write(tmp_path / "b", "2.0", "news-1", "user.contact.email", EFFECTIVE)
    text = (new / "purposes.yml").read_text(encoding="utf-8")
    (new / "purposes.yml").write_text(
        text.replace(
            "categories: [user.contact, user.name]",
            "categories: [user.contact, user.name, user.location]",
        ),
        encoding="utf-8",
    )
    report = announce(env, (old, new), "--dry-run")
    assert report["renewed_purposes"] == {}
    assert any(line.startswith("purposes[account]") for line in report["summary"])


def test_co4_a_consent_purpose_keeping_its_notice_version_is_warned(
    env: dict[str, str], tmp_path: Path
) -> None:
    old = _write(tmp_path / "a", "1.0", "news-1", "user.contact.email", "2026-01-15")
    new = _write(
        tmp_path / "b", "2.0", "news-1", "user.contact.email, user.contact.phone_number", EFFECTIVE
    )
    result = run(env, str(new), "--previous", str(old), "--dry-run")
    assert "keeps its consent.notice_version" in result.output


def test_nt1_notice_needs_no_key_and_says_nothing_when_none_is_pending(
    env: dict[str, str], versions: tuple[Path, Path]
) -> None:
    application = _application(env, datetime.now(UTC) + timedelta(days=1))
    api = create_app(application, load_programme(versions[1]))
    with TestClient(api, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/notice").status_code == 204


def test_nt1_a_rerun_with_other_terms_resumes_the_stored_announcement(
    env: dict[str, str], versions: tuple[Path, Path], inbox: tuple[Inbox, int]
) -> None:
    old, new = versions
    run(env, str(new), "--previous", str(old), "--rate", "1000", "--limit", "1")
    later = run(env, str(new), "--previous", str(old), "--effective", "2099-06-01")
    assert "resuming that announcement as stored" in later.output
    assert "effective 2099-03-01" in later.output
    assert recipients(inbox[0]) == Counter(ADDRESSES)
