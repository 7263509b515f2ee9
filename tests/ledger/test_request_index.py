"""One request's entries through the request index, proven from tiles, on every store.

The request page's timeline is compared with the one made the old way (every entry read,
the whole ledger audited) on a ledger of many requests; the query the store runs is
explained to show it uses the index; migration ``0015_ledger_request_index`` fills the
column of a ledger written before it, and ``tutela ledger verify`` still finds it intact.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.errors import TutelaError
from tutela.ledger.checkpoint import Checkpoint, generate_key, sign_checkpoint
from tutela.ledger.entries import Entry, EntryError
from tutela.ledger.merkle import tree_head
from tutela.ledger.verifier import verify_bundle
from tutela.store import migrate
from tutela.store.ledger import NewEntry, SqlLedger, open_ledger
from tutela.store.ledger_proofs import LedgerProofs
from tutela.store.ledger_tables import REQUEST_INDEX, ledger_entry
from tutela.web.console_request_view import FAILED, PENDING, PROVED, timeline_of

ORIGIN = "tutela.local/ledger"
KEY = generate_key(ORIGIN)
WHEN = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ACTIONS = ("submitted", "verified", "in_progress", "answer_kept", "completed")
SERVERS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.postgres),
    pytest.param("mariadb", marks=pytest.mark.mariadb),
]


def url_of(request: pytest.FixtureRequest) -> str:
    name = {"sqlite": "sqlite_url", "postgresql": "postgres_url", "mariadb": "mariadb_url"}
    return str(request.getfixturevalue(name[request.param]))


@pytest.fixture(params=SERVERS)
def url(request: pytest.FixtureRequest) -> str:
    return url_of(request)


@pytest.fixture
def ledger(url: str) -> Iterator[SqlLedger]:
    opened = open_ledger(url)
    yield opened
    opened.close()


def made(count: int, requests: int, seed: int = 7) -> list[NewEntry]:
    """``count`` entries of ``requests`` requests, interleaved as a busy service writes them."""
    rng = random.Random(seed)
    return [
        NewEntry(
            WHEN + timedelta(seconds=i),
            rng.choice(("system", "staff:ann", "subject:link")),
            rng.choice(ACTIONS),
            f"req-{rng.randrange(requests):05d}",
            after=f"{i:064x}",
        )
        for i in range(count)
    ]


def fill(ledger: SqlLedger, entries: list[NewEntry], batch: int = 2_000) -> None:
    for start in range(0, len(entries), batch):
        ledger.append_now(entries[start : start + batch])


def old_timelines(
    proofs: LedgerProofs, names: list[str]
) -> dict[str, tuple[list[tuple[Entry, str]], int | None]]:
    """The page's timelines as they were made before the index: every row read and decoded,
    each request's proofs checked with an evidence bundle of the audited ledger."""
    everything = []
    for row in proofs.ledger.rows():
        try:
            everything.append(Entry.decode(row.text.encode("utf-8")))
        except EntryError:
            continue
    latest = proofs.latest()
    made = {}
    for name in names:
        mine = [entry for entry in everything if entry.request == name]
        if latest is None:
            made[name] = [(entry, PENDING) for entry in mine], None
            continue
        try:
            bundle = verify_bundle(proofs.evidence(name, KEY.verifier), KEY.verifier)
            proved = {int(fields["seq"]) for fields in bundle.entries}
        except (TutelaError, ValueError):
            proved = set()
        made[name] = (
            [
                (e, PENDING if e.seq >= latest.size else PROVED if e.seq in proved else FAILED)
                for e in mine
            ],
            latest.size,
        )
    return made


def old_timeline(proofs: LedgerProofs, name: str) -> tuple[list[tuple[Entry, str]], int | None]:
    return old_timelines(proofs, [name])[name]


def new_timeline(proofs: LedgerProofs, request: str) -> tuple[list[tuple[Entry, str]], int | None]:
    rows, size = timeline_of(proofs, request, KEY.verifier)
    return [(row.entry, row.proof) for row in rows], size


# --- the same timeline, read through the index ---------------------------------------------


