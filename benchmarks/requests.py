"""How fast requests go from received to completed through the service layer, beside a floor.

    python benchmarks/requests.py [--requests 10000] [--customers N] [--backend sqlite|postgresql]
        [--types access,erasure] [--dir DIR]

Builds the shop database (``tutela.testing.shopdb``, ``--customers`` people, default one
per request) twice, one copy for tutela and one for the floor, and an application with
``tutela.bootstrap.build`` (tutela's store, the shop as ``TUTELA_SHOP_URL``, a hash key and
a new store key). Then takes every request through each stage in turn, timing the stage
over all requests: submit (``RequestService.submit``), verify (``Verification.accept``:
staff checked the identity; no code is mailed, mail is not what is measured), approve,
complete (``Answering.complete`` with one ``DsrService``) and download
(``Answering.export``). Request ``i`` is about customer ``i``, its type taken in turn from
``--types``. The floor is the same work in minimal hand-written SQL on the driver
(sqlite3, psycopg), one connection each to its store and shop: see :class:`Floor`.
SQLite files go to ``--dir`` (default: a temporary folder); on PostgreSQL four new
databases are made on the loopback server and dropped at the end. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from tutela import bootstrap
from tutela.programme.loader import load_programme
from tutela.requests.sealing import StoreKey
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb
from tutela.testing.machine import describe

HASH_KEY = "tutela-benchmark-hash-key"
SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
EVIDENCE = "benchmark: identity checked by staff"
STAGES = ("submit", "verify", "approve", "complete", "download")
PLACES = ("store", "shop", "floor_store", "floor_shop")


# --- where everything lives -----------------------------------------------------------------


@contextmanager
def databases(backend: str, folder: str | None) -> Iterator[dict[str, str]]:
    """A URL per place: SQLite files in a folder, or new PostgreSQL databases dropped after."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as temporary:
            where = Path(folder or temporary)
            where.mkdir(parents=True, exist_ok=True)
            run = uuid.uuid4().hex[:8]
            yield {p: f"sqlite:///{where / f'requests_{run}_{p}.sqlite'}" for p in PLACES}
        return
    names = {p: f"tutela_bench_requests_{uuid.uuid4().hex[:8]}_{p}" for p in PLACES}
    _admin([f"CREATE DATABASE {name}" for name in names.values()])
    try:
        yield {p: SERVER + name for p, name in names.items()}
    finally:
        _admin([f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in names.values()])


def _admin(statements: Sequence[str]) -> None:
    admin = sa.create_engine(SERVER + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)
    admin.dispose()


