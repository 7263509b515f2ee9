"""The loader reads a folder (or a file) of YAML into one Programme and remembers positions."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from tutela.errors import Location
from tutela.programme.loader import LoadedProgramme, load, load_programme
from tutela.programme.models import LegalBasis

MINIMAL = Path(__file__).resolve().parents[1] / "fixtures" / "minimal"


@pytest.fixture
def programme_dir(tmp_path: Path) -> Path:
    target = tmp_path / "programme"
    shutil.copytree(MINIMAL, target)
    return target


def test_minimal_programme_loads_with_every_section() -> None:
    loaded = load(MINIMAL)
    programme = loaded.programme
    assert loaded.root == MINIMAL
    assert programme.organisation.legal_name == "Example Analytics SRL"
    assert programme.statement.effective_date == date(2026, 1, 15)
    assert [p.key for p in programme.purposes] == ["supply_services", "newsletter"]
    assert programme.purpose("newsletter").legal_basis is LegalBasis.CONSENT
    assert programme.system("crm").datasets[0].collections[1].fields[1].references[0].to == (
        "contact.id"
    )


def test_load_programme_returns_the_model_only() -> None:
    assert load_programme(MINIMAL) == load(MINIMAL).programme


def test_locations_point_at_the_written_value() -> None:
    loaded = load(MINIMAL)
    purposes = str(MINIMAL / "purposes.yml")
    assert loaded.locations[("purposes", 1, "legal_basis")] == Location(purposes, 25, 18)
    assert loaded.locations[("purposes", 0, "categories", 1)] == Location(purposes, 17, 38)
    assert loaded.locations[("organisation",)] == Location(str(MINIMAL / "organisation.yml"), 1, 1)
    field_ref = ("systems", 0, "datasets", 0, "collections", 1, "fields", 1, "references", 0, "to")
    assert loaded.locations[field_ref] == Location(str(MINIMAL / "systems.yml"), 22, 35)


def test_locate_falls_back_to_the_nearest_written_ancestor() -> None:
    loaded = load(MINIMAL)
    # `anonymised_output` is not written: its purpose is.
    assert loaded.locate("purposes", 1, "anonymised_output") == loaded.locate("purposes", 1)
    assert loaded.locate("purposes", 1) == Location(str(MINIMAL / "purposes.yml"), 21, 5)


def test_list_sections_concatenate_across_files_in_sorted_order(programme_dir: Path) -> None:
    (programme_dir / "more").mkdir()
    (programme_dir / "more" / "analytics.yaml").write_text(
        "purposes:\n"
        "  - key: analytics\n"
        "    name: Analytics\n"
        "    description: Count visits.\n"
        "    legal_basis: consent\n",
        encoding="utf-8",
    )
    loaded = load(programme_dir)
    # more/analytics.yaml sorts before purposes.yml.
    assert [p.key for p in loaded.programme.purposes] == [
        "analytics",
        "supply_services",
        "newsletter",
    ]
    analytics = str(programme_dir / "more" / "analytics.yaml")
    assert loaded.locations[("purposes", 0, "legal_basis")] == Location(analytics, 5, 18)
    assert loaded.locations[("purposes", 2, "key")].source == str(programme_dir / "purposes.yml")


def test_hidden_folders_and_other_files_are_not_read(programme_dir: Path) -> None:
    (programme_dir / ".github" / "workflows").mkdir(parents=True)
    (programme_dir / ".github" / "workflows" / "ci.yml").write_text("on: push\njobs: {}\n")
    (programme_dir / "README.md").write_text("# not YAML: [\n")
    assert len(load(programme_dir).programme.purposes) == 2


def test_one_file_programme_loads(tmp_path: Path) -> None:
    single = tmp_path / "programme.yml"
    single.write_text(
        "\n".join((MINIMAL / name).read_text() for name in ("organisation.yml", "purposes.yml")),
        encoding="utf-8",
    )
    loaded = load(single)
    assert isinstance(loaded, LoadedProgramme)
    assert loaded.programme.systems == []
    assert loaded.locate("rights").source == str(single)  # type: ignore[union-attr]


def test_empty_list_section_means_no_entries(programme_dir: Path) -> None:
    (programme_dir / "cookies.yml").write_text("cookies:\n", encoding="utf-8")
    assert load(programme_dir).programme.cookies == []


def test_utf8_bom_and_non_ascii_text_load(programme_dir: Path) -> None:
    text = (programme_dir / "organisation.yml").read_text(encoding="utf-8")
    text = text.replace("Example Analytics SRL", "Exemple Analytique SRL — Société")
    (programme_dir / "organisation.yml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load(programme_dir).programme.organisation.legal_name.endswith("Société")


def test_yaml_1_2_keeps_norway_as_a_country_code(programme_dir: Path) -> None:
    text = (programme_dir / "purposes.yml").read_text(encoding="utf-8")
    (programme_dir / "purposes.yml").write_text(text.replace("countries: [DE]", "countries: [NO]"))
    assert load(programme_dir).programme.recipient("hosting").countries == ["NO"]
