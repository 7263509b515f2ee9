"""How well tutela finds personal data nobody declared, in columns and text, and moderates posts.

    python benchmarks/discovery.py [--db sqlite|postgresql|both] [--rows N] [--seed S]
        [--url URL] [--part columns|text|moderation|all] [--text-mb M] [--sample N]

An independent, labelled evaluation (issue 20); nothing in it is tuned to tutela's detectors.

- **columns**: ``discovery_data.py`` builds 27 tables of ``--rows`` rows (default 3,000) on
  SQLite (a temporary file) and PostgreSQL (``postgresql+psycopg://postgres@127.0.0.1:5432/
  tutela_bench_discovery``, created then dropped; ``--url`` names another database, whose
  tables are replaced and kept): opaque, non-English and misleading column names,
  look-alikes, mixed locales, numbers stored as integers, NULLs, free text. Every column is
  labelled with its fideslang key or None. ``tutela.discovery.service.discover`` runs on a
  ``SqlConnector``, and ``tutela discover URL --format json`` once through the CLI. A column
  is right when the predicted key equals its label or one is the other's parent
  (``user.name`` / ``user.name.first``); None for None is a true negative. Per-category
  precision, recall and F1 and the micro-F1 over columns (personal categories positive),
  the throughput in sampled cells per second, beside a naive baseline (column names only:
  ``tutela.connectors.guess.guess_column``) and the floor (a handful of bare regexes per
  column over the same number of sampled cells, timed).
- **text**: ``discovery_text.py`` writes ``--text-mb`` MB (default 2) of support tickets in
  en/fr/nl/de with personal data at known offsets beside hard negatives;
  ``tutela.discovery.text.find_spans_many`` (the documents searched in one batch) is scored
  span by span (same category or parent/child, overlapping offsets); it and ``find_spans``
  (document by document, asserted to give the same spans) are timed in MB/s beside one
  combined regex pass, and ``tutela discover text FILE --format json`` once, timed whole
  (start-up included), its spans compared with ``find_spans_many``'s.
- **moderation**: ``data/moderation_posts.jsonl`` (hand-written, 4 languages) through
  ``tutela.discovery.moderation.moderate``: per-class precision and recall, hold/allow
  accuracy, posts/s, and ``tutela moderate FILE --format json`` once for its shape.

Targets (printed beside the figures, not asserted): column micro-F1 >= 0.95 at >= 100,000
sampled cells/s; span F1 >= 0.90 at >= 1 MB/s. Exits 0.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from tutela.connectors.guess import guess_column
from tutela.ports import ColumnInfo
from tutela.testing.machine import describe


def _sibling(name: str) -> ModuleType:
    """The benchmark module ``name`` beside this file (``requests.py`` there hides a package)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name(f"{name}.py"))
        assert spec is not None and spec.loader is not None
        sys.modules[name] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[name])
    return sys.modules[name]


if TYPE_CHECKING:
    import discovery_data as data
    import discovery_text as texts
else:
    data = _sibling("discovery_data")
    texts = _sibling("discovery_text")

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
DATABASE = "tutela_bench_discovery"
POSTS = Path(__file__).with_name("data") / "moderation_posts.jsonl"
TUTELA = Path(sys.executable).with_name("tutela")
TARGET_F1, TARGET_CELLS, TARGET_SPAN_F1, TARGET_MBS = 0.95, 100_000, 0.90, 1.0
RULE = (
    "a column is right when the predicted key equals its label or one is the other's parent "
    "(user.name / user.name.first); None for None is a true negative"
)

# --- column scores --------------------------------------------------------------------------

Key = tuple[str, str]


