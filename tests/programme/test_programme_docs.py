"""docs/programme.md documents every model and every key of the programme format."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel
from ruamel.yaml import YAML

from tutela.programme.loader import load_programme
from tutela.programme.models import Programme

DOCS = Path(__file__).resolve().parents[2] / "docs" / "programme.md"


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """Every pydantic model reachable from ``root`` through field annotations."""
    found: list[type[BaseModel]] = []
    pending: list[Any] = [root]
    while pending:
        annotation = pending.pop()
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in found:
                continue
            found.append(annotation)
            pending += [info.annotation for info in annotation.model_fields.values()]
        else:
            pending += list(get_args(annotation))
    return found


def _sections(text: str) -> dict[str, str]:
    """The text under each ``### `Model` ...`` heading, up to the next heading."""
    parts = re.split(r"^### ", text, flags=re.MULTILINE)[1:]
    sections = {}
    for part in parts:
        heading = part.splitlines()[0]
        match = re.match(r"`(\w+)`", heading)
        if match:
            sections[match.group(1)] = re.split(r"^## ", part, flags=re.MULTILINE)[0]
    return sections


def test_walk_reaches_the_nested_models() -> None:
    names = {model.__name__ for model in _models(Programme)}
    assert {
        "Programme",
        "Purpose",
        "ConsentNotice",
        "Reference",
        "TransferImpactAssessment",
    } <= names
    assert len(names) >= 25


def test_every_model_has_a_section_in_programme_md() -> None:
    sections = _sections(DOCS.read_text(encoding="utf-8"))
    missing = [model.__name__ for model in _models(Programme) if model.__name__ not in sections]
    assert missing == [], f"models without a ### `Model` section in docs/programme.md: {missing}"


def test_every_field_is_documented_in_its_models_section() -> None:
    sections = _sections(DOCS.read_text(encoding="utf-8"))
    missing = [
        f"{model.__name__}.{name}"
        for model in _models(Programme)
        for name in model.model_fields
        if f"| `{name}` |" not in sections.get(model.__name__, "")
    ]
    assert missing == [], f"fields without a row in docs/programme.md: {missing}"


def test_every_section_has_a_yaml_example() -> None:
    sections = _sections(DOCS.read_text(encoding="utf-8"))
    without = [
        name for name, text in sections.items() if name != "Programme" and "```yaml" not in text
    ]
    assert without == []


def test_the_complete_small_example_loads(tmp_path: Path) -> None:
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("## A complete small example", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```yaml\n# (\S+)\n(.*?)```", example, flags=re.DOTALL)
    assert [name for name, _ in blocks] == ["organisation.yml", "purposes.yml"]
    for name, body in blocks:
        (tmp_path / name).write_text(body, encoding="utf-8")
    programme = load_programme(tmp_path)
    assert programme.system("crm").datasets[0].collections[0].fields[1].identity == "email"


def test_every_yaml_example_is_valid_yaml() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOCS.read_text(encoding="utf-8"), flags=re.DOTALL)
    assert len(blocks) > 30
    for block in blocks:
        YAML(typ="safe").load(block)
