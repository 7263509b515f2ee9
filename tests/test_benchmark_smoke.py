"""The DSR and request benchmarks run end to end on a tiny SQLite shop (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import random
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.slow  # each runs a benchmark end to end: `make test-slow`

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "dsr.py"
LABELS = ("single access", "single erasure", "whale access", "whale erasure", "batch erasure")


def benchmark(monkeypatch: pytest.MonkeyPatch, path: Path = BENCHMARK) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"tutela_benchmark_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_benchmark_prints_every_row_with_positive_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["--customers", "200", "--db", "sqlite", "--samples", "3", "--batch", "20"]
    assert benchmark(monkeypatch).main([*argv, "--dir", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    assert "cores" in table and "200 customers" in table
    for label in LABELS:
        (line,) = [line for line in table.splitlines() if line.startswith(label)]
        numbers = [float(n.replace(",", "")) for n in re.findall(r"([\d,]+\.?\d*) ms", line)]
        ratio = float(re.findall(r"([\d.]+)x$", line)[0])
        assert numbers and all(n > 0 for n in numbers) and ratio > 0, line


def test_requests_benchmark_times_every_stage_beside_the_floor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = benchmark(monkeypatch, BENCHMARK.with_name("requests.py"))
    assert module.main(["--requests", "20", "--dir", str(tmp_path)]) == 0
    table = capsys.readouterr().out
    assert "cores" in table and "completed 20 requests and erased 10 customers" in table
    for label in ("submit", "verify", "approve", "complete", "download", "all stages"):
        (line,) = [line for line in table.splitlines() if line.startswith(f"{label} ")]
        numbers = [float(n.replace(",", "")) for n in re.findall(r"([\d,]+\.\d+) ms", line)]
        ratio = float(re.findall(r"([\d.]+)x$", line)[0])
        assert len(numbers) == 2 and all(n > 0 for n in numbers) and ratio > 0, line


@pytest.mark.postgres
@pytest.mark.celery
def test_ac_1_service_benchmark_answers_every_request_over_http_once(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """AC-1: requests over HTTP through an API and a Celery worker, each answered once."""
    module = benchmark(monkeypatch, BENCHMARK.with_name("service.py"))
    argv = ["--requests", "20", "--apis", "1", "--workers", "1", "--latency-samples", "3"]
    assert module.main([*argv, "--no-compare"]) == 0
    out = capsys.readouterr().out
    assert "cores" in out and "staff-verified submission is allowed" in out
    (row,) = [line for line in out.splitlines() if line.startswith("1 API + 1 worker")]
    cells = row.split()
    assert cells[5] == "20" and cells[-2:] == ["0", "0"], row  # requests; duplicates, losses
    assert re.search(r"^end to end: [\d,]+\.\d requests/s$", out, re.MULTILINE), out
    assert float(re.findall(r"^end to end: ([\d,.]+)", out, re.MULTILINE)[0]) > 0


def test_decisions_benchmark_compiles_and_decides_beside_the_floor(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = benchmark(monkeypatch, BENCHMARK.with_name("decisions.py"))
    assert module.main(["--subjects", "2000", "--decisions", "20000", "--rounds", "1"]) == 0
    table = capsys.readouterr().out
    assert "2,000 subjects" in table and "MiB" in table
    (line,) = [line for line in table.splitlines() if line.startswith("in-process: ")]
    assert float(line.split()[1].replace(",", "")) > 0
    (ratio,) = [line for line in table.splitlines() if line.startswith("floor / tutela")]
    assert float(re.findall(r"([\d.]+)x$", ratio)[0]) > 0


def test_rt_2_retention_benchmark_sweeps_what_the_floor_deletes_on_both_layouts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """RT-2: tutela's sweep deletes exactly the floor's expired rows, ordered or scattered."""
    module = benchmark(monkeypatch, BENCHMARK.with_name("retention.py"))
    argv = ["--db", "sqlite", "--rows", "2000", "--layout", "both", "--dir", str(tmp_path)]
    assert module.main(argv) == 0
    out = capsys.readouterr().out
    lines = out.rstrip().splitlines()
    assert re.fullmatch(r"ratio to floor: \d+\.\d\d", lines[-2]), lines[-2]
    assert re.fullmatch(r"longest statement: \d+\.\d{3} s", lines[-1]), lines[-1]
    assert float(lines[-2].split()[-1]) > 0
    for layout in ("ordered", "random"):
        assert re.search(rf"^{layout} layout: [\d,]+ of 2,000 rows expired$", out, re.MULTILINE)
    deleted = re.findall(r"^rows deleted +([\d,]+) +([\d,]+) +equal$", out, re.MULTILINE)
    assert len(deleted) == 2 and all(ours == floor != "0" for ours, floor in deleted), deleted
    for label in ("total time", "reader p99", "longest statement (measured)"):
        for line in (line for line in lines if line.startswith(label)):
            numbers = [float(n.replace(",", "")) for n in re.findall(r"([\d,]+\.\d) ms", line)]
            assert len(numbers) == 2 and all(n > 0 for n in numbers), line
    assert not list(tmp_path.glob("*.sqlite*")), "the benchmark leaves no database behind"


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "oracle", "--rows", "10"],
        ["--db", "sqlite", "--rows", "ten"],
        ["--db", "sqlite", "--rows", "-5"],
        ["--db", "sqlite", "--rows", "1" + "0" * 40],
        ["--db", "sqlite", "--rows", "10; DROP TABLE login_event"],
        ["--db", "sqlite", "--rows", "10", "--budget", "-1"],
        ["--db", "sqlite", "--rows", "10", "--budget", "nan"],
        ["--db", "sqlite", "--rows", "10", "--layout", "sideways"],
    ],
)
def test_retention_benchmark_refuses_bad_options_with_a_message(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = benchmark(monkeypatch, BENCHMARK.with_name("retention.py"))
    with pytest.raises(SystemExit) as stopped:
        module.main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err, err


def test_discovery_benchmark_scores_columns_spans_and_posts_in_range(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 20: every part prints its table; F1s in [0, 1], throughputs positive (no targets)."""
    module = benchmark(monkeypatch, BENCHMARK.with_name("discovery.py"))
    argv = ["--rows", "50", "--db", "sqlite", "--text-mb", "0.05"]
    assert module.main(argv) == 0
    out = capsys.readouterr().out
    assert "cores" in out and "50 rows per table" in out and "failed" not in out, out
    for side in ("tutela service", "tutela CLI --format json", "naive: column names only"):
        (line,) = re.findall(rf"^micro-F1 {re.escape(side)} +([\d.]+)", out, re.MULTILINE)
        assert 0.0 <= float(line) <= 1.0, side
    categories = re.findall(r"^user\.[\w.]+ +([\d.]+) +([\d.]+) +([\d.]+) +\d+$", out, re.M)
    assert categories and all(0 <= float(x) <= 1 for row in categories for x in row)
    (cells,) = re.findall(r"^throughput tutela +([\d,]+) cells/s", out, re.MULTILINE)
    assert float(cells.replace(",", "")) > 0
    (span_f1,) = re.findall(r"^span micro-F1 ([\d.]+)", out, re.MULTILINE)
    assert 0.0 <= float(span_f1) <= 1.0
    rates = re.findall(r"^throughput tutela (?:per document|batched) \S+ ([\d.]+) MB/s", out, re.M)
    assert len(rates) == 2 and all(float(rate) > 0 for rate in rates), out
    cli = re.search(r"^throughput tutela CLI .* ([\d.]+) MB/s .*spans (.+)$", out, re.M)
    assert cli is not None and float(cli.group(1)) > 0, out
    assert cli.group(2) == "same as find_spans_many", out
    (accuracy, posts) = re.findall(
        r"^hold/allow accuracy ([\d.]+) .*; ([\d,]+) posts/s", out, re.M
    )[0]
    assert 0.0 <= float(accuracy) <= 1.0 and float(posts.replace(",", "")) > 0
    assert re.search(
        r"^CLI tutela moderate --format json: (\d+) lines for \1 posts, shape ok", out, re.M
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["--db", "mysql"],
        ["--rows", "many"],
        ["--rows", "1"],
        ["--text-mb", "-2"],
        ["--part", "everything"],
        ["--db", "both", "--url", "sqlite:///x.sqlite"],
    ],
)
def test_discovery_benchmark_refuses_bad_options_with_a_message(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = benchmark(monkeypatch, BENCHMARK.with_name("discovery.py"))
    with pytest.raises(SystemExit) as stopped:
        module.main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "Traceback" not in err, err


def test_discovery_benchmark_identifiers_pass_stdnum_and_phonenumbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The labelled data's national ids, IBANs, cards and phones are valid, as real ones are."""
    benchmark(monkeypatch, BENCHMARK.with_name("discovery.py"))
    values = sys.modules["discovery_values"]
    assert values.self_check(random.Random(5), rounds=100) == []


def test_AN_3_anonymise_benchmark_writes_each_release_and_prints_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """AN-3: Adult's first 600 records at k=5 and k=10, written under the original names."""
    module = benchmark(monkeypatch, BENCHMARK.with_name("anonymise.py"))
    data = _adult_like(tmp_path / "adult.data", 600)  # the real file lies outside the repository
    argv = ["--data", str(data), "--out", str(tmp_path), "--no-peer", "--no-lattice"]
    assert module.main([*argv, "--synthetic", "600"]) == 0
    out = capsys.readouterr().out
    assert "600 records" in out and "GCP: mean NCP" in out
    for k in (5, 10):
        lines = [line for line in out.splitlines() if line.startswith(f"k={k} ")]
        assert len(lines) == 2, out  # Adult and the synthetic table
        for line in lines:
            gcp = float(re.findall(r"GCP (\d\.\d{4})", line)[0])
            discernibility = float(
                re.findall(r"discernibility +([\d,]+)", line)[0].replace(",", "")
            )
            suppression = float(re.findall(r"suppression +([\d.]+)%", line)[0])
            seconds = float(re.findall(r"time +([\d.]+) s", line)[0])
            assert 0 <= gcp <= 1 and discernibility > 0 and suppression <= 5 and seconds > 0, line
        header, *rows = (tmp_path / f"adult_k{k}.csv").read_text().splitlines()
        assert header == "age,education,marital-status,occupation,sex,native-country,income"
        assert 570 <= len(rows) <= 600  # at most 5% suppressed
    assert re.search(r"^l=3 \(distinct\) +tutela +refused: .*'income': 2, below l=3", out, re.M)


def _adult_like(path: Path, rows: int) -> Path:
    """``rows`` records in UCI Adult's format, with values from the benchmark's hierarchies."""
    spec = importlib.util.spec_from_file_location(
        "adult_hierarchies", BENCHMARK.with_name("adult_hierarchies.py")
    )
    assert spec is not None and spec.loader is not None
    trees = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(trees)
    leaves = {name: sorted(tree) for name, tree in trees.HIERARCHIES.items()}
    rng = random.Random(21)
    lines = []
    for _ in range(rows):
        pick = {name: rng.choice(values) for name, values in leaves.items()}
        lines.append(
            ", ".join(
                [
                    str(rng.randint(17, 90)), "Private", "77516", pick["education"], "13",
                    pick["marital-status"], pick["occupation"], "Not-in-family", "White",
                    pick["sex"], "0", "0", "40", pick["native-country"],
                    rng.choice(["<=50K", ">50K"]),
                ]
            )
        )  # fmt: skip
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
