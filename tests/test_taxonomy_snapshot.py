"""The shipped fideslang snapshot is the installed fideslang's default taxonomy.

The vocabulary reads the snapshot so commands need not import fideslang; this test
catches a fideslang upgrade the snapshot has not followed
(`make taxonomy` rewrites it).
"""

from __future__ import annotations

import json
from importlib.resources import files

from tutela.taxonomy import snapshot
from tutela.taxonomy.vocabulary import Vocabulary


def test_the_snapshot_is_the_installed_fideslang_default_taxonomy() -> None:
    shipped = (files("tutela.taxonomy") / "data" / snapshot.SNAPSHOT).read_text(encoding="utf-8")
    assert json.loads(shipped) == snapshot.build()
    assert shipped == snapshot.dumps(snapshot.build())


def test_the_vocabulary_knows_every_fideslang_default_term() -> None:
    built = snapshot.build()
    vocabulary = Vocabulary()
    assert {row[0] for row in built["data_category"]} <= set(vocabulary.categories)
    assert {row[0] for row in built["data_use"]} == set(vocabulary.uses)
    assert {row[0] for row in built["data_subject"]} <= set(vocabulary.subjects)
    email = vocabulary.categories["user.contact.email"]
    assert (email.parent, email.name) == ("user.contact", "User Contact Email")


def test_checking_a_programme_does_not_import_fideslang() -> None:
    import subprocess
    import sys
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "examples" / "cloudockit"
    code = (
        "import sys\n"
        "from tutela.programme.loader import load\n"
        "from tutela.checks import run_checks\n"
        f"run_checks(load({str(example)!r}))\n"
        "print('fideslang' in sys.modules)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
