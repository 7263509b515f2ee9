"""The console's store on every backend: shared sessions, TOTP steps, archived statements.

What the pages keep in tutela's store (migrations 0010-0012) is exercised on SQLite,
PostgreSQL and MariaDB: a session opened by one app is found by another and ends at
logout; an admin's TOTP code is accepted once; a served statement version is archived
once and read back as it was (NT-1).
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pyotp

from tutela.access.logins import SecondStep
from tutela.programme.loader import load_programme
from tutela.requests.sealing import StoreKey
from tutela.statement.build import build_statement
from tutela.store.console import login_service
from tutela.store.console_sessions import SqlSessionStore
from tutela.store.ledger import open_ledger
from tutela.store.statements import SqlStatementArchive
from tutela.web.console_auth import Sessions

PASSWORD = "a long enough password for tests"


class Wall:
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


def test_sessions_are_shared_and_admin_codes_accepted_once(database_url: str) -> None:
    ledger = open_ledger(database_url)
    key = StoreKey.parse(StoreKey.generate())
    logins = login_service(ledger, Wall(), key)
    record = logins.add("root", "admin", PASSWORD)
    secret = parse_qs(urlsplit(logins.provisioning_uri(record)).query)["secret"][0]
    step = logins.authenticate("root", PASSWORD)
    assert isinstance(step, SecondStep)
    code = pyotp.TOTP(secret).now()
    staff = logins.confirm(record.id, code)
    assert staff is not None and staff.name == "root"
    assert logins.confirm(record.id, code) is None  # a code is good once
    one, other = (Sessions(SqlSessionStore(ledger.engine), Wall()) for _ in range(2))
    opened = one.open(staff)
    found = other.find(opened)
    assert found is not None and found.staff.name == "root" and len(found.csrf) == 43
    other.close(opened)
    assert one.find(opened) is None
    ledger.close()


def test_nt1_a_served_statement_is_archived_once_and_read_back(database_url: str) -> None:
    ledger = open_ledger(database_url)
    archive = SqlStatementArchive(ledger)
    view = build_statement(load_programme("examples/cloudockit"), language="de")
    now = datetime.now(UTC)
    first = archive.publish(view, "1.1", None, now)
    again = archive.publish(view, "1.1", None, now)
    assert first.stored and not again.stored and not again.differs
    found = archive.read("1.1", "de")
    assert found is not None and found[1] == view
    assert [v.version for v in archive.versions("de")] == ["1.1"]
    assert archive.read("1.1", "fr") is None
    ledger.close()
