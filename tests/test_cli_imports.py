"""The command line starts fast: its entry module imports no heavy library (issue: CLI start).

An import check, not a timing assertion: ``import tutela.cli.main`` (what
``tutela --help`` runs) must not pull in SQLAlchemy, openpyxl, Jinja2, Faker,
pydantic or fideslang; each command imports what it needs when it runs.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "openpyxl", "jinja2", "faker", "fideslang", "ruamel")
"""What no command's help may load (Typer itself may load pydantic to render some help)."""


def _modules_after(statement: str) -> set[str]:
    code = f"import sys\n{statement}\nprint('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {name.split(".")[0] for name in out.stdout.split()}


def test_cli_entry_module_imports_no_heavy_library() -> None:
    loaded = _modules_after("import tutela.cli.main")
    assert sorted(loaded & {*HEAVY, "pydantic", "pydantic_settings"}) == []


def test_help_of_every_command_imports_no_heavy_library() -> None:
    statement = (
        "from typer.testing import CliRunner\n"
        "from tutela.cli.main import app\n"
        "for args in (['--help'], ['check', '--help'], ['dsr', 'run', '--help'],"
        " ['statement', 'render', '--help'], ['records', 'export', '--help']):\n"
        "    assert CliRunner().invoke(app, args).exit_code == 0, args"
    )
    loaded = _modules_after(statement)
    assert sorted(loaded & set(HEAVY)) == []
