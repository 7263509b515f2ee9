"""Hostile input to the loader: a clear PolicyError, no traceback, no file changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tutela.errors import PolicyError, PolicyErrors
from tutela.programme.loader import load
from tutela.programme.yaml_documents import MAX_DEPTH, MAX_FILE_BYTES

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"


def _errors(path: Path) -> list[PolicyError]:
    before = {
        f: f.read_bytes() for f in ([path] if path.is_file() else path.rglob("*")) if f.is_file()
    }
    with pytest.raises(PolicyErrors) as caught:
        load(path)
    after = {f: f.read_bytes() for f in before}
    assert after == before, "loading must never change the programme files"
    assert "Traceback" not in str(caught.value)
    return caught.value.errors


def _one_file(tmp_path: Path, content: bytes) -> Path:
    file = tmp_path / "programme.yml"
    file.write_bytes(content)
    return file


def _with_extra(tmp_path: Path, content: bytes) -> Path:
    target = tmp_path / "programme"
    shutil.copytree(MINIMAL, target)
    (target / "zz_extra.yml").write_bytes(content)
    return target


def test_missing_path_is_named(tmp_path: Path) -> None:
    (error,) = _errors(tmp_path / "nowhere")
    assert error.message == "no such file or folder"
    assert error.location is not None and error.location.source.endswith("nowhere")


def test_folder_without_yaml_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here")
    (error,) = _errors(tmp_path)
    assert "holds no programme files" in error.message


def test_non_utf8_file_names_the_line(tmp_path: Path) -> None:
    (error,) = _errors(_with_extra(tmp_path, b"cookies:\n  - name: caf\xe9\n"))
    assert "not UTF-8" in error.message
    assert error.location is not None and error.location.line == 2
    assert error.found == "byte 0xe9"


def test_control_character_names_the_line(tmp_path: Path) -> None:
    (error,) = _errors(_with_extra(tmp_path, b"cookies: []\nmasking: \x01\n"))
    assert "character YAML does not allow" in error.message
    assert error.location is not None and error.location.line == 2


def test_empty_file_alone_loads_and_check_names_the_missing_sections(tmp_path: Path) -> None:
    from tutela.checks import run_checks

    loaded = load(_one_file(tmp_path, b""))
    assert loaded.programme.organisation is None and loaded.programme.systems == []
    findings = run_checks(loaded, select=["transparency/missing-section"])
    assert sorted(f.path for f in findings) == [
        ("complaints",),
        ("organisation",),
        ("rights",),
        ("statement",),
    ]
    assert all(f.severity == "error" for f in findings)


def test_empty_file_in_a_folder_is_harmless(tmp_path: Path) -> None:
    assert load(_with_extra(tmp_path, b"# nothing yet\n")).programme.purposes


def test_yaml_list_file_is_not_a_programme(tmp_path: Path) -> None:
    errors = _errors(_one_file(tmp_path, b"- organisation\n- purposes\n"))
    # The missing sections are not reported twice: the file itself is the problem.
    assert [e.message for e in errors] == ["a programme file must be a mapping of sections"]
    assert errors[0].found == "a list of 2 items"


def test_scalar_file_is_not_a_programme(tmp_path: Path) -> None:
    (error,) = _errors(_with_extra(tmp_path, b"just some words\n"))
    assert "must be a mapping" in error.message and error.found == "'just some words'"


def test_50_mb_value_is_refused_before_parsing(tmp_path: Path) -> None:
    big = b"statement:\n  title: " + b"x" * (50 * 1024 * 1024) + b"\n"
    (error,) = _errors(_with_extra(tmp_path, big))
    assert "50.0 MB" in error.message and f"{MAX_FILE_BYTES // 1_048_576} MB" in error.message


def test_long_value_is_cut_in_the_message(tmp_path: Path) -> None:
    long_name = b"x" * 600_000
    extra = (
        b"cookies:\n  - {name: "
        + long_name
        + b", provider: p, category: necessary, duration: 1d}\n"
    )
    (error,) = _errors(_with_extra(tmp_path, extra))
    assert error.path == "cookies[0].name" or error.path.startswith("cookies[")
    assert error.message == "too long" and error.expected == "at most 500 characters"
    assert error.found is not None and len(error.found) < 120 and "600000 characters" in error.found
    assert len(error.render()) < 400


def test_deeply_nested_junk_is_refused(tmp_path: Path) -> None:
    nested = b"cookies: " + b"[" * (MAX_DEPTH + 5) + b"]" * (MAX_DEPTH + 5) + b"\n"
    (error,) = _errors(_with_extra(tmp_path, nested))
    assert f"deeper than {MAX_DEPTH} levels" in error.message
    assert error.location is not None and error.location.line == 1


def test_nesting_beyond_the_parsers_recursion_is_refused(tmp_path: Path) -> None:
    (error,) = _errors(_with_extra(tmp_path, b"cookies: " + b"[" * 1500 + b"]" * 1500 + b"\n"))
    assert "nested deeper" in error.message


def test_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
    (error,) = _errors(_with_extra(tmp_path, "\n".join(lines).encode() + b"\n"))
    assert "expands to more than" in error.message


@pytest.mark.parametrize(
    "content",
    [
        b"cookies: !!python/object:os.system x\n",
        b"cookies: !custom {a: 1}\n",
        b"masking: !!binary aGk=\n",
    ],
)
def test_tags_and_binary_values_are_refused(content: bytes, tmp_path: Path) -> None:
    (error,) = _errors(_with_extra(tmp_path, content))
    assert "not supported" in error.message
    assert error.location is not None and error.location.line == 1


def test_complex_key_is_refused(tmp_path: Path) -> None:
    (error,) = _errors(_with_extra(tmp_path, b"? [a, b]\n: c\n"))
    assert error.message == "a key must be plain text"


def test_two_documents_in_one_file_is_a_syntax_error(tmp_path: Path) -> None:
    (error,) = _errors(_with_extra(tmp_path, b"cookies: []\n---\ncookies: []\n"))
    assert "YAML syntax error" in error.message and "single document" in error.message
    assert error.location is not None and error.location.line == 2


def test_duplicate_key_in_one_mapping_is_a_syntax_error(tmp_path: Path) -> None:
    (error,) = _errors(_with_extra(tmp_path, b"cookies: []\ncookies: []\n"))
    assert "duplicate key" in error.message
    assert error.location is not None and error.location.line == 2


def test_list_section_written_as_a_mapping(tmp_path: Path) -> None:
    (error,) = _errors(_with_extra(tmp_path, b"cookies:\n  name: a\n"))
    assert error.message == "section `cookies` must be a list"
    assert error.location is not None and error.location.line == 1


def test_unreadable_file_does_not_also_report_missing_sections(tmp_path: Path) -> None:
    target = tmp_path / "programme"
    shutil.copytree(MINIMAL, target)
    (target / "organisation.yml").write_bytes(b"organisation: [\n")
    errors = _errors(target)
    assert len(errors) == 1 and "YAML syntax error" in errors[0].message