def emails(url: str, count: int) -> list[str]:
    """The e-mail addresses of the shop's first ``count`` customers, by id."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        query = sa.text("SELECT email FROM customer ORDER BY id LIMIT :n")
        found = [str(row[0]) for row in connection.execute(query, {"n": count})]
    engine.dispose()
    return found


def workload(options: argparse.Namespace, people: Sequence[str]) -> list[tuple[str, str]]:
    """Request ``i``: its type in turn from ``--types``, about customer ``i`` (cycling)."""
    kinds = options.types
    return [(kinds[i % len(kinds)], people[i % len(people)]) for i in range(options.requests)]


# --- tutela: the service layer the CLI and the API use --------------------------------------


class Tutela:
    """The services of one application, built once, and the ids of the requests submitted."""

    def __init__(self, urls: dict[str, str]) -> None:
        environ = {
            "TUTELA_DATABASE_URL": urls["store"],
            "TUTELA_SHOP_URL": urls["shop"],
            "TUTELA_HASH_KEY": HASH_KEY,
            "TUTELA_STORE_KEY": StoreKey.generate(),
        }
        programme = load_programme(shopdb.shop_programme_path())
        open_ledger(urls["store"]).close()  # the deployment step: `tutela db upgrade`
        self.app = bootstrap.build(environ)
        self.requests = self.app.request_service(programme)
        self.verification = self.app.verification()
        self.answering = self.app.answering(programme)
        self.dsr = self.app.dsr_service(programme)
        self.dsr.catalog()  # a long-running service describes each system once
        self.ids: list[str] = []

    def submit(self, work: Sequence[tuple[str, str]]) -> None:
        self.ids = [self.requests.submit(kind, {"email": who}).id for kind, who in work]

    def verify(self) -> None:
        for identifier in self.ids:
            self.verification.accept(identifier, EVIDENCE)

    def approve(self) -> None:
        for identifier in self.ids:
            self.requests.approve(identifier)

    def complete(self) -> None:
        for identifier in self.ids:
            self.answering.complete(identifier, self.dsr)

    def download(self) -> None:
        for identifier in self.ids:
            self.answering.export(identifier)

    def completed(self) -> int:
        """How many requests the store holds as completed."""
        return sum(r.state == "completed" for r in self.requests.list())

    def close(self) -> None:
        self.dsr.close()
        self.app.store().close()
        self.app.ledger().close()


# --- the floor: the same work in minimal hand-written SQL -----------------------------------

FLOOR_TABLES = (
    "CREATE TABLE request (id VARCHAR(36) PRIMARY KEY, type VARCHAR(40) NOT NULL, "
    "state VARCHAR(32) NOT NULL, subject VARCHAR(64) NOT NULL, received_at VARCHAR(32) NOT NULL)",
    "CREATE TABLE secret (request_id VARCHAR(36) PRIMARY KEY, sealed {blob} NOT NULL)",
    "CREATE TABLE ledger (seq INTEGER PRIMARY KEY, entry TEXT NOT NULL, leaf_hash CHAR(64))",
    "CREATE TABLE answer (request_id VARCHAR(36) PRIMARY KEY, sealed {blob} NOT NULL)",
)
ACCESS = (
    "SELECT id, email, name, phone, address_id, processing_restricted FROM customer "
    "WHERE email = ?",
    "SELECT id, street, city, zip FROM address WHERE id = ?",
    "SELECT id, customer_id, total, created_at FROM orders WHERE customer_id = ?",
    "SELECT id, order_id, sku, qty FROM order_item "
    "WHERE order_id IN (SELECT id FROM orders WHERE customer_id = ?)",
    "SELECT id, customer_id, last4, holder_name FROM payment_card WHERE customer_id = ?",
    "SELECT id, customer_id, ip, ts FROM login_event WHERE customer_id = ?",
)
ERASURE = (
    "DELETE FROM payment_card WHERE customer_id = ?",
    "UPDATE login_event SET ip = NULL WHERE customer_id = ?",
    "UPDATE order_item SET sku = 'REDACTED' "
    "WHERE order_id IN (SELECT id FROM orders WHERE customer_id = ?)",
)


class Floor:
    """Minimal hand-written code on the driver: one connection to the store, one to the shop.

    Submit: the identity's HMAC, a UUID, the identity sealed (AES-GCM); one transaction of
    three INSERTs (request, sealed identity, ledger entry: sorted-key JSON and its SHA-256).
    Verify and approve: one UPDATE of the state (guarded by the state read) and one ledger
    INSERT. Complete: unseal the identity; in one shop transaction an access's six SELECTs
    (its answer their rows as JSON) or an erasure's SELECT and writes (delete cards, null
    login IPs, redact SKUs, hash the e-mail, redact name and phone, null the address); then
    one store transaction: the sealed answer INSERTed, the state UPDATEd, the identity
    DELETEd, a ledger INSERT. Download: SELECT and unseal the answer, a ledger INSERT.
    """

    def __init__(self, store: Any, shop: Any, mark: str) -> None:
        self.store, self.shop, self.mark = store, shop, mark
        self.aead, self.seq, self.ids = AESGCM(AESGCM.generate_key(256)), 0, list[str]()
        self.kinds: dict[str, str] = {}

    def sql(self, text: str) -> str:
        return text if self.mark == "?" else text.replace("?", self.mark)

    def run(self, cursor: Any, text: str, *params: Any) -> Any:
        cursor.execute(self.sql(text), params)
        return cursor

    def ledger(self, cursor: Any, request_id: str, action: str, state: str) -> None:
        after = hashlib.sha256(f"{request_id}:{state}".encode()).hexdigest()
        entry = {"action": action, "after": after, "request": request_id, "seq": self.seq}
        text = json.dumps(entry, sort_keys=True, separators=(",", ":"))
        leaf = hashlib.sha256(b"\x00" + text.encode()).hexdigest()
        self.run(cursor, "INSERT INTO ledger VALUES (?, ?, ?)", self.seq, text, leaf)
        self.seq += 1

    def seal(self, request_id: str, clear: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self.aead.encrypt(nonce, clear, request_id.encode())

    def unseal(self, request_id: str, sealed: bytes) -> bytes:
        return self.aead.decrypt(bytes(sealed[:12]), bytes(sealed[12:]), request_id.encode())

    def submit(self, work: Sequence[tuple[str, str]]) -> None:
        key, cursor = HASH_KEY.encode(), self.store.cursor()
        for kind, who in work:
            rid, now = str(uuid.uuid4()), time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            subject = hmac.new(key, who.encode(), hashlib.sha256).hexdigest()
            insert = "INSERT INTO request VALUES (?, ?, 'received', ?, ?)"
            self.run(cursor, insert, rid, kind, subject, now)
            sealed = self.seal(rid, json.dumps({"email": who}).encode())
            self.run(cursor, "INSERT INTO secret VALUES (?, ?)", rid, sealed)
            self.ledger(cursor, rid, "submitted", "received")
            self.store.commit()
            self.ids.append(rid)
            self.kinds[rid] = kind

    def move(self, source: str, target: str) -> None:
        cursor = self.store.cursor()
        for rid in self.ids:
            update = "UPDATE request SET state = ? WHERE id = ? AND state = ?"
            assert self.run(cursor, update, target, rid, source).rowcount == 1
            self.ledger(cursor, rid, target, target)
            self.store.commit()

    def verify(self) -> None:
        self.move("received", "verified")

    def approve(self) -> None:
        self.move("verified", "in_progress")

    def complete(self) -> None:
        cursor = self.store.cursor()
        for rid in self.ids:
            (sealed,) = self.run(cursor, "SELECT sealed FROM secret WHERE request_id = ?", rid)
            who = json.loads(self.unseal(rid, sealed[0]))["email"]
            answer = self.access(who) if self.kinds[rid] == "access" else self.erase(who)
            self.run(cursor, "INSERT INTO answer VALUES (?, ?)", rid, self.seal(rid, answer))
            update = "UPDATE request SET state = 'completed' WHERE id = ? AND state = ?"
            assert self.run(cursor, update, rid, "in_progress").rowcount == 1
            self.run(cursor, "DELETE FROM secret WHERE request_id = ?", rid)
            self.ledger(cursor, rid, "completed", "completed")
            self.store.commit()

    def access(self, who: str) -> bytes:
        cursor, found = self.shop.cursor(), []
        person = self.run(cursor, ACCESS[0], who).fetchall()
        if person:
            found.append(person)
            address, customer = person[0][4], person[0][0]
            found.append(self.run(cursor, ACCESS[1], address).fetchall())
            found.extend(self.run(cursor, sql, customer).fetchall() for sql in ACCESS[2:])
        self.shop.commit()
        return json.dumps(found, default=str).encode()

    def erase(self, who: str) -> bytes:
        cursor = self.shop.cursor()
        select = "SELECT id, email, address_id FROM customer WHERE email = ?"
        for customer, email, address in self.run(cursor, select, who).fetchall():
            for sql in ERASURE:
                self.run(cursor, sql, customer)
            digest = hmac.new(HASH_KEY.encode(), email.encode(), hashlib.sha256).hexdigest()
            redact = "UPDATE customer SET email = ?, name = 'REDACTED', phone = NULL WHERE id = ?"
            self.run(cursor, redact, digest, customer)
            nulls = "UPDATE address SET street = NULL, city = NULL, zip = NULL WHERE id = ?"
            self.run(cursor, nulls, address)
        self.shop.commit()
        return b"Your personal data was erased; order totals are kept for tax records."

    def download(self) -> None:
        cursor = self.store.cursor()
        for rid in self.ids:
            (sealed,) = self.run(cursor, "SELECT sealed FROM answer WHERE request_id = ?", rid)
            self.unseal(rid, sealed[0])
            self.ledger(cursor, rid, "answer_downloaded", "completed")
            self.store.commit()

    def completed(self) -> int:
        """How many requests the floor's store holds as completed."""
        query = "SELECT count(*) FROM request WHERE state = 'completed'"
        return int(self.run(self.store.cursor(), query).fetchone()[0])

    def close(self) -> None:
        self.store.close()
        self.shop.close()


