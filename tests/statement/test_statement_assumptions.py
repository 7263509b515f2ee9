"""`tutela statement render --show-assumptions`: the facts a reviewer must confirm.

Accountability (GDPR Art. 5(2)) and accuracy (Art. 5(1)(d)): each assumption is listed
with its path, the value it names, the file and line of that value, and its note.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.programme.loader import load

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
EXAMPLE = ROOT / "examples" / "cloudockit"
runner = CliRunner()


def show(path: Path, *options: str) -> Any:
    return runner.invoke(app, ["statement", "render", str(path), "--show-assumptions", *options])


def with_assumptions(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "programme"
    shutil.copytree(MINIMAL, folder)
    (folder / "assumptions.yml").write_text(text, encoding="utf-8")
    return folder


def test_art5_2_example_lists_every_assumption() -> None:
    result = show(EXAMPLE)
    assert result.exit_code == 0, result.output
    blocks = result.stdout.strip().split("\n\n")
    assumptions = load(EXAMPLE).programme.assumptions
    assert len(blocks) == len(assumptions) + 1
    for block, assumption in zip(blocks, assumptions, strict=False):
        assert block.splitlines()[0] == assumption.path
    assert f"{len(assumptions)} assumption(s) to confirm" in blocks[-1]
    assert "names nothing" not in result.stdout


def test_art5_2_each_block_has_value_place_and_note() -> None:
    result = show(EXAMPLE)
    block = next(
        b for b in result.stdout.split("\n\n") if b.startswith("retention.customer_relationship")
    )
    assert "  value: 3y" in block
    assert re.search(r"  at:    \S*retention\.yml:\d+\n", block)
    assert "  note:  The seed says" in block


def test_art5_2_statement_is_not_rendered() -> None:
    result = show(EXAMPLE)
    assert not result.stdout.startswith("#")
    assert "Privacy statement Cloudockit" not in result.stdout


def test_art5_2_programme_without_assumptions_says_so() -> None:
    result = show(MINIMAL)
    assert result.exit_code == 0
    assert result.stdout == "The programme states no assumptions.\n"


def test_art5_2_unknown_path_is_listed_with_the_assumption_line(tmp_path: Path) -> None:
    folder = with_assumptions(
        tmp_path,
        "assumptions:\n"
        "  - path: recipients.hosting.countries\n"
        "    note: The provider's data centre is in Germany.\n"
        "  - path: retention.forever.period\n"
        "    note: Nobody knows.\n",
    )
    result = show(folder)
    assert result.exit_code == 0, result.output
    assert "recipients.hosting.countries\n  value: DE\n" in result.stdout
    assert "value: names nothing: `retention` has no item `forever`" in result.stdout
    assert "assumptions.yml:4 (the assumption)" in result.stdout
    assert "1 name(s) nothing" in result.stdout


def test_art5_2_show_assumptions_of_a_broken_programme_exits_2(tmp_path: Path) -> None:
    folder = with_assumptions(tmp_path, "assumptions:\n  - path: x\n")
    result = show(folder)
    assert result.exit_code == 2
    assert "note" in result.stderr
    assert "Traceback" not in result.output


def test_art5_2_show_assumptions_is_documented() -> None:
    docs = (ROOT / "docs" / "statement.md").read_text(encoding="utf-8")
    assert "--show-assumptions" in docs
