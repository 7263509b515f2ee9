"""`tutela discover`: the JSON records, the YAML proposal, documents, and hostile input.

Run end to end through Typer's runner with the real detectors and classifier, on
a small SQLite shop (personal and non-personal columns, a foreign key, NULLs)
and once on PostgreSQL.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from ruamel.yaml import YAML
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.connectors.memory import MemoryConnector
from tutela.discovery.service import discover
from tutela.errors import ConnectorError
from tutela.ports import CollectionInfo, ColumnInfo
from tutela.programme.models import Dataset

runner = CliRunner()
RECORD_KEYS = {"table", "column", "category", "confidence", "evidence", "identity", "sampled"}
IBANS = (
    "NL91ABNA0417164300",
    "DE89370400440532013000",
    "BE68539007547034",
    "FR1420041010050500013M02606",
)
FIRST = ("Anna", "Jean", "Pieter", "Maria", "Lukas", "Sofia", "Noah", "Emma", "Louis", "Julia")
LAST = ("Jansen", "Dubois", "Müller", "García", "Peeters", "Rossi", "Smith", "Novak")


def _shop_rows(count: int) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(20)
    customers = [
        {
            "id": n,
            "contact": f"{FIRST[n % 10].lower()}.{LAST[n % 8].lower()}{n}@example.com",
            "rekening": IBANS[n % 4] if n % 7 else None,
            "status": rng.choice(["active", "closed", "pending"]),
            "score": rng.randint(0, 100),
            "note": (
                f"Customer {FIRST[n % 10]} called about order {n}; please write back to "
                f"{FIRST[n % 10].lower()}{n}@example.org before Friday."
                if n % 3 == 0
                else f"Delivery {n} was late because the warehouse closed early this week."
            ),
        }
        for n in range(1, count + 1)
    ]
    orders = [
        {
            "id": n,
            "customer_id": 1 + n % count,
            "amount": rng.randint(100, 99_999) / 100,
            "ref": f"{rng.getrandbits(128):032x}",
        }
        for n in range(1, 2 * count + 1)
    ]
    return {"customers": customers, "orders": orders}


def _shop(url: str, count: int = 60) -> None:
    engine = sa.create_engine(url)
    metadata = sa.MetaData()
    customers = sa.Table(
        "customers",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("contact", sa.String(120), nullable=False),
        sa.Column("rekening", sa.String(34)),
        sa.Column("status", sa.String(10)),
        sa.Column("score", sa.Integer),
        sa.Column("note", sa.Text),
    )
    orders = sa.Table(
        "orders",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("customer_id", sa.ForeignKey("customers.id")),
        sa.Column("amount", sa.Numeric(10, 2)),
        sa.Column("ref", sa.String(32)),
    )
    metadata.create_all(engine)
    rows = _shop_rows(count)
    with engine.begin() as connection:
        connection.execute(customers.insert(), rows["customers"])
        connection.execute(orders.insert(), rows["orders"])
    engine.dispose()


def _records(result: Any) -> dict[tuple[str, str], dict[str, Any]]:
    assert result.exit_code == 0, result.output
    parsed = json.loads(result.stdout)
    assert isinstance(parsed, list)
    return {(record["table"], record["column"]): record for record in parsed}


def test_json_prints_one_record_per_column_with_the_stable_keys(sqlite_url: str) -> None:
    _shop(sqlite_url)
    result = runner.invoke(app, ["discover", sqlite_url, "--format", "json", "--sample", "50"])
    found = _records(result)
    assert set(found) == {
        *(("customers", c) for c in ("id", "contact", "rekening", "status", "score", "note")),
        *(("orders", c) for c in ("id", "customer_id", "amount", "ref")),
    }
    for record in found.values():
        assert set(record) >= RECORD_KEYS, record
        assert 0.0 <= record["confidence"] <= 1.0
        assert isinstance(record["evidence"], list)
    assert found[("customers", "contact")]["category"] == "user.contact.email"
    assert found[("customers", "contact")]["sampled"] == 50
    assert found[("customers", "rekening")]["category"].startswith("user.financial")
    for column in (("customers", "status"), ("orders", "amount"), ("orders", "ref")):
        assert found[column]["category"] is None, found[column]
    assert "primary key" in " ".join(found[("orders", "id")]["evidence"])
    assert "foreign key to customers.id" in found[("orders", "customer_id")]["evidence"]
    assert "2 tables, 10 columns" in result.stderr


def test_yaml_is_a_dataset_block_with_discovered_categories_and_reasons(
    sqlite_url: str, tmp_path: Path
) -> None:
    _shop(sqlite_url)
    output = tmp_path / "proposal.yml"
    result = runner.invoke(app, ["discover", sqlite_url, "--key", "shop", "-o", str(output)])
    assert result.exit_code == 0, result.output
    text = output.read_text(encoding="utf-8")
    dataset = Dataset.model_validate(YAML(typ="safe").load(text))
    fields = {(c.name, f.name): f for c in dataset.collections for f in c.fields}
    assert dataset.key == "shop"
    contact = fields[("customers", "contact")]
    assert contact.data_categories == ["user.contact.email"] and contact.identity == "email"
    assert [r.to for r in fields[("orders", "customer_id")].references] == ["customers.id"]
    assert not fields[("orders", "ref")].data_categories
    assert not fields[("orders", "customer_id")].data_categories, "keys carry no category"
    line = next(line for line in text.splitlines() if "name: contact" in line)
    assert "# discovered: " in line
    assert "# discovered: not personal data" in next(
        line for line in text.splitlines() if "name: status" in line
    )
    assert text.startswith("# Dataset proposed by `tutela discover` from sqlite:///")


def test_text_columns_get_spans_with_the_text_option(sqlite_url: str) -> None:
    _shop(sqlite_url)
    result = runner.invoke(app, ["discover", sqlite_url, "--format", "json", "--text"])
    found = _records(result)
    spans = found[("customers", "note")].get("spans", [])
    assert any(span["category"] == "user.contact.email" for span in spans), found


@pytest.mark.postgres
def test_postgresql_discovery_prints_the_same_records(postgres_url: str) -> None:
    _shop(postgres_url, count=80)
    found = _records(runner.invoke(app, ["discover", postgres_url, "--format", "json"]))
    assert len(found) == 10
    assert found[("customers", "contact")]["category"] == "user.contact.email"
    assert found[("orders", "amount")]["category"] is None
    assert all(set(record) >= RECORD_KEYS for record in found.values())


@pytest.mark.postgres
def test_a_table_that_cannot_be_read_is_judged_by_its_names(postgres_url: str) -> None:
    _shop(postgres_url, count=20)
    role = f"reader_{Path(sa.make_url(postgres_url).database or 'x').name[-12:]}"
    engine = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        connection.exec_driver_sql(f"GRANT SELECT ON customers TO {role}")
    try:
        url = sa.make_url(postgres_url).set(username=role)
        result = runner.invoke(
            app, ["discover", url.render_as_string(hide_password=False), "--format", "json"]
        )
        found = _records(result)
        assert found[("customers", "contact")]["category"] == "user.contact.email"
        evidence = " ".join(found[("orders", "amount")]["evidence"])
        assert "not sampled" in evidence and "judged by its name only" in evidence
        assert found[("orders", "amount")]["sampled"] == 0
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f"DROP OWNED BY {role}")
            connection.exec_driver_sql(f"DROP ROLE {role}")
        engine.dispose()


def test_the_memory_connector_can_be_discovered_and_others_cannot() -> None:
    info = CollectionInfo(
        "people", (ColumnInfo("id", "integer", True, True), ColumnInfo("mail", "varchar"))
    )
    rows = [{"id": n, "mail": f"p{n}@example.com"} for n in range(40)]
    found = discover(MemoryConnector("crm", [info], {"people": rows}), sample=20)
    assert found.cells == 40 and [f.category for f in found.findings][1] == "user.contact.email"

    class Unsampled:
        name = "saas"

        def describe(self) -> list[CollectionInfo]:
            return [info]

    with pytest.raises(ConnectorError, match="discovery needs an SQL connector"):
        discover(Unsampled(), sample=10)  # type: ignore[arg-type]


# --- documents ------------------------------------------------------------------------------

DOCUMENTS = [
    {"id": "T-1", "text": "Hello, this is Ann. Reach me at ann.lee@example.com or tomorrow."},
    {"id": 2, "text": "Nothing personal here: build 4.2.1 passed, job 8812 done."},
    {"text": "Refund to IBAN NL91 ABNA 0417 1643 00 please, café ☕ ok."},
]


def _jsonl(path: Path, documents: list[dict[str, Any]]) -> Path:
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in documents) + "\n\n")
    return path


def test_text_documents_print_spans_with_exact_offsets(tmp_path: Path) -> None:
    result = runner.invoke(app, ["discover", "text", str(_jsonl(tmp_path / "t.jsonl", DOCUMENTS))])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["id"] for line in lines] == ["T-1", 2, 3], "a missing id is the line number"
    for line, document in zip(lines, DOCUMENTS, strict=True):
        for span in line["spans"]:
            assert document["text"][span["start"] : span["end"]] == span["text"]
            assert {"start", "end", "category", "confidence", "detector", "text"} <= set(span)
    email = [s for s in lines[0]["spans"] if s["category"] == "user.contact.email"]
    start = DOCUMENTS[0]["text"].index("ann.lee@example.com")
    assert [(s["start"], s["end"]) for s in email] == [(start, start + 19)]
    assert lines[1]["spans"] == [], "version strings and job numbers are not personal data"
    assert any(s["category"].startswith("user.financial") for s in lines[2]["spans"])
    assert "3 documents" in result.stderr


def test_a_plain_text_file_is_one_document_listed_readably(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("\ufeffMail ann.lee@example.com\n", encoding="utf-8")
    result = runner.invoke(app, ["discover", "text", str(path), "--format", "text"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("note.txt: ")
    assert "user.contact.email" in result.stdout and "'ann.lee@example.com'" in result.stdout


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b'{"id": 1, "text": "ok"}\nnot json\n', 4, "line 2 of 'docs.jsonl' is not JSON"),
        (b'["a", "b"]\n', 4, "is a JSON list, not an object"),
        (b'{"id": 1, "text": 42}\n', 4, '"text" must be a string, found a int'),
        (b'{"id": 1}\n', 4, '"text" must be a string, found missing'),
        (b'{"id": 1, "text": "caf\xe9"}\n', 4, "is not UTF-8 text"),
        (b'{"text": "' + b"a" * (2**20 + 10) + b'"}\n', 4, "longer than 1 MiB"),
    ],
    ids=["not-json", "not-object", "text-not-string", "text-missing", "not-utf8", "huge-line"],
)
def test_hostile_documents_fail_with_a_clear_message(
    tmp_path: Path, content: bytes, code: int, message: str
) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_bytes(content)
    result = runner.invoke(app, ["discover", "text", str(path)])
    assert result.exit_code == code, result.output
    assert message in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["discover", "text"], 2, "tutela discover text FILE"),
        (["discover", "text", "{tmp}/missing.jsonl"], 4, "does not exist"),
        (["discover", "text", "{tmp}"], 4, "is a folder"),
        (["discover", "text", "{tmp}/x.jsonl", "--format", "yaml"], 2, "json or text"),
        (["discover", "{url}", "--format", "xml"], 2, "yaml or json"),
        (["discover", "{url}", "extra.jsonl"], 2, "tutela discover text FILE"),
        (["discover", "{url}", "--key", "Not A Key"], 2, "not a programme key"),
        (["discover"], 7, "give the database URL"),
        (["discover", "nosuch://u:Secret-99@h/db"], 7, ""),
        (["discover", "{empty}"], 5, "has no tables"),
        (["discover", "text", "{tmp}/x.jsonl", "--jobs", "-1"], 2, "--jobs"),
        (["discover", "text", "{tmp}/x.jsonl", "--jobs", "65"], 2, "--jobs"),
        (["discover", "text", "{tmp}/x.jsonl", "--jobs", "many"], 2, "--jobs"),
    ],
    ids=[
        "text-no-file",
        "missing-file",
        "folder",
        "text-yaml",
        "db-xml",
        "db-and-file",
        "bad-key",
        "no-url",
        "unknown-scheme",
        "empty-database",
        "jobs-negative",
        "jobs-too-many",
        "jobs-not-a-number",
    ],
)
def test_hostile_arguments_fail_cleanly(
    tmp_path: Path, sqlite_url: str, argv: list[str], code: int, message: str
) -> None:
    _shop(sqlite_url, count=3)
    empty = tmp_path / "empty.sqlite"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    args = [
        a.replace("{tmp}", str(tmp_path))
        .replace("{url}", sqlite_url)
        .replace("{empty}", f"sqlite:///{empty}")
        for a in argv
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == code, result.output
    assert message in result.output and "Traceback" not in result.output
    assert "Secret-99" not in result.output


def _many_documents(path: Path, count: int) -> Path:
    rng = random.Random(5)
    pieces = [
        "Call Ann Lee on +32 477 12 34 56.",
        "IBAN NL91 ABNA 0417 1643 00, card 4111 1111 1111 1111.",
        "Build 2025.11.133 on 10.0.0.12, order 123456789.",
        "Mail jan.peeters@example.be or write to Kerkstraat 12, 1000 Brussel.",
        "Nothing personal here.",
    ]
    documents = [
        {"id": index, "text": " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6)))}
        for index in range(count)
    ]
    return _jsonl(path, documents)


def test_several_jobs_print_what_one_prints_in_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tutela.cli import discover_text

    monkeypatch.setattr(discover_text, "JOB_BATCH_CHARACTERS", 500)
    path = _many_documents(tmp_path / "docs.jsonl", 300)
    one = runner.invoke(app, ["discover", "text", str(path), "--jobs", "1"])
    two = runner.invoke(app, ["discover", "text", str(path), "--jobs", "2"])
    assert one.exit_code == two.exit_code == 0, two.output
    assert two.stdout == one.stdout
    assert [json.loads(line)["id"] for line in two.stdout.splitlines()] == list(range(300))
    assert "300 documents" in two.stderr


def test_one_job_per_core_only_for_a_file_of_several_batches(tmp_path: Path) -> None:
    from tutela.cli import discover_text

    small = _many_documents(tmp_path / "small.jsonl", 3)
    assert discover_text._workers(small, 0) == 1
    assert discover_text._workers(small, 3) == 3
    big = tmp_path / "big.jsonl"
    big.write_bytes(b" " * (2 * discover_text.JOB_BATCH_CHARACTERS + 1))
    assert 1 <= discover_text._workers(big, 0) <= discover_text.MOST_JOBS
    assert discover_text._workers(tmp_path / "note.txt", 0) == 1


def test_a_bad_line_with_several_jobs_stops_after_writing_the_batches_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tutela.cli import discover_text

    monkeypatch.setattr(discover_text, "JOB_BATCH_CHARACTERS", 200)
    path = _many_documents(tmp_path / "docs.jsonl", 60)
    with path.open("a", encoding="utf-8") as out:
        out.write("not json\n")
    result = runner.invoke(app, ["discover", "text", str(path), "--jobs", "2"])
    assert result.exit_code == 4, result.output
    assert "line 62 of 'docs.jsonl' is not JSON" in result.stderr  # after a blank line
    printed = [json.loads(line)["id"] for line in result.stdout.splitlines()]
    assert printed == list(range(len(printed))) and len(printed) >= 50, printed
    assert "Traceback" not in result.output