def test_the_request_pages_timeline_is_the_one_read_from_the_whole_ledger(
    ledger: SqlLedger,
) -> None:
    fill(ledger, made(1_100, 60))
    proofs = LedgerProofs(ledger, ORIGIN)
    names = [f"req-{i:05d}" for i in range(0, 60, 6)] + ["req-99999"]
    unsigned = old_timelines(proofs, names)
    assert {name: new_timeline(proofs, name) for name in names} == unsigned
    proofs.checkpoint(KEY)
    fill(ledger, made(200, 60, seed=8))  # appended after the checkpoint: pending
    signed = old_timelines(proofs, names)
    assert {name: new_timeline(proofs, name) for name in names} == signed
    statuses = {status for timeline, _ in signed.values() for _, status in timeline}
    assert statuses == {PROVED, PENDING}
    tiles = {entry.seq >> 8 for entry, _ in signed["req-00006"][0]}
    assert len(tiles) > 2, "a request with entries in several tiles"


def test_an_edited_entry_fails_its_requests_proofs_and_not_anothers(ledger: SqlLedger) -> None:
    fill(ledger, made(600, 40))
    proofs = LedgerProofs(ledger, ORIGIN)
    proofs.checkpoint(KEY)
    victim = ledger.rows_of("req-00003")[1]
    forged = victim.text.replace('"actor":"', '"actor":"x', 1)
    with ledger.engine.begin() as connection:
        edit = sa.update(ledger_entry).where(ledger_entry.c.seq == victim.seq)
        connection.execute(edit.values(entry=forged))
    assert {status for _, status in new_timeline(proofs, "req-00003")[0]} == {FAILED}
    assert {status for _, status in old_timeline(proofs, "req-00003")[0]} == {FAILED}
    # the page proves each request on its own; the audit of the whole ledger finds the rest
    assert {status for _, status in new_timeline(proofs, "req-00004")[0]} == {PROVED}
    assert {status for _, status in old_timeline(proofs, "req-00004")[0]} == {FAILED}


def test_request_ids_are_matched_exactly_on_every_store(ledger: SqlLedger) -> None:
    ledger.append_now(
        [NewEntry(WHEN, "system", "submitted", name) for name in ("req-a", "REQ-A", "req-a")]
    )
    assert [row.seq for row in ledger.rows_of("req-a")] == [0, 2]
    assert [row.seq for row in ledger.rows_of("REQ-A")] == [1]
    assert ledger.rows_of("req-a ") == [] and ledger.rows_of("req-%") == []
    for hostile in ("réq-a", "req-a\u2028", "😀", "req-a" * 13, "req-a' OR '1'='1"):
        assert ledger.rows_of(hostile) == [], hostile
    assert [row.request for row in ledger.rows()] == ["req-a", "REQ-A", "req-a"]


# --- the index, not a scan -------------------------------------------------------------------


def _explained(ledger: SqlLedger, request: str) -> str:
    """The plan of the statement :meth:`SqlLedger.rows_of` really runs, as text."""
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        seen.append((statement, parameters))

    sa.event.listen(ledger.engine, "before_cursor_execute", record)
    try:
        assert ledger.rows_of(request)
    finally:
        sa.event.remove(ledger.engine, "before_cursor_execute", record)
    ((statement, parameters),) = [s for s in seen if "tutela_ledger_entry" in s[0]]
    explain = "EXPLAIN QUERY PLAN " if ledger.engine.dialect.name == "sqlite" else "EXPLAIN "
    with ledger.engine.connect() as connection:
        plan = connection.exec_driver_sql(explain + statement, parameters).all()
    return "\n".join(" ".join(str(cell) for cell in row) for row in plan)


def test_one_requests_rows_are_found_through_the_index(ledger: SqlLedger) -> None:
    fill(ledger, made(20_000, 4_000), batch=5_000)
    analyse = {"postgresql": "ANALYZE tutela_ledger_entry", "sqlite": "ANALYZE"}
    with ledger.engine.begin() as connection:
        connection.exec_driver_sql(
            analyse.get(ledger.engine.dialect.name, "ANALYZE TABLE tutela_ledger_entry")
        )
    plan = _explained(ledger, "req-00042")
    assert REQUEST_INDEX in plan, plan
    assert not re.search(r"Seq Scan|SCAN tutela_ledger_entry\b|\bALL\b", plan), plan


