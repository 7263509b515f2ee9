"""`tutela statement diff REV FOLDER`: the programme as it was at a git revision (NT-1).

NT-1 (Art. 13(3), 14(4)): the version in force usually sits in git; the diff reads the
folder at that revision and compares it with the folder as it is now. Each test builds
its own repository from tests/fixtures/minimal.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from typer.testing import CliRunner

from tutela.cli.main import app

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"
runner = CliRunner()


ANALYTICS = {
    "key": "analytics",
    "name": "Website analytics",
    "description": "Measure how visitors use the website.",
    "legal_basis": "consent",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        [
            "git",
            "-c",
            "user.name=Tutela Test",
            "-c",
            "user.email=test@example.test",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def add_purpose(folder: Path, version: str = "1.1") -> None:
    """A material change: a new purpose (and a new statement version)."""
    yaml = YAML()
    purposes_file = folder / "purposes.yml"
    data: Any = yaml.load(purposes_file.read_text(encoding="utf-8"))
    data["purposes"].append(ANALYTICS)
    with purposes_file.open("w", encoding="utf-8") as stream:
        yaml.dump(data, stream)
    organisation_file = folder / "organisation.yml"
    text = organisation_file.read_text(encoding="utf-8")
    organisation_file.write_text(text.replace('version: "1.0"', f'version: "{version}"', 1))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository whose programme/ folder gained a purpose in its second commit."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    shutil.copytree(MINIMAL, root / "programme")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first version")
    git(root, "tag", "v1.0")
    add_purpose(root / "programme")
    git(root, "commit", "-q", "-am", "new purpose")
    return root


def diff(*args: str) -> Any:
    return runner.invoke(app, ["statement", "diff", *args])


def test_NT_1_revision_before_a_material_change_exits_3(repo: Path) -> None:
    result = diff("HEAD~1", str(repo / "programme"))
    assert result.exit_code == 3, result.output
    assert "MATERIAL" in result.stdout
    assert "purposes[analytics]" in result.stdout
    assert "1 material" in result.stdout


def test_NT_1_tag_and_json_output(repo: Path) -> None:
    result = diff("v1.0", str(repo / "programme"), "--format", "json")
    assert result.exit_code == 3, result.output
    changes = json.loads(result.stdout)
    assert {c["element"] for c in changes if c["material"]} == {"purposes[analytics]"}


def test_NT_1_same_revision_as_the_working_tree_exits_0(repo: Path) -> None:
    result = diff("HEAD", str(repo / "programme"))
    assert result.exit_code == 0, result.output
    assert "No changes." in result.stdout


def test_NT_1_uncommitted_change_is_compared_with_head(repo: Path) -> None:
    purposes = repo / "programme" / "purposes.yml"
    purposes.write_text(purposes.read_text(encoding="utf-8").replace("period: 7y", "period: 9y"))
    result = diff("HEAD", str(repo / "programme"))
    assert result.exit_code == 3, result.output
    assert "retention[contract_plus_7y].period: '7y' → '9y'" in result.stdout


def test_NT_1_rev_path_form_reads_another_path(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(repo, "mv", "programme", "renamed")
    git(repo, "commit", "-q", "-m", "rename")
    monkeypatch.chdir(repo)
    result = diff("HEAD~2:programme", "renamed")
    assert result.exit_code == 3, result.output
    assert "purposes[analytics]" in result.stdout


def test_NT_1_single_file_at_a_revision(repo: Path) -> None:
    result = diff("HEAD~1", str(repo / "programme" / "purposes.yml"))
    assert result.exit_code == 3, result.output
    assert "purposes[analytics]" in result.stdout


def test_NT_1_existing_folder_is_still_a_folder(repo: Path, tmp_path: Path) -> None:
    result = diff(str(MINIMAL), str(repo / "programme"))
    assert result.exit_code == 3, result.output


def test_NT_1_folder_with_pathspec_characters(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    folder = root / "prog[1]*"
    shutil.copytree(MINIMAL, folder)
    (root / "prog1x").mkdir()  # would match the folder's name as a glob
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "first")
    add_purpose(folder)
    result = diff("HEAD", str(folder))
    assert result.exit_code == 3, result.output


def test_NT_1_hidden_folders_at_the_revision_are_skipped(repo: Path) -> None:
    hidden = repo / "programme" / ".github"
    hidden.mkdir()
    (hidden / "workflow.yml").write_text("on: [push]\n", encoding="utf-8")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "ci")
    result = diff("HEAD", str(repo / "programme"))
    assert result.exit_code == 0, result.output


def test_NT_1_errors_in_the_old_programme_name_rev_and_file(repo: Path) -> None:
    (repo / "programme" / "purposes.yml").write_text("purposes: [unclosed\n")
    git(repo, "commit", "-q", "-am", "broken")
    add_purpose_back = repo / "programme" / "purposes.yml"
    shutil.copy(MINIMAL / "purposes.yml", add_purpose_back)
    result = diff("HEAD", str(repo / "programme"))
    assert result.exit_code == 2
    assert "HEAD:programme/purposes.yml:" in result.stderr
    assert "tutela-diff-" not in result.stderr


# --- clear errors, exit 2 ------------------------------------------------------------------


def assert_error(result: Any, *said: str) -> None:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for text in said:
        assert text in result.stderr, result.stderr


def test_NT_1_unknown_revision_is_a_clear_error(repo: Path) -> None:
    result = diff("no-such-tag", str(repo / "programme"))
    assert_error(result, "'no-such-tag' is neither an existing file or folder nor a revision")


def test_NT_1_folder_missing_at_the_revision(repo: Path) -> None:
    (repo / "later").mkdir()
    shutil.copytree(MINIMAL, repo / "later" / "programme")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "later")
    result = diff("HEAD~1", str(repo / "later" / "programme"))
    assert_error(result, "later/programme did not exist at revision 'HEAD~1'")


def test_NT_1_folder_outside_a_repository(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    shutil.copytree(MINIMAL, folder)
    result = diff("HEAD", str(folder))
    assert_error(result, "is not in a git repository", "give OLD as a folder")


@pytest.mark.parametrize("revision", ["-p", "--output=/tmp/x", "--exec=touch pwned"])
def test_NT_1_revision_that_looks_like_an_option_is_refused(repo: Path, revision: str) -> None:
    result = diff("--", revision, str(repo / "programme"))
    assert_error(result, "starts with '-'")


@pytest.mark.parametrize("old", [":programme", "HEAD HEAD~1", "x" * 300, "HEAD\tx"])
def test_NT_1_malformed_revision_is_refused(repo: Path, old: str) -> None:
    assert_error(diff(old, str(repo / "programme")))


def test_NT_1_path_outside_the_repository(repo: Path, tmp_path: Path) -> None:
    result = diff(f"HEAD:{tmp_path}", str(repo / "programme"))
    assert_error(result, "is outside the git repository")


def test_NT_1_git_missing_is_a_clear_error(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(repo))
    result = diff("HEAD~1", str(repo / "programme"))
    assert_error(result, "git, needed to read it as a revision, is not installed")


def test_NT_1_assumptions_are_named_by_path_and_editorial(repo: Path) -> None:
    (repo / "programme" / "assumptions.yml").write_text(
        "assumptions:\n"
        "  - path: retention.two_years.period\n"
        "    note: Two years is our practice; the source is silent.\n",
        encoding="utf-8",
    )
    result = diff("HEAD", str(repo / "programme"))
    assert result.exit_code == 0, result.output
    assert "editorial  added    assumptions[retention.two_years.period]" in result.stdout