def floor_for(urls: dict[str, str]) -> Floor:
    """The floor's connections (its store made with four tables), on the same backend."""
    store, shop = sa.make_url(urls["floor_store"]), sa.make_url(urls["floor_shop"])
    if store.get_backend_name() == "sqlite":
        floor = Floor(sqlite3.connect(str(store.database)), _sqlite_shop(shop), "?")
        floor.store.execute("PRAGMA journal_mode = WAL")  # as tutela's SQLite store
        floor.store.execute("PRAGMA synchronous = NORMAL")
        blob = "BLOB"
    else:
        floor, blob = Floor(_postgresql(store), _postgresql(shop), "%s"), "BYTEA"
    cursor = floor.store.cursor()
    for statement in FLOOR_TABLES:
        cursor.execute(statement.format(blob=blob))
    floor.store.commit()
    return floor


def _postgresql(url: sa.URL) -> Any:
    import psycopg

    return psycopg.connect(
        host=url.host, port=url.port or 5432, user=url.username, dbname=url.database
    )


def _sqlite_shop(url: sa.URL) -> sqlite3.Connection:
    connection = sqlite3.connect(str(url.database))
    connection.execute("PRAGMA foreign_keys = ON")  # as tutela's connector
    return connection


# --- measuring and the table ----------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """One line of the table: a stage over all requests, tutela's and the floor's seconds."""

    label: str
    requests: int
    tutela: float
    floor: float


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def measure(tutela: Tutela, floor: Floor, work: Sequence[tuple[str, str]]) -> list[Stage]:
    """Each stage over every request, tutela first, then the floor."""
    stages = []
    for label in STAGES:
        if label == "submit":
            ours = timed(lambda: tutela.submit(work))
            theirs = timed(lambda: floor.submit(work))
        else:
            ours, theirs = timed(getattr(tutela, label)), timed(getattr(floor, label))
        stages.append(Stage(label, len(work), ours, theirs))
    total = Stage(
        "all stages", len(work), *(sum(getattr(s, f) for s in stages) for f in ("tutela", "floor"))
    )
    return [*stages, total]