def test_a_page_view_reads_the_requests_tiles_only_once_the_tiles_are_kept(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = open_ledger(sqlite_url)
    fill(ledger, made(3_000, 300))
    proofs = LedgerProofs(ledger, ORIGIN)
    proofs.checkpoint(KEY)
    spans: list[tuple[int, int]] = []
    real = ledger.recorded
    monkeypatch.setattr(ledger, "recorded", lambda a, b: spans.append((a, b)) or real(a, b))
    monkeypatch.setattr(SqlLedger, "rows", lambda self: pytest.fail("the whole ledger read"))
    assert new_timeline(proofs, "req-00001")[0]
    assert sum(b - a for a, b in spans) > 3_000  # first view: every recorded hash, once
    spans.clear()
    timeline = new_timeline(proofs, "req-00002")[0]
    assert {status for _, status in timeline} == {PROVED}
    tiles = {entry.seq >> 8 for entry, _ in timeline}
    assert sorted(spans) == sorted((t * 256, min(t * 256 + 256, 3_000)) for t in tiles)
    monkeypatch.undo()
    fill(ledger, made(500, 300, seed=9))
    proofs.checkpoint(KEY)
    monkeypatch.setattr(ledger, "recorded", lambda a, b: spans.append((a, b)) or real(a, b))
    spans.clear()
    timeline = new_timeline(proofs, "req-00002")[0]
    assert {status for _, status in timeline} == {PROVED}
    read = [(t * 256, min(t * 256 + 256, 3_500)) for t in {e.seq >> 8 for e, _ in timeline}]
    assert sorted(spans) == sorted([(2_816, 3_500), *read])  # from the last tile not full
    ledger.close()


# --- migration 0015 on a ledger written before it ---------------------------------------------


def _old_rows(count: int) -> list[dict[str, Any]]:
    entries = [
        Entry(seq, e.time, e.actor, e.action, e.request, e.before, e.after)
        for seq, e in enumerate(made(count, 300))
    ]
    return [
        {
            "seq": e.seq,
            "entry": e.encode().decode(),
            "leaf_hash": e.leaf_hash().hex(),
            "created_at": WHEN,
        }
        for e in entries
    ]


def _verify(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> str:
    monkeypatch.chdir(tmp_path)  # no .env file of the developer's is read
    env = {"TUTELA_DATABASE_URL": url, "TUTELA_LEDGER_KEY": KEY.private_text()}
    result = CliRunner().invoke(app, ["ledger", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_migration_0015_fills_the_column_in_batches_and_the_ledger_still_verifies(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = migrate.alembic_config(url)
    command.upgrade(config, "0014_rate_windows")
    engine = sa.create_engine(url)
    rows = _old_rows(2_500)  # more than one batch of 2,000
    with engine.begin() as connection:
        connection.execute(sa.insert(ledger_entry), rows)
    root = tree_head([bytes.fromhex(row["leaf_hash"]) for row in rows])
    note = sign_checkpoint(Checkpoint(ORIGIN, len(rows), root), KEY)
    SqlLedger(engine).save_checkpoint(note, len(rows))
    migrate.upgrade(engine)
    assert migrate.revision(engine) == "0015_ledger_request_index"
    ledger = SqlLedger(engine)
    assert all(row.request == Entry.decode(row.text.encode()).request for row in ledger.rows())
    indexes = {index["name"] for index in sa.inspect(engine).get_indexes("tutela_ledger_entry")}
    assert REQUEST_INDEX in indexes
    assert _verify(url, tmp_path, monkeypatch, "verify") == (
        "ledger intact: 2500 entries, checkpoint at size 2500\n"
    )
    proofs = LedgerProofs(ledger, ORIGIN)
    assert new_timeline(proofs, "req-00011") == old_timeline(proofs, "req-00011")
    command.stamp(config, "0014_rate_windows")  # as if killed before its stamp: runs again
    migrate.upgrade(engine)
    command.downgrade(config, "0014_rate_windows")
    columns = {column["name"] for column in sa.inspect(engine).get_columns("tutela_ledger_entry")}
    assert "request" not in columns
    migrate.upgrade(engine)
    ledger.append_now(made(1, 300))
    _verify(url, tmp_path, monkeypatch, "checkpoint")
    assert "2501 entries, checkpoint at size 2501" in _verify(url, tmp_path, monkeypatch, "verify")
    engine.dispose()
