"""`tutela statement diff` end to end: output, NT-1 exit codes and hostile input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.programme.loader import load_programme

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
runner = CliRunner()


def write_variant(folder: Path, **statement: Any) -> Path:
    """The minimal programme as one YAML file, with a new purpose and ``statement`` overrides."""
    data = load_programme(MINIMAL).model_dump(mode="json", exclude_none=True)
    data["purposes"].append(
        {
            "key": "analytics",
            "name": "Website analytics",
            "description": "Measure how visitors use the website.",
            "legal_basis": "consent",
        }
    )
    data["statement"].update(statement)
    target = folder / "programme.yml"
    with target.open("w", encoding="utf-8") as stream:
        YAML().dump(data, stream)
    return target


def editorial_variant(folder: Path) -> Path:
    data = load_programme(MINIMAL).model_dump(mode="json", exclude_none=True)
    data["purposes"][0]["description"] = "Deliver and invoice what our customers bought."
    data["statement"]["version"] = "1.0.1"
    target = folder / "programme.yml"
    with target.open("w", encoding="utf-8") as stream:
        YAML().dump(data, stream)
    return target


def flat(text: str) -> str:
    """Output without Rich's box drawing and line wrapping."""
    return " ".join(text.replace("│", " ").split())


def diff(*args: str) -> Any:
    return runner.invoke(app, ["statement", "diff", *args])


def test_NT_1_identical_programmes_exit_0() -> None:
    result = diff(str(MINIMAL), str(MINIMAL))
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout


def test_NT_1_material_change_exits_3_with_reason(tmp_path: Path) -> None:
    result = diff(str(MINIMAL), str(write_variant(tmp_path, version="1.1")))
    assert result.exit_code == 3, result.output
    assert "MATERIAL" in result.stdout
    assert "purposes[analytics]" in result.stdout
    assert "new purpose" in result.stdout
    assert "1 material, 0 editorial" not in result.stdout
    assert "notified to data subjects in advance" in result.stdout


def test_NT_1_editorial_change_exits_0(tmp_path: Path) -> None:
    result = diff(str(MINIMAL), str(editorial_variant(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "editorial" in result.stdout
    assert "MATERIAL" not in result.stdout
    assert "purposes[supply_services].description" in result.stdout
    assert "0 material" in result.stdout


def test_NT_1_json_lists_the_changes(tmp_path: Path) -> None:
    result = diff(str(MINIMAL), str(write_variant(tmp_path, version="1.1")), "--format", "json")
    assert result.exit_code == 3
    changes = json.loads(result.stdout)
    assert isinstance(changes, list)
    assert set(changes[0]) == {"kind", "element", "before", "after", "material", "reason"}
    added = [c for c in changes if c["element"] == "purposes[analytics]"]
    assert added and added[0]["material"] is True and added[0]["kind"] == "added"


def test_NT_1_unchanged_version_is_warned(tmp_path: Path) -> None:
    result = diff(str(MINIMAL), str(write_variant(tmp_path)))
    assert result.exit_code == 3
    assert "warning: the NEW statement keeps version '1.0'" in result.stdout


def test_NT_1_json_warning_goes_to_stderr(tmp_path: Path) -> None:
    result = diff(str(MINIMAL), str(write_variant(tmp_path)), "--format", "json")
    assert "keeps version" in result.stderr
    assert json.loads(result.stdout)


def test_diff_broken_programme_exits_2_without_traceback(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("organisation: [unclosed\n", encoding="utf-8")
    result = diff(str(MINIMAL), str(broken))
    assert result.exit_code == 2
    assert "error:" in result.stderr
    assert "broken.yml" in result.stderr
    assert "Traceback" not in result.output


def test_diff_invalid_programme_names_the_field(tmp_path: Path) -> None:
    data = load_programme(MINIMAL).model_dump(mode="json", exclude_none=True)
    data["purposes"][0]["legal_basis"] = "because"
    target = tmp_path / "programme.yml"
    with target.open("w", encoding="utf-8") as stream:
        YAML().dump(data, stream)
    result = diff(str(MINIMAL), str(target))
    assert result.exit_code == 2
    assert "legal_basis" in result.stderr
    assert "Traceback" not in result.output


def test_diff_missing_path_is_a_clean_error(tmp_path: Path) -> None:
    result = diff(str(MINIMAL), str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert "does not exist" in flat(result.output)
    assert "Traceback" not in result.output


def test_diff_unknown_format_is_a_clean_error() -> None:
    result = diff(str(MINIMAL), str(MINIMAL), "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of 'text', 'json'" in flat(result.output)
    assert "Traceback" not in result.output