COLUMNS = (
    "stage|requests|total s|per request|requests/s|"
    "floor total s|floor per request|floor requests/s|tutela/floor"
)


def cells(s: Stage) -> tuple[str, ...]:
    """A stage's cells: tutela's seconds, per request and rate, the floor's, the ratio."""
    sides = [
        (f"{t:,.2f}", f"{t / s.requests * 1e3:,.2f} ms", f"{s.requests / t:,.0f}")
        for t in (s.tutela, s.floor)
    ]
    return (s.label, f"{s.requests:,}", *sides[0], *sides[1], f"{s.tutela / s.floor:.2f}x")


def checked(urls: dict[str, str], tutela: Tutela, floor: Floor, requests: int) -> str:
    """Both sides completed every request and erased the same number of customers."""
    done = (tutela.completed(), floor.completed())
    erased = tuple(_erased(urls[place]) for place in ("shop", "floor_shop"))
    if done != (requests, requests) or erased[0] != erased[1]:
        raise SystemExit(f"the two sides did not do the same work: {done=} {erased=}")
    return f"checked: both sides completed {requests:,} requests and erased {erased[0]:,} customers"


def _erased(url: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        query = sa.text("SELECT count(*) FROM customer WHERE email NOT LIKE '%@%'")
        count = int(connection.execute(query).scalar_one())
    engine.dispose()
    return count


def table(stages: Sequence[Stage]) -> list[str]:
    lines = [tuple(COLUMNS.split("|")), *(cells(s) for s in stages)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    return [
        "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(line))
        for line in lines
    ]


def header(options: argparse.Namespace, built: float) -> list[str]:
    sqlite = options.backend == "sqlite"
    engine = "SQLite files, tutela's store in WAL mode" if sqlite else "PostgreSQL databases"
    return [
        f"tutela request lifecycle benchmark: {options.backend}, {options.requests:,} requests "
        f"({', '.join(options.types)} in turn), shop of {options.customers:,} customers "
        f"(~{33 * options.customers:,} rows, built twice in {built:.1f} s)",
        describe(),
        f"store and shop: {engine}; one request at a time, each stage over every request",
        f"verify: staff acceptance (Verification.accept, '{EVIDENCE}'); no code is mailed, "
        "mail is not what is measured",
        "floor: minimal hand-written SQL on the driver (sqlite3 or psycopg), one connection to "
        "its store and one to its own copy of the shop; an access answer is the rows as JSON "
        "(tutela: a ZIP of JSON, CSV and a cover letter)",
    ]


# --- command line ---------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="benchmarks/requests.py", description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--customers", type=int, help="shop size (default: --requests)")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--types", default="access,erasure", help="request types, in turn")
    parser.add_argument("--dir", help="folder for the SQLite files (default: a temporary one)")
    options = parser.parse_args(argv)
    options.customers = options.customers or options.requests
    options.types = [t.strip() for t in options.types.split(",") if t.strip()]
    if options.requests < 1 or options.customers < 1 or not options.types:
        parser.error("--requests and --customers must be at least 1, --types name a type")
    if not set(options.types) <= {"access", "erasure"}:
        parser.error("--types: the floor knows access and erasure only")
    return options


def main(argv: Sequence[str] | None = None) -> int:
    options = parse(argv)
    with databases(options.backend, options.dir) as urls:
        started = time.perf_counter()
        for place in ("shop", "floor_shop"):
            shopdb.build(urls[place], customers=options.customers, seed=1)
        built = time.perf_counter() - started
        work = workload(options, emails(urls["shop"], options.customers))
        tutela, floor = Tutela(urls), floor_for(urls)
        try:
            stages = measure(tutela, floor, work)
            check = checked(urls, tutela, floor, options.requests)
        finally:
            tutela.close()
            floor.close()
    print("\n".join([*header(options, built), check, "", *table(stages)]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