@dataclass
class ColumnScore:
    """Per-category counts over columns, and the columns each side got wrong."""

    right: Counter[str] = field(default_factory=Counter)
    false: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    negatives: int = 0
    wrong: list[tuple[Key, str | None, str | None]] = field(default_factory=list)

    @classmethod
    def of(cls, labels: dict[Key, str | None], predicted: dict[Key, str | None]) -> ColumnScore:
        """Score ``predicted`` (a missing column predicts None) against ``labels``."""
        score = cls()
        for key, label in labels.items():
            if label == data.IGNORED:
                continue
            guess = predicted.get(key)
            if label is None and guess is None:
                score.negatives += 1
            elif label is not None and guess is not None and texts.related(label, guess):
                score.right[label] += 1
            else:
                score.wrong.append((key, label, guess))
                if label is not None:
                    score.missed[label] += 1
                if guess is not None:
                    score.false[guess] += 1
        return score

    def micro(self) -> tuple[float, float, float]:
        """Micro precision, recall and F1 over the personal categories."""
        right = sum(self.right.values())
        return texts.f1(right, sum(self.false.values()), right, sum(self.missed.values()))

    def rows(self) -> list[tuple[str, float, float, float, int]]:
        """Category, P, R, F1 and labelled columns, worst F1 first."""
        found = []
        for category in set(self.right) | set(self.false) | set(self.missed):
            right = self.right[category]
            precision, recall, f1 = texts.f1(
                right, self.false[category], right, self.missed[category]
            )
            found.append((category, precision, recall, f1, right + self.missed[category]))
        return sorted(found, key=lambda row: (row[3], row[0]))


# --- the floor and the naive baseline -------------------------------------------------------

FLOOR_PATTERNS = {
    "user.contact.email": re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),
    "user.device.ip_address": re.compile(r"(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f:]*::?[0-9a-f:]+"),
    "user.financial.credit_card": re.compile(r"(?:\d[ -]?){12,18}\d"),
    "user.financial.bank_account": re.compile(r"[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}"),
    "user.contact.phone_number": re.compile(r"(?:\+|00)[\d ()./-]{8,18}\d"),
    "user.demographic.date_of_birth": re.compile(r"\d{2}[/.]\d{2}[/.](?:19|20)\d{2}"),
}
"""The floor's column classifier: six bare expressions, no validation, majority vote."""


def floor_category(values: Sequence[object]) -> str | None:
    """The floor's verdict on one column: the pattern matching most values, over half."""
    cells = [str(value) for value in values if value is not None]
    if not cells:
        return None
    best, count = None, 0
    for category, pattern in FLOOR_PATTERNS.items():
        hits = sum(1 for cell in cells if pattern.fullmatch(cell))
        if hits > count:
            best, count = category, hits
    return best if count * 2 > len(cells) else None


def floor_run(engine: sa.Engine, sample: int) -> tuple[dict[Key, str | None], int, float]:
    """The floor: read ``sample`` rows per table and classify each column; cells, seconds."""
    predicted: dict[Key, str | None] = {}
    cells = 0
    started = time.perf_counter()
    with engine.connect() as connection:
        for table in data.TABLES:
            result = connection.exec_driver_sql(f"SELECT * FROM {table.name} LIMIT {sample}")
            names, rows = list(result.keys()), result.fetchall()
            cells += len(rows) * len(names)
            for index, name in enumerate(names):
                predicted[(table.name, name)] = floor_category([row[index] for row in rows])
    return predicted, cells, time.perf_counter() - started


def naive_run(engine: sa.Engine) -> dict[Key, str | None]:
    """Column names (and types) only, as ``tutela datasets reflect`` guesses them."""
    inspector = sa.inspect(engine)
    predicted: dict[Key, str | None] = {}
    for table in data.TABLES:
        for column in inspector.get_columns(table.name):
            guess = guess_column(ColumnInfo(column["name"], str(column["type"])))
            predicted[(table.name, column["name"])] = guess.category if guess else None
    return predicted


# --- tutela, in process and through the CLI -------------------------------------------------


@dataclass
class TutelaRun:
    """tutela's predictions, evidence, cells, seconds (service and wall), or why it did not run."""

    predicted: dict[Key, str | None] = field(default_factory=dict)
    evidence: dict[Key, str] = field(default_factory=dict)
    cells: int = 0
    seconds: float = 0.0
    wall: float = 0.0
    failure: str = ""


