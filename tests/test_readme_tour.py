"""The README's five-minute tour works on a fresh clone, line by line, as written.

Every line of the tour's ``sh`` blocks runs in a temporary folder holding only what a
clone holds (``examples/`` and the shop programme), with the environment the README
exports and nothing from ``make demo``: ``tutela ...`` through Typer's runner,
``python -m tutela.testing.shopdb`` through its ``main``, ``export`` into the environment.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.testing import shopdb

ROOT = Path(__file__).resolve().parents[1]
EXPECTED_EXIT = {("statement", "diff"): 3}
"""Commands of the tour whose documented exit code is not 0."""


def tour_lines() -> list[str]:
    """The command lines of the README's tour section, in order."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## A five-minute tour", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```", section, flags=re.MULTILINE | re.DOTALL)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def fresh_clone(folder: Path) -> Path:
    shutil.copytree(ROOT / "examples", folder / "examples")
    shutil.copytree(shopdb.shop_programme_path(), folder / "src" / "tutela" / "testing" / "shop")
    return folder


def run_tutela(words: list[str], line: str) -> None:
    redirect = words.index(">") if ">" in words else None
    args = words[1:redirect] if redirect is not None else words[1:]
    result = CliRunner().invoke(app, args)
    assert "Traceback" not in result.output, line
    assert result.exception is None or isinstance(result.exception, SystemExit), line
    assert result.exit_code == EXPECTED_EXIT.get(tuple(args[:2]), 0), f"{line}\n{result.output}"
    if redirect is not None:
        Path(words[redirect + 1]).write_text(result.stdout, encoding="utf-8")


def run_line(line: str, monkeypatch: pytest.MonkeyPatch) -> None:
    words = shlex.split(line, comments=True)
    if words[0] == "tutela":
        run_tutela(words, line)
    elif words[0] == "export":
        for assignment in words[1:]:
            name, value = assignment.split("=", 1)
            monkeypatch.setenv(name, value)
    elif words[:3] == ["python", "-m", "tutela.testing.shopdb"]:
        assert shopdb.main(words[3:]) == 0, line
    else:
        pytest.fail(f"the tour has a line this test cannot run: {line}")


def test_the_tour_has_the_commands_it_promises() -> None:
    lines = tour_lines()
    assert sum(line.startswith("tutela ") for line in lines) >= 9
    assert any(line.startswith("tutela statement diff") for line in lines)
    assert any(line.startswith("export ") for line in lines)


@pytest.mark.slow
def test_every_line_of_the_tour_runs_on_a_fresh_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in [name for name in os.environ if name.startswith("TUTELA_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(fresh_clone(tmp_path))
    assert not (tmp_path / "out").exists()
    for line in tour_lines():
        run_line(line, monkeypatch)
    sarif = json.loads((tmp_path / "check.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert (tmp_path / "out" / "statement.html").stat().st_size > 0
    assert (tmp_path / "out" / "records.xlsx").stat().st_size > 0
    assert sorted(p.name for p in (tmp_path / "out" / "records").iterdir()) == [
        "controller_records.csv",
        "processor_records.csv",
    ]


def test_the_next_version_differs_from_the_example_only_by_its_proposal() -> None:
    from tutela.programme.loader import load_programme
    from tutela.statement.versions.diff import diff_programmes

    changes = diff_programmes(
        load_programme(ROOT / "examples" / "cloudockit"),
        load_programme(ROOT / "examples" / "cloudockit-next"),
    )
    assert {(change.element, change.material) for change in changes} == {
        ("statement.version", False),
        ("statement.effective_date", False),
        ("statement.change_log[1.2]", False),
        ("purposes[webinar_recordings]", True),
    }


def test_the_next_version_is_a_copy_of_the_example_but_for_its_proposal() -> None:
    example, proposal = ROOT / "examples" / "cloudockit", ROOT / "examples" / "cloudockit-next"
    changed = {"README.md", "organisation.yml", "purposes.yml"}
    files = {p.relative_to(example) for p in example.rglob("*") if p.is_file()}
    assert files == {p.relative_to(proposal) for p in proposal.rglob("*") if p.is_file()}
    stale = [
        str(name)
        for name in sorted(files)
        if str(name) not in changed
        and (example / name).read_bytes() != (proposal / name).read_bytes()
    ]
    assert stale == [], (
        f"copy these from examples/cloudockit/ to examples/cloudockit-next/: {stale}"
    )
    before = (example / "purposes.yml").read_text(encoding="utf-8").rstrip("\n")
    assert (proposal / "purposes.yml").read_text(encoding="utf-8").startswith(before)
