"""The release service: a declared release read, typed, run, refused and ledgered (AN-1..AN-3)."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tutela.anonymise.service import (
    REFUSED,
    RELEASED,
    LedgerNote,
    ReleaseService,
    document_digest,
    infer_kind,
    privacy_model,
)
from tutela.connectors.release_source import ReleaseSources, read_csv, read_tree
from tutela.connectors.sql import SqlConnector
from tutela.errors import AnonymisationError, ConnectorError, ReleaseRefused
from tutela.ports import Connector
from tutela.programme.loader import load_programme
from tutela.programme.models import AnonymisedRelease

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
ZIPS = ("1000", "1050", "2000", "2600", "9000")
DISEASES = ("flu", "cold", "none")

RELEASES = """\
anonymisation:
  - key: members
    name: Members
    description: Members by age and postcode.
    method: k_anonymity
    k: 3
    quasi_identifiers: [age, zip]
    source: {csv: data/members.csv}
    hierarchies:
      zip: {file: zips.csv}
  - key: diverse
    name: Diverse
    description: Members by age and postcode, diseases diverse.
    method: l_diversity
    k: 3
    l: 2
    quasi_identifiers: [age, zip]
    sensitive: [disease]
    source: {csv: data/members.csv}
  - key: impossible
    name: Impossible
    description: More than there are.
    method: k_anonymity
    k: 50
    quasi_identifiers: [age]
    source: {csv: data/members.csv}
  - key: counted
    name: Counted
    description: Members per postcode.
    method: aggregation
    min_cell: 7
    quasi_identifiers: [zip]
    source: {csv: data/members.csv}
  - key: grouped
    name: Grouped
    description: Members per age band, counted.
    method: k_anonymity
    k: 5
    min_cell: 5
    quasi_identifiers: [age]
    source: {csv: data/members.csv}
  - key: nowhere
    name: Nowhere
    description: No source.
    method: k_anonymity
    k: 5
    quasi_identifiers: [age]
