"""The rule registry: built-ins, plug-ins through ``tutela.checks``, ids, and their docs."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from tutela.checks import (
    BUILTIN_RULES,
    ENTRY_POINT_GROUP,
    Rule,
    build_registry,
    registry,
    run_checks,
)
from tutela.checks.findings import RULE_ID
from tutela.errors import ConfigurationError
from tutela.programme.loader import load

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "tests" / "fixtures" / "minimal"

PLUGIN = '''
from tutela.checks import Violation, rule


@rule("acme/no-dpo", severity="warning", title="No DPO", source="GDPR Art. 37")
def no_dpo(context):
    """Acme wants a DPO everywhere (GDPR Art. 37)."""
    if context.programme.organisation.dpo is None:
        yield Violation(("organisation", "dpo"), "no DPO", "appoint one")


@rule("acme/always", severity="error", title="Always", source="house rule")
def always(context):
    """Fires on every programme."""
    yield Violation(("organisation",), "always fires", "nothing to fix")


RULES = [no_dpo, always]
DUPLICATE = rule("lawfulness/no-legal-basis", severity="error", title="Dup", source="x")(always)
NOT_A_RULE = 42


def broken(context):
    raise RuntimeError("boom")


CRASHING = rule("acme/crash", severity="error", title="Crash", source="x")(broken)
'''


@pytest.fixture
def plugin_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A real plug-in module on sys.path, named uniquely for this test."""
    name = f"acme_checks_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def entry_point(module: str, attribute: str, name: str = "acme") -> EntryPoint:
    return EntryPoint(name=name, value=f"{module}:{attribute}", group=ENTRY_POINT_GROUP)


def test_at_least_25_builtin_rules_with_well_formed_ids() -> None:
    assert len(BUILTIN_RULES) >= 25
    for rule_id, item in BUILTIN_RULES.items():
        assert rule_id == item.id and RULE_ID.match(rule_id)
        assert item.severity in ("error", "warning")
        assert item.title and item.source and item.description


def test_every_builtin_rule_cites_its_legal_source_in_its_docstring() -> None:
    for item in BUILTIN_RULES.values():
        assert re.search(r"Art\.|GDPR\.md|[A-Z]{2}-\d|ePD|WP\d+|EDPB", item.description), item.id


def test_installed_registry_holds_the_builtins() -> None:
    installed = registry()
    assert set(BUILTIN_RULES) <= set(installed.rules)
    assert all(installed.origins[rule_id] == "built-in" for rule_id in BUILTIN_RULES)


def test_plugin_rules_are_added_like_builtins(plugin_module: str) -> None:
    built = build_registry([entry_point(plugin_module, "RULES")])
    assert {"acme/no-dpo", "acme/always"} <= set(built.rules)
    assert plugin_module in built.origins["acme/always"]
    findings = run_checks(load(MINIMAL), rules=built.select(["acme"]))
    assert [f.rule for f in findings] == ["acme/always"]


def test_a_plugin_may_register_a_single_rule(plugin_module: str) -> None:
    built = build_registry([entry_point(plugin_module, "always")])
    assert "acme/always" in built.rules


def test_duplicate_rule_id_from_a_plugin_is_an_error(plugin_module: str) -> None:
    with pytest.raises(ConfigurationError, match=r"lawfulness/no-legal-basis.*already registered"):
        build_registry([entry_point(plugin_module, "DUPLICATE")])


def test_the_same_plugin_twice_is_a_duplicate(plugin_module: str) -> None:
    twice = [entry_point(plugin_module, "RULES", "a"), entry_point(plugin_module, "RULES", "b")]
    with pytest.raises(ConfigurationError, match=r"acme/.*already registered"):
        build_registry(twice)


def test_plugin_pointing_at_something_else_is_an_error(plugin_module: str) -> None:
    with pytest.raises(ConfigurationError, match="must point to a Rule"):
        build_registry([entry_point(plugin_module, "NOT_A_RULE")])


def test_plugin_that_fails_to_import_is_an_error() -> None:
    missing = EntryPoint(name="gone", value="no_such_module_xyz:RULES", group=ENTRY_POINT_GROUP)
    with pytest.raises(ConfigurationError, match="failed to load"):
        build_registry([missing])


def test_a_crashing_rule_is_reported_not_raised_raw(plugin_module: str) -> None:
    built = build_registry([entry_point(plugin_module, "CRASHING")])
    with pytest.raises(ConfigurationError, match=r"acme/crash failed.*RuntimeError: boom"):
        run_checks(load(MINIMAL), rules=built.select(["acme/crash"]))


@pytest.mark.parametrize("bad_id", ["NoSlash", "Area/Upper", "area/", "area/with space", "a/b/c"])
def test_rule_ids_outside_the_scheme_are_rejected(bad_id: str) -> None:
    with pytest.raises(ValueError, match="area/what-is-wrong"):
        Rule(bad_id, "error", "t", "s", lambda context: ())


def test_unknown_select_or_ignore_names_the_culprit() -> None:
    with pytest.raises(ConfigurationError, match="--select 'nope'"):
        registry().select(["nope"])
    with pytest.raises(ConfigurationError, match="--ignore 'transfers/nope'"):
        registry().select(None, ["transfers/nope"])


def test_every_registered_rule_has_a_docs_section() -> None:
    docs = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([a-z0-9-]+)"></a>', docs))
    headings = set(re.findall(r"^### `([a-z0-9/-]+)`", docs, flags=re.MULTILINE))
    missing = [
        r.id for r in registry().rules.values() if r.anchor not in anchors or r.id not in headings
    ]
    assert missing == [], f"rules without a section in docs/checks.md: {missing}"


def test_docs_sections_state_severity_and_source_of_each_rule() -> None:
    docs = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    for item in BUILTIN_RULES.values():
        section = docs.split(f"### `{item.id}`", 1)[1].split("\n### ", 1)[0]
        assert f"**Severity:** {item.severity}" in section, item.id
        assert item.source in section, item.id
