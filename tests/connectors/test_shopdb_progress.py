"""Progress of long shop builds: told per phase and per chunk of rows, drawn only on a terminal."""

from __future__ import annotations

import io
import math
import sys
from collections.abc import Iterator

import pytest
from rich.console import Console

from tutela.testing import shopdb
from tutela.testing.shopgen import RowTuple
from tutela.testing.shopprogress import TerminalProgress


class Recorder:
    """A BuildProgress that remembers what it was told."""

    def __init__(self) -> None:
        self.phases: list[str] = []
        self.chunks: list[tuple[str, int]] = []

    def phase(self, name: str) -> None:
        self.phases.append(name)

    def rows(self, table: str, count: int) -> None:
        self.chunks.append((table, count))


def test_build_tells_each_phase_and_each_chunk_of_rows(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shopdb, "CHUNK_ROWS", 500)
    recorder = Recorder()
    report = shopdb.build(database_url, customers=120, seed=3, progress=recorder)
    assert recorder.phases == ["create", "load", "index", "analyze"]
    for table, rows in report.rows.items():
        sizes = [count for name, count in recorder.chunks if name == table]
        assert sum(sizes) == rows, table
        assert len(sizes) == math.ceil(rows / 500), "once per chunk, never per row"
        assert all(size <= 500 for size in sizes)


def test_whales_report_their_rows_too(sqlite_url: str) -> None:
    shopdb.build(sqlite_url, customers=2)
    recorder = Recorder()
    shopdb.add_whales(sqlite_url, 1, progress=recorder)
    assert recorder.phases == ["load", "analyze"]
    assert sum(count for _, count in recorder.chunks) == shopdb.ROWS_PER_CUSTOMER["whale"]


def test_a_build_nobody_watches_streams_the_generators_unchanged() -> None:
    def rows(name: str) -> Iterator[RowTuple]:
        return iter([])

    assert shopdb._reporting(rows, None) is rows


def test_rows_per_customer_estimate_is_close(sqlite_url: str) -> None:
    report = shopdb.build(sqlite_url, customers=300)
    estimate = 300 * shopdb.ROWS_PER_CUSTOMER["regular"]
    assert abs(report.total_rows - estimate) / estimate < 0.05


def test_module_command_is_quiet_when_stderr_is_not_a_terminal(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert shopdb.main(["--url", sqlite_url, "--customers", "3"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "customer                 3 rows" in captured.out


def test_module_command_draws_a_bar_on_a_terminal(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = io.StringIO()
    monkeypatch.setattr(terminal, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys, "stderr", terminal)
    assert shopdb.main(["--url", sqlite_url, "--customers", "30"]) == 0
    total = capsys.readouterr().out.split("total", 1)[1].split()[0]
    drawn = terminal.getvalue()
    assert "creating tables" in drawn and "done" in drawn
    assert f"{total} rows" in drawn


def test_terminal_progress_shows_rows_phases_and_ends_full() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    with TerminalProgress(2_000, console=console) as progress:
        progress.phase("load")
        progress.rows("customer", 600)
        progress.rows("customer", 600)
        progress.phase("index")
    drawn = screen.getvalue()
    assert "1,200 rows" in drawn
    assert "done" in drawn