"""


def member_rows() -> list[tuple[str, str, str]]:
    """30 members: ages 20..49, five postcodes, three diseases."""
    return [(str(20 + i), ZIPS[i % 5], DISEASES[i % 3]) for i in range(30)]


def write_programme(folder: Path) -> Path:
    """The minimal programme plus RELEASES, members.csv and the postcode tree."""
    shutil.copytree(MINIMAL, folder)
    (folder / "anonymisation.yml").write_text(RELEASES, encoding="utf-8")
    (folder / "data").mkdir()
    lines = ["age,zip,disease", *(",".join(row) for row in member_rows())]
    (folder / "data" / "members.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    tree = ["1000,Brussels,*", "1050,Brussels,*", "2000,Antwerp,*", "2600,Antwerp", "9000,Ghent"]
    (folder / "zips.csv").write_text("\n".join(tree) + "\n", encoding="utf-8")
    return folder


class FixedClock:
    def now(self) -> datetime:
        return NOW


class Notes:
    """The ledger port as a list (the store's adapter is proven in test_cli.py)."""

    def __init__(self) -> None:
        self.notes: list[LedgerNote] = []

    def record(self, note: LedgerNote) -> None:
        self.notes.append(note)


def _no_system(key: str) -> Connector:
    raise AssertionError(f"no system is read here ({key})")


def service(folder: Path, ledger: Notes | None) -> ReleaseService:
    programme = load_programme(folder)
    return ReleaseService(programme, ReleaseSources(folder, _no_system), ledger, FixedClock())


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_programme(tmp_path / "programme")


def test_AN_3_release_is_k_anonymous_with_the_tree_and_ledgered_by_digest(folder: Path) -> None:
    notes = Notes()
    made = service(folder, notes).release("members")
    assert made.header == ("age", "zip")
    counts: dict[tuple[str, ...], int] = {}
    for row in made.rows:
        counts[row] = counts.get(row, 0) + 1
    assert min(counts.values()) >= 3
    assert {row[1] for row in made.rows} <= {*ZIPS, "Brussels", "Antwerp", "Ghent", "*"}
    assert made.digest == hashlib.sha256(made.content).hexdigest()
    assert made.content.startswith(b"age,zip\n")
    (note,) = notes.notes
    assert (note.action, note.subject, note.time) == (RELEASED, "release:members", NOW)
    assert note.after == made.digest and note.before == document_digest(made.report)
    risk = made.report["risk"]
    assert isinstance(risk, dict) and risk["k"] >= 3
    assert made.report["model"] == "k=3"


def test_AN_3_l_diversity_release_keeps_the_sensitive_column_and_meets_l(folder: Path) -> None:
    made = service(folder, None).release("diverse")
    assert made.header == ("age", "zip", "disease")
    risk = made.report["risk"]
    assert isinstance(risk, dict) and risk["l_distinct"]["disease"] >= 2


def test_AN_2_refused_release_is_ledgered_with_its_reasons_digest_and_nothing_published(
    folder: Path,
) -> None:
    notes, published = Notes(), []
    with pytest.raises(ReleaseRefused, match="k=50"):
        service(folder, notes).release("impossible", publish=published.append)
    assert published == []
    (note,) = notes.notes
    assert (note.action, note.subject, note.after) == (REFUSED, "release:impossible", None)
    assert len(note.before) == 64


def test_AN_2_dry_run_records_nothing(folder: Path) -> None:
    with pytest.raises(ReleaseRefused):
        service(folder, None).release("impossible")
    assert service(folder, None).release("members").rows


def test_AN_3_aggregation_counts_and_suppresses_small_cells(folder: Path) -> None:
    made = service(folder, Notes()).release("counted")
    assert made.header == ("zip", "count")
    assert made.rows == [] or all(int(count) >= 7 for _, count in made.rows)
    cells = made.report["cells"]
    assert isinstance(cells, dict) and cells["cells"] == 5 and cells["suppressed_cells"] == 5
    assert made.report["risk"] is None


def test_AN_3_generalised_release_with_min_cell_is_published_as_counts(folder: Path) -> None:
    made = service(folder, None).release("grouped")
    assert made.header == ("age", "count")
    assert sum(int(count) for _, count in made.rows) == 30
    assert all(int(count) >= 5 for _, count in made.rows)


def test_unknown_release_and_release_without_source_are_explained(folder: Path) -> None:
    with pytest.raises(AnonymisationError, match=r"no release 'nope'.*members"):
        service(folder, None).release("nope")
    with pytest.raises(AnonymisationError, match="no source"):
        service(folder, None).release("nowhere")


@pytest.mark.parametrize(
    ("values", "kind"),
    [
        (["1", "2.5", "-3"], "number"),
        (["2024-01-31", "2023-12-01 10:00:00"], "date"),
        (["1", "two"], "category"),
        (["2024-13-01"], "category"),
        (["", "1"], "category"),
    ],
)
def test_quasi_identifier_type_is_inferred_from_its_values(values: list[str], kind: str) -> None:
    assert infer_kind(values) == kind


def _release(**fields: object) -> AnonymisedRelease:
    base = {"key": "r", "name": "R", "description": "R.", "quasi_identifiers": ["a"]}
    return AnonymisedRelease.model_validate({**base, **fields})


def test_privacy_model_from_method_k_l_t() -> None:
    model = privacy_model(_release(method="t_closeness", k=5, t=0.2, sensitive=["s"]))
    assert (model.k, model.l, model.t) == (5, None, 0.2)
    model = privacy_model(_release(method="l_diversity", l=3, sensitive=["s"]))
    assert (model.k, model.l, model.diversity) == (3, 3, "distinct")
    with pytest.raises(AnonymisationError, match="set l"):
        privacy_model(_release(method="l_diversity", k=5, sensitive=["s"]))
    with pytest.raises(AnonymisationError, match="sensitive"):
        privacy_model(_release(method="t_closeness", t=0.2))
    with pytest.raises(AnonymisationError, match="differentially private"):
        privacy_model(_release(method="differential_privacy"))


def test_a_value_outside_the_declared_tree_is_named(folder: Path) -> None:
    rows = (folder / "data" / "members.csv").read_text(encoding="utf-8")
    (folder / "data" / "members.csv").write_text(rows + "51,4000,flu\n", encoding="utf-8")
    with pytest.raises(AnonymisationError, match="'4000'"):
        service(folder, None).release("members")


def test_csv_source_errors_name_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    with pytest.raises(AnonymisationError, match="no such file"):
        read_csv(path, ["a"], 10)
    path.write_bytes(b"a,b\n1,2\n3,\xff\n")
    with pytest.raises(AnonymisationError, match=r"s\.csv:3: not UTF-8"):
        read_csv(path, ["a"], 10)
    path.write_text("a,b\n1,2\n3\n", encoding="utf-8")
    with pytest.raises(AnonymisationError, match=r"s\.csv:3: 1 cells where the header has 2"):
        read_csv(path, ["a"], 10)
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(AnonymisationError, match="no column 'c'"):
        read_csv(path, ["c"], 10)
    path.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    with pytest.raises(AnonymisationError, match="more than 1 rows"):
        read_csv(path, ["a"], 1)
    assert read_csv(path, ["b"], 2) == {"b": ["2", "4"]}


def test_hierarchy_file_drops_a_final_star_and_refuses_uneven_depths(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,A,*\nb,B\n", encoding="utf-8")
    assert read_tree(path) == {"a": ["A"], "b": ["B"]}
    path.write_text("a,A,X\nb,B\n", encoding="utf-8")
    with pytest.raises(AnonymisationError, match="as many ancestors"):
        read_tree(path)
    path.write_text("a,A\na,B\n", encoding="utf-8")
    with pytest.raises(AnonymisationError, match=r"t\.csv:2: 'a' is given twice"):
        read_tree(path)


@pytest.mark.postgres
def test_query_source_reads_postgresql_read_only_with_null_as_empty(postgres_url: str) -> None:
    engine = sa.create_engine(postgres_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE member (age integer, zip text, seen date)")
        connection.exec_driver_sql(
            "INSERT INTO member VALUES (30, '1000', '2024-02-01'), (31, NULL, NULL)"
        )
    engine.dispose()
    release = _release(
        method="k_anonymity",
        k=2,
        source={
            "system": "db",
            "query": "SELECT age, zip, seen FROM member WHERE zip LIKE '%'"
            " OR zip IS NULL ORDER BY age",
        },
    )
    sources = ReleaseSources(Path("."), lambda key: SqlConnector(key, postgres_url))
    found = sources.columns(release, ["age", "zip", "seen"], 10)
    assert found == {"age": ["30", "31"], "zip": ["1000", ""], "seen": ["2024-02-01", ""]}
    with pytest.raises(AnonymisationError, match="more than 1 rows"):
        sources.columns(release, ["age"], 1)
    writing = _release(
        method="k_anonymity",
        k=2,
        source={
            "system": "db",
            "query": "WITH d AS (DELETE FROM member RETURNING age) SELECT * FROM d",
        },
    )
    with pytest.raises(ConnectorError, match="read-only"):
        sources.columns(writing, ["age"], 10)
