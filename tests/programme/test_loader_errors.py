"""Every kind of bad programme gives PolicyErrors naming file, line, field and a fix.

The bad fixtures in tests/programme/bad/<case>/ are added to a copy of the minimal
programme (side by side with the good one, like fideslang's fixtures).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tutela.errors import PolicyError, PolicyErrors
from tutela.programme.loader import load

HERE = Path(__file__).resolve().parent
MINIMAL = HERE.parent / "fixtures" / "minimal"
BAD = HERE / "bad"


def _programme_with(case: str, tmp_path: Path) -> Path:
    target = tmp_path / case
    shutil.copytree(MINIMAL, target)
    for file in (BAD / case).glob("*.yml"):
        shutil.copy(file, target / file.name)
    return target


def _errors(path: Path) -> list[PolicyError]:
    with pytest.raises(PolicyErrors) as caught:
        load(path)
    assert "Traceback" not in str(caught.value)
    return caught.value.errors


CASES = [
    # case, file, line, text in the message, text in the hint
    ("yaml_syntax", "zz_extra.yml", 6, "YAML syntax error", "indentation"),
    ("unknown_key", "zz_extra.yml", 7, "unknown key `retenton`", "did you mean `retention`?"),
    ("wrong_type", "zz_extra.yml", 7, "anonymised_output: wrong type", "true or false"),
    ("missing_field", "zz_extra.yml", 3, "missing required field `description`", "add"),
    ("duplicate_key", "zz_extra.yml", 3, "duplicate key `newsletter`", "its own key"),
    ("dangling_reference", "zz_extra.yml", 7, "unknown data category", "`user.contact.email`"),
    ("second_singleton", "zz_extra.yml", 2, "section `complaints` is written twice", "keep one"),
    ("unknown_section", "zz_extra.yml", 2, "unknown section `purpose`", "`purposes`"),
    ("duplicate_field", "zz_extra.yml", 15, "duplicate name `email`", "its own name"),
    ("dangling_field_reference", "zz_extra.yml", 16, "`crm_db.contact.idd`", "crm_db.contact.id"),
    ("not_a_mapping", "zz_extra.yml", 1, "must be a mapping of sections", "section key"),
]


@pytest.mark.parametrize(
    ("case", "file", "line", "message", "hint"), CASES, ids=[c[0] for c in CASES]
)
def test_bad_programme_error_names_file_line_and_fix(
    case: str, file: str, line: int, message: str, hint: str, tmp_path: Path
) -> None:
    errors = _errors(_programme_with(case, tmp_path))
    first = errors[-1] if case == "dangling_field_reference" else errors[0]
    rendered = first.render()
    assert f"{file}:{line}:" in rendered
    assert first.location is not None and first.location.line == line
    assert message in rendered
    assert first.hint is not None and hint in first.hint


def test_unknown_key_gives_the_readable_field_path(tmp_path: Path) -> None:
    (error,) = _errors(_programme_with("unknown_key", tmp_path))
    assert error.path == "purposes[analytics].retenton"


def test_wrong_type_says_what_was_expected_and_found(tmp_path: Path) -> None:
    (error,) = _errors(_programme_with("wrong_type", tmp_path))
    assert (error.expected, error.found) == ("true or false", "'sometimes'")


def test_missing_field_points_at_the_mapping_that_lacks_it(tmp_path: Path) -> None:
    (error,) = _errors(_programme_with("missing_field", tmp_path))
    assert error.path == "purposes[analytics].description"
    assert (error.location.line, error.location.column) == (3, 5)  # type: ignore[union-attr]


def test_duplicate_key_names_where_the_first_one_is(tmp_path: Path) -> None:
    (error,) = _errors(_programme_with("duplicate_key", tmp_path))
    assert "purposes.yml:21:10" in error.message


def test_second_singleton_section_names_both_files(tmp_path: Path) -> None:
    (error,) = _errors(_programme_with("second_singleton", tmp_path))
    assert "organisation.yml" in error.message and error.location is not None
    assert error.location.source.endswith("zz_extra.yml")


def test_dangling_references_report_each_with_did_you_mean(tmp_path: Path) -> None:
    errors = _errors(_programme_with("dangling_reference", tmp_path))
    assert [e.path for e in errors] == [
        "purposes[analytics].categories[0]",
        "purposes[analytics].retention",
    ]
    assert errors[1].hint == "did you mean `two_years`?"


def test_dangling_restriction_flag_and_field_reference(tmp_path: Path) -> None:
    errors = _errors(_programme_with("dangling_field_reference", tmp_path))
    assert [(e.location.line if e.location else None) for e in errors] == [12, 16]
    assert "unknown field `is_restricted`" in errors[0].message


def test_all_errors_of_one_load_come_together(tmp_path: Path) -> None:
    errors = _errors(_programme_with("many", tmp_path))
    rendered = "\n".join(e.render() for e in errors)
    expected = [
        "a_purposes.yml:6:18: purposes[analytics].legal_basis: not an allowed value",
        "a_purposes.yml:7:5: purposes[analytics].retenton: unknown key",
        "b_systems.yml:3:5: systems[webshop].owner: missing required field",
        "b_systems.yml:5:22: systems[webshop].hosting_country",
        "b_systems.yml:13:24: systems[webshop].datasets[webshop_db].collections[customer]"
        ".fields[id].name: duplicate name `id`",
        "c_broken.yml:3:12: YAML syntax error",
        "organisation.yml:1:1: organisation: section `organisation` is written twice",
        "purposes.yml:21:10: purposes[newsletter].key: duplicate key `newsletter`",
    ]
    for text in expected:
        assert text in rendered
    # Sorted by file and line, so a person can work through them top to bottom.
    places = [(e.location.source, e.location.line) for e in errors if e.location]
    assert places == sorted(places)  # type: ignore[type-var]


def test_union_errors_merge_into_one_error(tmp_path: Path) -> None:
    target = tmp_path / "p"
    shutil.copytree(MINIMAL, target)
    text = (target / "systems.yml").read_text()
    text = text.replace(
        "url_env: TUTELA_CRM_URL}", "url_env: TUTELA_CRM_URL, options: {pool: [1]}}"
    )
    (target / "systems.yml").write_text(text)
    (error,) = _errors(target)
    assert error.path == "systems[crm].connector.options.pool"
    assert error.expected is not None and "text" in error.expected and "number" in error.expected


def test_pattern_error_explains_the_key_form(tmp_path: Path) -> None:
    target = tmp_path / "p"
    shutil.copytree(MINIMAL, target)
    text = (
        (target / "purposes.yml")
        .read_text()
        .replace("retention: two_years", "retention: Two Years")
    )
    (target / "purposes.yml").write_text(text)
    (error,) = _errors(target)
    assert error.path == "purposes[newsletter].retention"
    assert error.expected is not None and "lower-case" in error.expected
