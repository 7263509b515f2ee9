"""`tutela init`: a skeleton that loads, whose every placeholder `tutela check` reports."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from tutela.checks import run_checks
from tutela.cli.main import app
from tutela.errors import PolicyErrors
from tutela.programme.loader import load
from tutela.programme.models import DatasetField
from tutela.programme.skeleton import (
    SKELETON_FILES,
    proposed_masking,
    skeleton_files,
    url_env_for,
)

TODAY = date(2026, 3, 2)


def _init(*args: str) -> Result:
    result = CliRunner().invoke(app, ["init", *args])
    assert "Traceback" not in result.output
    return result


def _placeholders(folder: Path) -> set[str]:
    findings = run_checks(load(folder), select=["transparency"], today=TODAY)
    return {
        ".".join(str(part) for part in f.path)
        for f in findings
        if f.rule == "transparency/todo-placeholder"
    }


def test_art12_1_init_writes_a_skeleton_whose_todos_check_reports(tmp_path: Path) -> None:
    folder = tmp_path / "my-programme"
    result = _init(str(folder), "--organisation", "Example SA", "--country", "be")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in folder.iterdir()) == sorted(SKELETON_FILES)
    programme = load(folder).programme
    assert programme.organisation is not None and programme.statement is not None
    assert programme.organisation.legal_name == "Example SA"
    assert programme.organisation.establishment_country == "BE"
    assert programme.statement.title == "Privacy statement of Example SA"
    assert [p.key for p in programme.purposes] == ["service"] and programme.systems == []
    found = _placeholders(folder)
    assert {
        "organisation.registration_number",
        "organisation.privacy_email",
        "rights.identity_verification",
        "complaints.contact_email",
        "purposes.0.description",
        "retention.0.criterion",
    } <= found
    assert "organisation.establishment_country" not in found  # --country was given
    written = "".join(p.read_text(encoding="utf-8") for p in folder.iterdir())
    todo_values = len(re.findall(r'"TODO: ', written))
    assert len(found) == todo_values


def test_art12_1_without_country_and_name_those_are_placeholders_too(tmp_path: Path) -> None:
    assert _init(str(tmp_path)).exit_code == 0
    found = _placeholders(tmp_path)
    assert {"organisation.legal_name", "organisation.establishment_country"} <= found
    assert "complaints.authorities.0" in found


def test_art12_1_once_every_todo_is_replaced_check_reports_none(tmp_path: Path) -> None:
    assert _init(str(tmp_path), "--organisation", "Example SA", "--country", "BE").exit_code == 0
    for file in tmp_path.iterdir():
        text = file.read_text(encoding="utf-8")
        text = text.replace("TODO: the privacy contact, e.g. privacy@example.com", "p@example.be")
        file.write_text(re.sub(r'"TODO: ([^"]*)"', r'"Done: \1"', text), encoding="utf-8")
    assert _placeholders(tmp_path) == set()
    errors = [
        f
        for f in run_checks(load(tmp_path), today=TODAY)
        if f.severity == "error" and f.rule.startswith(("transparency/", "statement/"))
    ]
    assert errors == []


def test_init_never_writes_over_a_file_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "purposes.yml").write_text("purposes: []\n", encoding="utf-8")
    result = _init(str(tmp_path))
    assert result.exit_code == 2
    assert "purposes.yml already exists" in result.output and "--force" in result.output
    assert (tmp_path / "purposes.yml").read_text(encoding="utf-8") == "purposes: []\n"
    assert not (tmp_path / "organisation.yml").exists()
    result = _init(str(tmp_path), "--force")
    assert result.exit_code == 0
    assert "key: service" in (tmp_path / "purposes.yml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--country", "Belgium"], "--country"),
        (["--organisation", "  "], "--organisation"),
        (["--organisation", "Line\nbreak"], "--organisation"),
    ],
)
def test_init_names_a_bad_option_and_writes_nothing(
    tmp_path: Path, args: list[str], named: str
) -> None:
    result = _init(str(tmp_path / "p"), *args)
    assert result.exit_code == 2 and named in result.output
    assert not (tmp_path / "p").exists()


def test_init_into_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file.yml"
    target.write_text("x: 1\n", encoding="utf-8")
    result = _init(str(target))
    assert result.exit_code == 2 and "is a file" in result.output


def test_skeleton_quotes_a_name_yaml_would_misread() -> None:
    files = skeleton_files(organisation='Acme: "R&D" #1', country="FR", today=TODAY)
    assert 'legal_name: "Acme: \\"R&D\\" #1"' in files["organisation.yml"]
    with pytest.raises(PolicyErrors):
        skeleton_files(country="fr1", today=TODAY)


@pytest.mark.parametrize(
    ("system", "env"),
    [("shop", "SHOP_URL"), ("crm-eu.main", "CRM_EU_MAIN_URL"), ("1st", "_1ST_URL")],
)
def test_url_env_for_a_system_is_a_valid_variable_name(system: str, env: str) -> None:
    assert url_env_for(system) == env


@pytest.mark.parametrize(
    ("field", "strategy", "value"),
    [
        ({"type": "varchar", "length": 200}, "fixed", None),
        ({"type": "varchar", "length": 4}, "fixed", "XXXX"),
        ({"type": "varchar", "length": 254, "identity": "email"}, "hash", None),
        ({"type": "integer"}, "fixed", "0"),
        ({"type": "numeric(10, 2)"}, "fixed", "0"),
        ({"type": "date"}, "fixed", "1970-01-01"),
        ({"type": "timestamp with time zone"}, "random", None),
        ({"type": "boolean"}, "random", None),
        ({"type": "inet"}, None, None),
        ({"type": "jsonb"}, None, None),
    ],
)
def test_ER_1_a_personal_column_that_cannot_be_null_gets_a_masking_it_can_hold(
    field: dict[str, object], strategy: str | None, value: str | None
) -> None:
    proposal = proposed_masking(DatasetField(name="c", nullable=False, **field))  # type: ignore[arg-type]
    assert proposal is not None
    assert (proposal.strategy, proposal.value) == (strategy, value)
    assert proposal.reason


def test_ER_1_a_nullable_column_keeps_the_default_null() -> None:
    assert proposed_masking(DatasetField(name="c", type="varchar")) is None
