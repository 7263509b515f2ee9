"""The help of every command: choices, exit codes, environment, consistent names, --version.

Walks the whole command tree (as tests/test_docs.py does), so a new command is held to
the same rules without a line here.
"""

from __future__ import annotations

import functools
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any, get_args

import pytest
from typer.main import get_command
from typer.testing import CliRunner

import tutela
from tutela.cli import dsr
from tutela.cli.errors import EXIT_CODES
from tutela.cli.main import app

runner = CliRunner()

SHORT = {"--format": "-f", "--output": "-o", "--out": "-o"}
"""Long options that must have their short form, the same everywhere."""


def _walk(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from _walk(sub, (*path, name))


COMMANDS = list(_walk(get_command(app)))
IDS = [" ".join(("tutela", *path)) for path, _ in COMMANDS]


@functools.cache
def _help(path: tuple[str, ...]) -> str:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    return result.stdout


def _options(command: Any) -> list[Any]:
    return [param for param in command.params if param.param_type_name == "option"]


def test_the_walk_reaches_groups_and_leaves() -> None:
    assert {"tutela", "tutela dsr", "tutela dsr run", "tutela statement render"} <= set(IDS)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_every_help_lists_every_exit_code(path: tuple[str, ...], command: Any) -> None:
    text = _help(path)
    assert "Exit codes:" in text
    table = text.split("Exit codes:", 1)[1]
    for code in sorted({0, 1, 3, *EXIT_CODES.values()}):
        assert re.search(rf"^\s+{code}\s+\S", table, flags=re.MULTILINE), (path, code)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_no_help_shows_a_boolean_metavar(path: tuple[str, ...], command: Any) -> None:
    text = _help(path)
    assert "<bool>" not in text and "BOOLEAN" not in text
    assert not re.search(r"--no-[a-z-]+", text), "flags are plain switches"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_short_options_are_the_same_everywhere(path: tuple[str, ...], command: Any) -> None:
    for option in _options(command):
        for long, short in SHORT.items():
            if long in option.opts:
                assert short in option.opts, (path, long)
        for short in ("-f", "-o"):
            if short in option.opts:
                assert {*option.opts} & {k for k, v in SHORT.items() if v == short}, (path, short)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_choices_are_listed_in_the_help(path: tuple[str, ...], command: Any) -> None:
    text = " ".join(_help(path).split())
    for option in _options(command):
        choices = option.type_descriptor.choices if option.type_descriptor.is_choice else None
        if choices:
            assert "|".join(str(c) for c in choices) in text, (path, option.opts)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=IDS)
def test_arguments_are_named_in_capitals_and_the_programme_is_programme(
    path: tuple[str, ...], command: Any
) -> None:
    for argument in (p for p in command.params if p.param_type_name == "argument"):
        name = argument.metavar or argument.name
        assert name == name.upper(), (path, name)
        mentions_programme = "programme" in (argument.help or "").lower()
        if mentions_programme and path != ("statement", "diff"):
            assert name == "PROGRAMME", (path, name)


def test_statement_diff_keeps_old_and_new() -> None:
    text = _help(("statement", "diff"))
    assert "{OLD} {NEW}" in text


def test_dsr_type_offers_exactly_the_request_types() -> None:
    from tutela.rights.models import REQUEST_TYPES

    assert get_args(dsr.RequestKind) == REQUEST_TYPES
    text = _help(("dsr", "run"))
    assert "--type <access|erasure|rectification|restriction|portability>" in text


@pytest.mark.parametrize(
    ("args", "choices"),
    [
        (["--type", "shred"], ("'access'", "'portability'")),
        (["--type", "access", "--format", "xml"], ("'text'", "'json'")),
    ],
)
def test_dsr_rejects_an_unknown_choice_as_a_usage_error_naming_the_choices(
    args: list[str], choices: tuple[str, ...]
) -> None:
    result = runner.invoke(app, ["dsr", "run", "p", *args, "--identity", "email=a@b.c"])
    assert result.exit_code == 2  # before anything connects: the command line is wrong
    assert all(choice in result.output for choice in choices)


@pytest.mark.parametrize("path", [("dsr", "plan"), ("dsr", "run"), ("dsr", "batch")])
def test_dsr_help_names_the_environment_it_reads(path: tuple[str, ...]) -> None:
    text = _help(path)
    assert "Environment variables:" in text
    for name in ("TUTELA_DATABASE_URL", "TUTELA_HASH_KEY", "TUTELA_BATCH_SIZE", "url_env"):
        assert name in text, name


def test_every_setting_is_named_in_the_help_of_a_command_that_reads_it() -> None:
    from tutela.settings import Settings

    helps = " ".join(_help(path) for path, _ in COMMANDS)
    missing = [
        f"TUTELA_{name.upper()}"
        for name in Settings.model_fields
        if f"TUTELA_{name.upper()}" not in helps
    ]
    assert missing == [], f"settings no command's help names: {missing}"


def test_commands_that_read_no_environment_do_not_claim_to() -> None:
    assert "Environment variables:" not in _help(("check",))
    assert "Environment variables:" not in _help(("statement", "render"))


def test_version_prints_the_package_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"tutela {tutela.__version__}\n"


def test_version_imports_no_heavy_library() -> None:
    code = (
        "import sys\n"
        "from tutela.cli.main import main\n"
        "sys.argv = ['tutela', '--version']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith(f"tutela {tutela.__version__}\n")
    loaded = {name.split(".")[0] for name in out.stdout.split()}
    heavy = {"sqlalchemy", "pydantic", "jinja2", "openpyxl", "faker", "fideslang", "ruamel"}
    assert sorted(loaded & heavy) == []