def tutela_run(url: str, sample: int) -> TutelaRun:
    """``discover`` on a ``SqlConnector`` of ``url``."""
    from tutela.connectors.sql import SqlConnector
    from tutela.discovery.service import discover

    connector = SqlConnector("bench", url)
    run = TutelaRun()
    started = time.perf_counter()
    try:
        found = discover(connector, sample=sample)
    except Exception as error:  # the report says why tutela could not run, the rest goes on
        run.failure = f"discover failed: {type(error).__name__}: {str(error)[:300]}"
        return run
    finally:
        connector.close()
    run.wall = time.perf_counter() - started
    run.cells, run.seconds = found.cells, found.seconds
    for finding in found.findings:
        key = (finding.table, finding.column)
        run.predicted[key] = finding.category
        run.evidence[key] = f"{finding.confidence:.2f} " + "; ".join(finding.evidence)[:160]
    return run


def cli_run(url: str) -> tuple[dict[Key, str | None], str]:
    """``tutela discover URL --format json``: the predictions, or what went wrong."""
    command = [str(TUTELA), "discover", url, "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    if done.returncode != 0:
        return {}, f"exit {done.returncode}: {(done.stderr or done.stdout).strip()[-300:]}"
    try:
        records = json.loads(done.stdout)
    except json.JSONDecodeError as error:
        return {}, f"not JSON: {error}"
    expected = {"table", "column", "category", "confidence", "evidence"}
    bad = [r for r in records if not isinstance(r, dict) or not expected <= set(r)]
    if not isinstance(records, list) or bad:
        return {}, f"records without {sorted(expected)}: {bad[:1]}"
    return {(r["table"], r["column"]): r["category"] for r in records}, ""


# --- the columns part -----------------------------------------------------------------------


def database_for(db: str, url: str | None, folder: Path) -> tuple[str, bool]:
    """The benchmark database's URL, and whether this run created it (and drops it)."""
    if url:
        return url, False
    if db == "sqlite":
        return f"sqlite:///{folder / 'discovery.sqlite'}", True
    _server_database(SERVER + DATABASE, create=True)
    return SERVER + DATABASE, True


def _server_database(url: str, *, create: bool) -> None:
    parsed = sa.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {parsed.database} WITH (FORCE)")
        if create:
            connection.exec_driver_sql(f"CREATE DATABASE {parsed.database}")
    admin.dispose()


@dataclass
class ColumnsResult:
    """One database's figures: tutela (service and CLI), the naive baseline and the floor."""

    db: str
    tutela: TutelaRun
    service: ColumnScore
    cli: ColumnScore | None
    cli_failure: str
    naive: ColumnScore
    floor: ColumnScore
    floor_cells: int
    floor_seconds: float


def run_columns(db: str, options: argparse.Namespace, say: Callable[[str], None]) -> ColumnsResult:
    """Load the labelled tables on ``db``, run every side, drop what this run created."""
    folder = Path(tempfile.mkdtemp(prefix="tutela_bench_discovery_"))
    url, created = database_for(db, options.url, folder)
    engine = sa.create_engine(url)
    try:
        started = time.perf_counter()
        data.load(engine, options.rows, options.seed)
        say(f"{db}: loaded {len(data.TABLES)} tables in {time.perf_counter() - started:.1f} s")
        if db == "postgresql":
            with engine.connect() as connection:
                connection.exec_driver_sql("ANALYZE")
        labels = data.labels()
        tutela = tutela_run(url, options.sample)
        say(f"{db}: tutela {tutela.failure or f'{tutela.wall:.2f} s'}")
        cli, failure = cli_run(url) if not tutela.failure else ({}, tutela.failure)
        floor, cells, seconds = floor_run(engine, options.sample)
        return ColumnsResult(
            db,
            tutela,
            ColumnScore.of(labels, tutela.predicted),
            ColumnScore.of(labels, cli) if cli else None,
            failure,
            ColumnScore.of(labels, naive_run(engine)),
            ColumnScore.of(labels, floor),
            cells,
            seconds,
        )
    finally:
        engine.dispose()
        if created and db == "sqlite":
            for path in folder.glob("discovery.sqlite*"):
                path.unlink()
        elif created:
            _server_database(url, create=False)
        folder.rmdir()


def _line(label: str, *cells: str, widths: Sequence[int] = (44, 8, 8, 8, 6)) -> str:
    parts = [label.ljust(widths[0])] + [c.rjust(w) for c, w in zip(cells, widths[1:], strict=False)]
    return " ".join(parts).rstrip()


def columns_table(result: ColumnsResult, options: argparse.Namespace) -> list[str]:
    """Per-category P/R/F1, micro-F1 of each side, throughput beside the floor."""
    labels = data.labels()
    scored = [k for k, label in labels.items() if label != data.IGNORED]
    personal = sum(1 for k in scored if labels[k] is not None)
    lines = [
        f"\ncolumns on {result.db}: {len(data.TABLES)} tables, {len(scored)} scored columns "
        f"({personal} personal, {len(labels) - len(scored)} ignored), {options.rows:,} rows "
        f"each, sample {options.sample:,} rows per table",
        f"scoring: {RULE}",
    ]
    tutela = result.tutela
    if tutela.failure:
        lines.append(f"tutela: {tutela.failure}")
    else:
        lines.append(_line("category (tutela service)", "P", "R", "F1", "cols"))
        for category, precision, recall, f1, count in result.service.rows():
            lines.append(
                _line(category, *(f"{x:.3f}" for x in (precision, recall, f1)), str(count))
            )
    sides = [("tutela service", result.service if not tutela.failure else None)]
    sides += [("tutela CLI --format json", result.cli), ("naive: column names only", result.naive)]
    sides += [("floor: bare regexes per column", result.floor)]
    for label, score in sides:
        text = f"{score.micro()[2]:.3f}" if score else "-"
        target = f"target >= {TARGET_F1}" if label == "tutela service" else ""
        lines.append(f"micro-F1 {label:<32} {text:>6}  {target}".rstrip())
    if result.cli is None and not tutela.failure:
        lines.append(f"tutela CLI: {result.cli_failure}")
    floor_rate = result.floor_cells / result.floor_seconds
    if not tutela.failure:
        rate = tutela.cells / tutela.seconds if tutela.seconds else 0.0
        lines += [
            f"throughput tutela {rate:>12,.0f} cells/s  ({tutela.cells:,} cells in "
            f"{tutela.seconds:.3f} s; wall {tutela.wall:.3f} s)  target >= {TARGET_CELLS:,}",
            f"throughput floor  {floor_rate:>12,.0f} cells/s  ({result.floor_cells:,} cells in "
            f"{result.floor_seconds:.3f} s)",
            f"ratio to floor (time per cell, tutela / floor): {floor_rate / max(rate, 1e-9):.2f}x",
        ]
        lines += mistakes(result)
    else:
        lines.append(f"throughput floor  {floor_rate:>12,.0f} cells/s")
    return lines


def mistakes(result: ColumnsResult, limit: int = 15) -> list[str]:
    """The columns tutela got wrong, with its evidence."""
    found = [f"wrong columns ({len(result.service.wrong)}):"]
    for (table, column), label, guess in result.service.wrong[:limit]:
        evidence = result.tutela.evidence.get((table, column), "")
        found.append(f"  {table}.{column}: label {label}, predicted {guess} [{evidence}]")
    return found


# --- the text part --------------------------------------------------------------------------


def text_table(options: argparse.Namespace) -> list[str]:
    """Span P/R/F1 per category and MB/s, beside one combined regex pass."""
    docs = texts.documents(options.text_mb, options.seed)
    size = sum(len(doc.text.encode()) for doc in docs) / 1_000_000
    head = [f"\ntext spans: {len(docs):,} documents (en/fr/nl/de), {size:.2f} MB"]
    started = time.perf_counter()
    for doc in docs:
        texts.floor_spans(doc.text)
    floor = size / (time.perf_counter() - started)
    try:
        from tutela.discovery.registry import detectors
        from tutela.discovery.text import find_spans, find_spans_many

        installed = detectors()
        started = time.perf_counter()
        each = [find_spans(doc.text, installed) for doc in docs]
        seconds_each = time.perf_counter() - started
        started = time.perf_counter()
        found = find_spans_many([doc.text for doc in docs], installed)
        seconds = time.perf_counter() - started
    except Exception as error:  # not implemented yet, or a detector failing to load
        failure = f"tutela: find_spans failed: {type(error).__name__}: {str(error)[:300]}"
        return [*head, failure, f"floor {floor:.2f} MB/s"]
    differ = sum(1 for one, other in zip(each, found, strict=True) if one != other)
    assert not differ, f"find_spans_many differs from find_spans on {differ} documents"
    score = texts.SpanScore()
    for doc, spans in zip(docs, found, strict=True):
        score.add(doc.text, doc.gold, [(s.start, s.end, s.category) for s in spans])
    lines = [
        *head,
        "scoring: a predicted span is right when its category equals a gold span's "
        "(or parent/child) and their offsets overlap",
        _line("category", "P", "R", "F1", "gold"),
    ]
    for category in score.categories():
        precision, recall, f1, _, gold = score.prf(category)
        lines.append(_line(category, *(f"{x:.3f}" for x in (precision, recall, f1)), str(gold)))
    precision, recall, f1, _, gold = score.prf()
    rate, rate_each = size / seconds, size / seconds_each
    lines += [
        _line("span micro", f"{precision:.3f}", f"{recall:.3f}", f"{f1:.3f}", str(gold)),
        f"span micro-F1 {f1:.3f}  target >= {TARGET_SPAN_F1}",
        f"throughput tutela per document (find_spans) {rate_each:.2f} MB/s  target >= "
        f"{TARGET_MBS}; floor (one combined regex) {floor:.2f} MB/s; "
        f"ratio {floor / rate_each:.2f}x",
        f"throughput tutela batched (find_spans_many) {rate:.2f} MB/s  target >= "
        f"{TARGET_MBS}; floor (one combined regex) {floor:.2f} MB/s; ratio {floor / rate:.2f}x",
        cli_text(docs, found, size),
        *(f"  {line}" for line in score.wrong[:16]),
    ]
    return lines


def _cores() -> int:
    """The cores this process may run on (what ``--jobs 0`` uses, up to eight)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def cli_text(docs: Sequence[Any], found: list[list[Any]], size: float) -> str:
    """``tutela discover text FILE --format json``, timed whole (start-up included).

    Its spans must be those of ``find_spans_many`` (start, end, category), document by
    document; the rate counts the same MB as the lines above.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "documents.jsonl"
        with path.open("w", encoding="utf-8") as out:
            for index, doc in enumerate(docs):
                out.write(json.dumps({"id": index, "text": doc.text}, ensure_ascii=False) + "\n")
        command = [str(TUTELA), "discover", "text", str(path), "--format", "json"]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
        wall = time.perf_counter() - started
    if done.returncode != 0:
        return f"CLI tutela discover text: exit {done.returncode}: {done.stderr.strip()[-200:]}"
    printed = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    same = [
        [(span["start"], span["end"], span["category"]) for span in record["spans"]]
        for record in printed
    ] == [[(span.start, span.end, span.category) for span in spans] for spans in found]
    return (
        f"throughput tutela CLI (tutela discover text FILE, wall, start-up included, "
        f"{_cores()} cores) {size / wall:.2f} MB/s  target >= {TARGET_MBS}; spans "
        f"{'same as find_spans_many' if same else 'DIFFER from find_spans_many'}"
    )


# --- the moderation part --------------------------------------------------------------------


def moderation_table(posts_path: Path) -> list[str]:
    """Per-class precision and recall, hold accuracy, posts/s, and the CLI's shape."""
    posts = [json.loads(line) for line in posts_path.read_text().splitlines() if line.strip()]
    langs = Counter(post["lang"] for post in posts)
    head = [
        f"\nmoderation: {len(posts)} posts ("
        + ", ".join(f"{lang} {count}" for lang, count in sorted(langs.items()))
        + ")"
    ]
    from tutela.discovery.moderation import MODERATION_CLASSES, moderate

    try:
        started = time.perf_counter()
        verdicts = [moderate(post["text"], post.get("lang")) for post in posts]
        seconds = time.perf_counter() - started
    except Exception as error:  # not implemented yet
        return [*head, f"tutela: moderate failed: {type(error).__name__}: {str(error)[:300]}"]
    lines = [*head, _line("class", "P", "R", "F1", "posts")]
    for kind in MODERATION_CLASSES:
        gold = [kind in post["classes"] for post in posts]
        said = [kind in verdict.classes for verdict in verdicts]
        right = sum(g and s for g, s in zip(gold, said, strict=True))
        p, r, f = texts.f1(right, sum(said) - right, right, sum(gold) - right)
        lines.append(_line(kind, f"{p:.3f}", f"{r:.3f}", f"{f:.3f}", str(sum(gold))))
    agree = [post["hold"] == verdict.hold for post, verdict in zip(posts, verdicts, strict=True)]
    lines.append(
        f"hold/allow accuracy {sum(agree) / len(posts):.3f} "
        f"({len(posts) - sum(agree)} wrong); {len(posts) / seconds:,.0f} posts/s"
    )
    for post, verdict, ok in zip(posts, verdicts, agree, strict=True):
        if not ok and len(lines) < 40:
            lines.append(
                f"  {post['id']}: gold {'hold' if post['hold'] else 'allow'} "
                f"{post['classes']}, got {list(verdict.classes)}: {post['text'][:70]!r}"
            )
    return [*lines, cli_moderation(posts_path, posts, verdicts)]


def cli_moderation(path: Path, posts: list[dict[str, Any]], verdicts: list[Any]) -> str:
    """``tutela moderate FILE --format json``: one line per post, same holds as in process."""
    command = [str(TUTELA), "moderate", str(path), "--format", "json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode not in (0, 1):
        return f"CLI: exit {done.returncode}: {(done.stderr or done.stdout).strip()[-200:]}"
    try:
        lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    except json.JSONDecodeError as error:
        return f"CLI: not JSON lines: {error}"
    shaped = all(set(line) >= {"id", "hold", "classes", "spans"} for line in lines)
    same = [line.get("hold") for line in lines] == [verdict.hold for verdict in verdicts]
    return (
        f"CLI tutela moderate --format json: {len(lines)} lines for {len(posts)} posts, "
        f"shape {'ok' if shaped else 'WRONG'}, holds {'same' if same else 'DIFFER'}"
    )


# --- command line ---------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The options."""
    parser = argparse.ArgumentParser(
        prog="benchmarks/discovery.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--rows", type=_count(2, 10**7), default=3000, help="rows per table")
    parser.add_argument("--seed", type=int, default=20, help="seed of every generator")
    parser.add_argument("--url", help="another database for the tables (replaced, kept)")
    parser.add_argument("--part", choices=("columns", "text", "moderation", "all"), default="all")
    parser.add_argument("--text-mb", type=_megabytes, default=2.0, help="MB of labelled text")
    parser.add_argument("--sample", type=_count(1, 10**6), default=1000, help="rows sampled")
    parser.add_argument("--posts", default=str(POSTS), help="the labelled posts (JSONL)")
    options = parser.parse_args(argv)
    if options.url and options.db == "both":
        parser.error("--url names one database: give --db sqlite or --db postgresql with it")
    return options


def _count(low: int, high: int) -> Callable[[str], int]:
    def parse_count(text: str) -> int:
        try:
            value = int(text.replace(",", "").replace("_", ""))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:,} and {high:,}")
        return value

    return parse_count


def _megabytes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.001 <= value <= 1000:
        raise argparse.ArgumentTypeError("--text-mb must be between 0.001 and 1000")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen parts and print one table each; 0."""
    options = parse(argv)
    say: Callable[[str], None] = lambda text: print(f"# {text}", file=sys.stderr, flush=True)  # noqa: E731
    print("tutela discovery benchmark (issue 20)")
    print(describe())
    print(
        f"scale: {options.rows:,} rows per table, {options.text_mb} MB of text, seed {options.seed}"
    )
    print(
        f"targets: column micro-F1 >= {TARGET_F1} at >= {TARGET_CELLS:,} sampled cells/s; "
        f"span F1 >= {TARGET_SPAN_F1} at >= {TARGET_MBS} MB/s (printed, not asserted)"
    )
    if options.part in ("columns", "all"):
        dbs = ("sqlite", "postgresql") if options.db == "both" else (options.db,)
        for db in dbs:
            print("\n".join(columns_table(run_columns(db, options, say), options)))
    if options.part in ("text", "all"):
        print("\n".join(text_table(options)))
    if options.part in ("moderation", "all"):
        print("\n".join(moderation_table(Path(options.posts))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
