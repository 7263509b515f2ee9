"""A masking strategy from a plug-in: named in the programme, checked at load, planned and run.

The plug-in is really installed for the test: a module and a ``*.dist-info`` folder whose
``entry_points.txt`` registers it under ``tutela.masking``, put on ``sys.path``.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from minishop import HASH_KEY, FixedClock, build, email, rows_of

from tutela import plugins
from tutela.connectors.sql import SqlConnector
from tutela.errors import PolicyErrors
from tutela.programme.loader import load, load_programme
from tutela.rights.executor import execute_batch
from tutela.rights.models import SubjectRequest
from tutela.rights.planner import plan_request
from tutela.store.dsr import SqlDsrStore

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"
MINISHOP = Path(__file__).parent / "fixtures" / "minishop"

PLUGIN = '''
from dataclasses import dataclass


@dataclass(frozen=True)
class ShredMasker:
    """Per row: every value becomes 'shredded'."""

    name: str = "shred"
    kind: str = "per_row"

    def mask(self, values, column, key):
        return [None if value is None else "shredded" for value in values]


@dataclass(frozen=True)
class WipeMasker:
    """Deletes the row."""

    name: str = "wipe"
    kind: str = "delete"

    def mask(self, values, column, key):
        return [None] * len(values)
'''


@pytest.fixture
def installed_plugin(tmp_path: Path) -> Iterator[str]:
    """Install a plug-in distribution with the strategies ``shred`` and ``wipe``."""
    module = f"acme_shred_{tmp_path.name.replace('-', '_')}"
    site = tmp_path / "site"
    info = site / "acme_shred-2.1.0.dist-info"
    info.mkdir(parents=True)
    (site / f"{module}.py").write_text(PLUGIN, encoding="utf-8")
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: acme-shred\nVersion: 2.1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[tutela.masking]\nshred = {module}:ShredMasker\nwipe = {module}:WipeMasker\n",
        encoding="utf-8",
    )
    sys.path.insert(0, str(site))
    plugins.refresh()
    try:
        yield module
    finally:
        sys.path.remove(str(site))
        sys.modules.pop(module, None)
        plugins.refresh()


def _programme_with(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    folder = tmp_path / "programme"
    shutil.copytree(source, folder)
    systems = folder / "systems.yml"
    text = systems.read_text(encoding="utf-8")
    assert old in text
    systems.write_text(text.replace(old, new), encoding="utf-8")
    return folder


def _minimal_with_shred(tmp_path: Path) -> Path:
    return _programme_with(
        tmp_path,
        MINIMAL,
        "{name: full_name, data_categories: [user.name]}",
        "{name: full_name, data_categories: [user.name], masking: shred}",
    )


def test_ER_1_a_plugin_strategy_named_by_a_field_loads_when_installed(
    tmp_path: Path, installed_plugin: str
) -> None:
    programme = load_programme(_minimal_with_shred(tmp_path))
    contact = programme.system("crm").datasets[0].collections[0]
    assert next(f for f in contact.fields if f.name == "full_name").masking == "shred"
    assert {"shred", "wipe"} <= set(plugins.installed(plugins.MASKING).names())


def test_ER_1_an_uninstalled_strategy_is_a_located_error_naming_the_field(
    tmp_path: Path,
) -> None:
    folder = _minimal_with_shred(tmp_path)
    with pytest.raises(PolicyErrors) as raised:
        load(folder)
    (error,) = raised.value.errors
    assert error.message == "unknown masking strategy `shred`"
    assert error.path == "systems[crm].datasets[crm_db].collections[contact].fields[full_name]" + (
        ".masking"
    )
    assert error.location is not None and error.location.source.endswith("systems.yml")
    assert error.location.line == 17
    assert error.hint is not None and "`hash`" in error.hint and "`null`" in error.hint


def test_ER_1_an_uninstalled_strategy_in_a_masking_rule_or_default_is_located(
    tmp_path: Path,
) -> None:
    (tmp_path / "masking.yml").write_text(
        "masking:\n  default: shread\n  rules:\n    - {category: user.name, strategy: hsah}\n",
        encoding="utf-8",
    )
    for name in ("organisation.yml", "purposes.yml", "systems.yml"):
        shutil.copy(MINIMAL / name, tmp_path / name)
    with pytest.raises(PolicyErrors) as raised:
        load(tmp_path)
    found = {e.path: e for e in raised.value.errors}
    assert set(found) == {"masking.default", "masking.rules[0].strategy"}
    assert found["masking.rules[0].strategy"].hint is not None
    assert "did you mean `hash`?" in found["masking.rules[0].strategy"].hint
    assert found["masking.default"].location is not None
    assert found["masking.default"].location.line == 2


def test_ER_1_the_planner_takes_a_plugin_strategys_kind_from_the_registry(
    tmp_path: Path, installed_plugin: str
) -> None:
    folder = _programme_with(
        tmp_path,
        _minimal_with_shred(tmp_path / "first"),
        "{name: body, data_categories: [user.name], provenance: derived}",
        "{name: body, data_categories: [user.name], provenance: derived, masking: wipe}",
    )
    plan = plan_request(load_programme(folder), "erasure", ["email"])
    contact = plan.step("crm_db.contact")
    shred = next(f for f in contact.fields if f.name == "full_name")
    assert (shred.action, shred.strategy, shred.mask_kind) == ("mask", "shred", "per_row")
    assert "full_name" in contact.read_columns() and not contact.delete_rows
    assert plan.step("crm_db.note").delete_rows


def test_ER_1_an_erasure_runs_a_plugin_strategy_row_by_row(
    tmp_path: Path, installed_plugin: str, sqlite_url: str
) -> None:
    folder = _programme_with(
        tmp_path,
        MINISHOP,
        "{name: name, data_categories: [user.name], rectifiable: true}",
        "{name: name, data_categories: [user.name], rectifiable: true, masking: shred}",
    )
    programme = load_programme(folder)
    build(sqlite_url)
    shop = SqlConnector("shop", sqlite_url)
    store = SqlDsrStore(f"sqlite:///{tmp_path / 'tutela.sqlite'}", FixedClock())
    try:
        request = SubjectRequest("erasure", (("email", email(2)),))
        result = execute_batch(
            programme, [request], {"shop": shop}, store, FixedClock(), hash_key=HASH_KEY
        )
    finally:
        shop.close()
        store.close()
    customer = next(c for c in result.results[0].collections if c.collection == "shop.customer")
    assert customer.strategies["name"] == "shred"
    assert rows_of(sqlite_url, "customer", "id = 2")[0]["name"] == "shredded"
    assert rows_of(sqlite_url, "customer", "id = 1")[0]["name"] == "Name 1"


def test_ER_1_check_rules_run_on_a_programme_with_a_plugin_strategy(
    tmp_path: Path, installed_plugin: str
) -> None:
    from tutela.checks import run_checks

    findings = run_checks(load(_minimal_with_shred(tmp_path)))
    assert not [f for f in findings if f.rule.startswith("erasure/")]
