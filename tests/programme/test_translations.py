"""Translation files: a programme's texts in another language, kept beside the originals.

GDPR Art. 12(1): information in a language the subject understands (WP260 rev.01 ¶13).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tutela.errors import PolicyErrors
from tutela.programme.loader import load

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"


def programme_with(tmp_path: Path, translations: str) -> Path:
    folder = tmp_path / "programme"
    shutil.copytree(MINIMAL, folder)
    (folder / "fr.yml").write_text(translations, encoding="utf-8")
    return folder


def test_art12_1_translation_file_gives_texts_their_french_value(tmp_path: Path) -> None:
    folder = programme_with(
        tmp_path,
        "translations:\n"
        "  - language: fr\n"
        "    texts:\n"
        "      purposes.supply_services.name: Fournir nos services\n"
        "      statement.title: Déclaration de confidentialité\n"
        "      organisation.security_measures.1: Contrôle d'accès par rôle\n",
    )
    programme = load(folder).programme
    purpose = programme.purpose("supply_services")
    assert purpose.name == "Supply our services"  # the first language stays the value
    assert purpose.name.in_language("fr") == "Fournir nos services"
    assert programme.statement is not None
    assert programme.statement.title.in_language("fr") == "Déclaration de confidentialité"
    measures = programme.organisation.security_measures if programme.organisation else []
    assert measures[1].in_language("fr") == "Contrôle d'accès par rôle"
    assert measures[0].in_language("fr") == measures[0]  # untranslated: falls back


def test_art12_1_per_language_values_written_in_place(tmp_path: Path) -> None:
    folder = programme_with(tmp_path, "")
    purposes = folder / "purposes.yml"
    text = purposes.read_text(encoding="utf-8")
    purposes.write_text(
        text.replace("name: Supply our services", "name: {en: Supply our services, nl: Diensten}"),
        encoding="utf-8",
    )
    name = load(folder).programme.purpose("supply_services").name
    assert (str(name), name.in_language("nl"), name.in_language("de")) == (
        "Supply our services",
        "Diensten",
        "Supply our services",
    )


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("purposes.nope.name: X", "names no item 'nope'"),
        ("organisation.legal_name: X", "not translated"),
        ("purposes.supply_services: X", "not translated"),
        ("purposes.supply_services.name.more: X", "has no fields"),
        ("'': X", "names no written field ''"),
        ("purposes: X", "not translated"),
        (f"{'a.' * 300}b: X", "names no written field"),
    ],
)
def test_art12_1_a_translation_that_names_no_text_is_a_located_error(
    tmp_path: Path, line: str, message: str
) -> None:
    head = "translations:\n  - language: fr\n    texts:\n"
    folder = programme_with(tmp_path, f"{head}      {line}\n")
    with pytest.raises(PolicyErrors) as raised:
        load(folder)
    (error,) = raised.value.errors
    assert message in error.message
    assert error.location is not None and error.location.source.endswith("fr.yml")
    assert error.location.line == 4


def test_art12_1_a_text_translated_twice_is_an_error(tmp_path: Path) -> None:
    folder = programme_with(
        tmp_path,
        "translations:\n  - language: fr\n    texts:\n      statement.title: A\n"
        "  - language: fr\n    texts:\n      statement.title: B\n",
    )
    with pytest.raises(PolicyErrors) as raised:
        load(folder)
    assert ["already given in 'fr'" in e.message for e in raised.value.errors] == [True]


@pytest.mark.parametrize("language", ["FR", "french", "", "1", "fr_BE"])
def test_art12_1_a_translation_into_a_bad_language_code_is_refused(
    tmp_path: Path, language: str
) -> None:
    folder = programme_with(
        tmp_path,
        f"translations:\n  - language: '{language}'\n    texts:\n      statement.title: A\n",
    )
    with pytest.raises(PolicyErrors) as raised:
        load(folder)
    assert any("language" in e.render() for e in raised.value.errors)


def test_art12_1_missing_lists_what_a_translator_must_do_and_round_trips(tmp_path: Path) -> None:
    import yaml
    from typer.testing import CliRunner

    from tutela.checks import run_checks
    from tutela.cli.main import app

    folder = programme_with(tmp_path, "")
    organisation = folder / "organisation.yml"
    organisation.write_text(
        organisation.read_text(encoding="utf-8").replace("languages: [en]", "languages: [en, fr]"),
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["translations", "missing", str(folder), "--lang", "fr"])
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(result.output)
    texts = document["translations"][0]["texts"]
    assert texts["purposes.supply_services.name"] == "Supply our services"
    assert "rights.channels.0" not in texts  # an e-mail address is the same in French
    document["translations"][0]["texts"] = {path: f"[fr] {text}" for path, text in texts.items()}
    (folder / "fr.yml").write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    loaded = load(folder)
    assert [f for f in run_checks(loaded) if f.rule == "languages/missing-translation"] == []
    name = loaded.programme.purpose("supply_services").name
    assert name.in_language("fr") == "[fr] Supply our services"
    again = CliRunner().invoke(app, ["translations", "missing", str(folder), "--lang", "fr"])
    assert yaml.safe_load(again.output)["translations"][0]["texts"] == {}


@pytest.mark.parametrize("language", ["FR", "--x", "fr;rm -rf", ""])
def test_art12_1_missing_refuses_a_bad_language_code(language: str) -> None:
    from typer.testing import CliRunner

    from tutela.cli.main import app

    result = CliRunner().invoke(app, ["translations", "missing", str(MINIMAL), "--lang", language])
    assert result.exit_code in (2, 7)
    assert "Traceback" not in result.output
