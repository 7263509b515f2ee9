"""libyaml's fast path reads every file exactly as ruamel's careful path does.

The fast path (:mod:`tutela.programme.yaml_fast`) either gives the same data, value
positions and key positions as :func:`read_carefully`, or declines (None) and leaves the
file to it. Checked on every YAML file of the repository and on the edge cases of YAML 1.2.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tutela.programme.yaml_documents import MAX_DEPTH, MAX_VALUES, read_carefully, read_document
from tutela.programme.yaml_fast import read_fast

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(
    p
    for folder in ("examples", "tests", "src/tutela/testing")
    for p in (ROOT / folder).rglob("*.y*ml")
)


def _same(path: Path, text: str) -> bool:
    fast = read_fast(path, text, MAX_DEPTH, MAX_VALUES)
    if fast is None:
        return False
    careful = read_carefully(path, text)
    assert fast[0] == careful.data
    assert [type(v) for v in _leaves(fast[0])] == [type(v) for v in _leaves(careful.data)]
    assert fast[1] == careful.values
    assert fast[2] == careful.keys
    return True


def _leaves(data: object) -> list[object]:
    if isinstance(data, dict):
        return [leaf for value in data.values() for leaf in _leaves(value)]
    if isinstance(data, list):
        return [leaf for value in data for leaf in _leaves(value)]
    return [data]


def test_every_programme_file_of_the_repository_reads_the_same_fast() -> None:
    fast = [path for path in FILES if _readable(path) and _same(path, path.read_text("utf-8"))]
    assert len(fast) > 0.9 * len([p for p in FILES if _readable(p)])


def _readable(path: Path) -> bool:
    try:
        read_carefully(path, path.read_text("utf-8"))
    except Exception:  # broken on purpose (fixtures of errors): the careful path reports it
        return False
    return True


@pytest.mark.parametrize(
    "text",
    [
        "a: yes\nb: no\nc: NO\nd: on\ne: true\nf: True\ng: ~\ni: null\n",
        "a: 1\nb: -2\nc: 0755\nd: 1.5\ne: 2026-12-01\nf: '2026-12-01'\ng: \"1\"\n",
        "a: >-\n  folded\n  text\nb: |\n  literal\nc: [x, y]\nd: {k: v}\n",
        "- a\n- b: 1\n  c: [1, 2]\n-\n  - nested\n",
        "x: {en: Hello, fr: Bonjour}\n'quoted key': v\n1: one\n",
        "text with: colon\n# comment only\nz: 'it''s'\n",
    ],
)
def test_yaml_1_2_scalars_and_positions_match_the_careful_path(text: str, tmp_path: Path) -> None:
    assert _same(tmp_path / "x.yml", text)


@pytest.mark.parametrize(
    "text",
    [
        "a: &x {b: 1}\nc: *x\n",  # an alias
        "a: 1\na: 2\n",  # a duplicate key
        "base: &b {x: 1}\nd:\n  <<: *b\n",  # a merge key
        "a: !custom 1\n",  # a tag
        "a: !!str 1\n",  # an explicit standard tag
        "a: 0x1F\nb: 1e3\nc: .inf\nd: 1_000\n",  # numbers ruamel reads its own way
        "a: 2026-12-01T10:00:00Z\n",  # a timestamp with a time
        "a:\nb: 1\n",  # an empty value
        "? [a, b]\n: c\n",  # a complex key
        "a: [\n",  # a syntax error
        "---\na: 1\n---\nb: 2\n",  # two documents
    ],
)
def test_the_fast_path_declines_what_only_the_careful_path_reads(text: str, tmp_path: Path) -> None:
    assert read_fast(tmp_path / "x.yml", text, MAX_DEPTH, MAX_VALUES) is None


def test_read_document_uses_either_path_with_one_result(tmp_path: Path) -> None:
    plain = tmp_path / "plain.yml"
    plain.write_text("effective_date: 2026-12-01\nlanguages: [en, fr]\n", encoding="utf-8")
    aliased = tmp_path / "aliased.yml"
    aliased.write_text("a: &x [en, fr]\nlanguages: *x\n", encoding="utf-8")
    assert read_document(plain).data == {
        "effective_date": date(2026, 12, 1),
        "languages": ["en", "fr"],
    }
    assert read_document(aliased).data["languages"] == ["en", "fr"]


def test_nesting_beyond_the_limit_is_left_to_the_careful_path(tmp_path: Path) -> None:
    deep = "a: " + "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5) + "\n"
    assert read_fast(tmp_path / "x.yml", deep, MAX_DEPTH, MAX_VALUES) is None
