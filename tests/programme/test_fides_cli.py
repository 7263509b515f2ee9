"""`tutela import fides` through Typer's runner: clean output, exit codes, no traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

from typer.testing import CliRunner

from tutela.cli.main import app
from tutela.programme.loader import load

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures_fides"
GOOD = FIXTURES / "postgres_example.yml"
BAD = FIXTURES / "bad_dataset.yml"
MINIMAL = HERE.parent / "fixtures" / "minimal"

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["import", "fides", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_prints_a_systems_section_that_loads(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["import", "fides", str(GOOD), "--owner", "Shop team", "--hosting-country", "DE"]
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("systems:\n  - key: postgres_shop\n")
    assert "orders.customer_id` is a key" in result.stderr
    programme = tmp_path / "programme"
    shutil.copytree(MINIMAL, programme)
    (programme / "shop.yml").write_text(result.stdout, encoding="utf-8")
    system = load(programme).programme.system("mongo_profiles")
    assert system.owner == "Shop team"
    assert system.connector is not None and system.connector.url_env == "MONGO_PROFILES_URL"


def test_writes_the_output_file_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "shop.yml"
    code, output = _run(str(GOOD), "--system", "shop", "-o", str(target))
    assert code == 0 and "wrote 2 datasets" in output
    first = target.read_text(encoding="utf-8")
    assert first.startswith("systems:\n  - key: shop\n")
    assert "connector: {type: sql, url_env: SHOP_URL}" in first

    code, output = _run(str(GOOD), "--system", "webshop", "-o", str(target))
    assert code == 2 and "--force" in output
    assert target.read_text(encoding="utf-8") == first

    code, _ = _run(str(GOOD), "--system", "webshop", "-o", str(target), "--force")
    assert code == 0 and "key: webshop" in target.read_text(encoding="utf-8")


def test_bad_fides_file_exits_2_with_every_problem_and_no_traceback(tmp_path: Path) -> None:
    target = tmp_path / "out.yml"
    code, output = _run(str(BAD), "-o", str(target))
    assert code == 2
    assert output.startswith("error: 5 problems")
    assert f"{BAD}:8:53:" in output and f"{BAD}:14:9:" in output
    assert not target.exists()


def test_warnings_go_with_the_output() -> None:
    code, output = _run(str(FIXTURES / "warnings.yml"))
    assert code == 0
    assert "warning: " in output and "fides_mata" in output
    assert "systems:" in output


def test_missing_file_is_a_clear_error() -> None:
    code, output = _run("/nonexistent/dataset.yml")
    assert code == 2
    assert "/nonexistent/dataset.yml: cannot read the file" in output


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("dataset:\n  - fides_key: a\n    collections: [\n", encoding="utf-8")
    code, output = _run(str(broken))
    assert code == 2 and f"{broken}:4:1: YAML syntax error" in output


def test_non_utf8_and_list_files_are_clear_errors(tmp_path: Path) -> None:
    latin = tmp_path / "latin.yml"
    latin.write_bytes(b"dataset:\n  - fides_key: caf\xe9\n")
    code, output = _run(str(latin))
    assert code == 2 and f"{latin}:2: the file is not UTF-8 text" in output

    listed = tmp_path / "list.yml"
    listed.write_text("- fides_key: a\n", encoding="utf-8")
    code, output = _run(str(listed))
    assert code == 2 and "wrong type (expected a mapping" in output


def test_bad_option_is_named() -> None:
    code, output = _run(str(GOOD), "--hosting-country", "Germany")
    assert code == 2 and "invalid --hosting-country" in output
