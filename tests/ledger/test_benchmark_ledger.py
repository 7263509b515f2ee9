"""The ledger benchmark runs end to end on a small log (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "ledger.py"
LABELS = (
    "tree head (300 leaf hashes)",
    "verify every entry",
    "build the proof tree",
    "inclusion proof",
    "inclusion verification",
    "consistency proof",
    "consistency verification",
    "checkpoint signing",
    "checkpoint verification",
)


def benchmark(monkeypatch: pytest.MonkeyPatch, path: Path = BENCHMARK) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"tutela_benchmark_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_ledger_benchmark_prints_every_row_with_positive_numbers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    argv = ["--entries", "300", "--samples", "5", "--rounds", "1"]
    assert benchmark(monkeypatch).main(argv) == 0
    table = capsys.readouterr().out
    assert "300 entries of 40 bytes" in table and "cores" in table
    for label in LABELS:
        (line,) = [line for line in table.splitlines() if line.startswith(label)]
        numbers = [
            float(n.replace(",", "")) for n in re.findall(r"([\d,]+\.\d+) (?:µs|ms|s)", line)
        ]
        assert numbers and all(n > 0 for n in numbers), line
        assert float(re.findall(r"([\d.]+)x", line)[0]) > 0, line


def test_request_page_benchmark_times_before_after_and_the_floor(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    module = benchmark(monkeypatch, BENCHMARK.with_name("ledger_page.py"))
    argv = ["--entries", "700", "--per-request", "4", "--samples", "4", "--before-samples", "2"]
    assert module.main(argv) == 0
    table = capsys.readouterr().out
    assert "700 ledger entries of 175 requests" in table and "cores" in table
    for label in ("before", "after, first view", "after", "floor"):
        (line,) = [line for line in table.splitlines() if re.match(rf"sqlite +{label}  ", line)]
        numbers = [
            float(n.replace(",", "")) for n in re.findall(r"([\d,]+\.\d+) (?:µs|ms|s)", line)
        ]
        assert len(numbers) == 2 and all(n > 0 for n in numbers), line
        assert float(re.findall(r"([\d,.]+)x$", line)[0].replace(",", "")) > 0, line
