"""The scheduled retention sweep: a periodic duty on ``TUTELA_RETENTION_INTERVAL`` (RT-2).

Two worker processes call the real :func:`tutela.jobs.periodic.periodic` at the same
instant on one SQLite store: exactly one claims the sweep's period and runs it. The
system is the scan store of tests/retention/test_cli.py, on SQLite.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.retention.test_cli import ALL_SCANS, MINISHOP, PROGRAMME, _system, scan_ids

from tutela.bootstrap import build
from tutela.errors import ConfigurationError
from tutela.jobs.periodic import DUTIES, RETENTION, duty_step, period_start, periodic, scheduled
from tutela.programme.loader import load_programme
from tutela.requests.sealing import StoreKey
from tutela.store.ledger import open_ledger

WORKER = """\
import json, sys
from datetime import datetime
from pathlib import Path
from tutela.bootstrap import build
from tutela.jobs.periodic import periodic
from tutela.programme.loader import load_programme
app = build()
ran = periodic(app, load_programme(Path(sys.argv[1])), datetime.fromisoformat(sys.argv[2]),
               worker=sys.argv[3])
print(json.dumps(ran))
"""


@pytest.fixture
def world(tmp_path: Path) -> dict[str, str]:
    """A programme with a scan store on SQLite, tutela's SQLite store at head; a 6h interval."""
    folder = tmp_path / "programme"
    folder.mkdir()
    (folder / "organisation.yml").write_bytes((MINISHOP / "organisation.yml").read_bytes())
    (folder / "retention.yml").write_text(PROGRAMME, encoding="utf-8")
    store = f"sqlite:///{tmp_path / 'store.sqlite'}"
    open_ledger(store).close()
    system = f"sqlite:///{tmp_path / 'scans.sqlite'}"
    _system(system, datetime.now(UTC))
    return {
        "PROGRAMME": str(folder),
        "SCANS_URL": system,
        "APP_URL": system,
        "TUTELA_DATABASE_URL": store,
        "SCANS_HASH_KEY": "retention-duty-test-key",
        "TUTELA_STORE_KEY": StoreKey.generate(),
        "TUTELA_RETENTION_INTERVAL": "6h",
        "TUTELA_CONNECT_TIMEOUT": "30",
    }


def _two_workers(world: dict[str, str], now: datetime, tmp_path: Path) -> list[list[str]]:
    env = {k: v for k, v in world.items() if k != "PROGRAMME"}
    script = tmp_path / "worker.py"
    script.write_text(WORKER, encoding="utf-8")
    argv = [sys.executable, str(script), world["PROGRAMME"], now.isoformat()]
    workers = [
        subprocess.Popen(
            [*argv, name], env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for name in ("w1", "w2")
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    for worker, (_, err) in zip(workers, outputs, strict=True):
        assert worker.returncode == 0, err.decode()
    return [json.loads(out.decode().strip().splitlines()[-1]) for out, _ in outputs]


def test_RT_2_two_worker_processes_sweep_once_per_retention_interval(
    world: dict[str, str], tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    ran = _two_workers(world, now, tmp_path)
    assert sum(RETENTION in duties for duties in ran) == 1, ran
    assert scan_ids(world) == ALL_SCANS - {10, 11, 20}  # each customer's choice applied
    app = build({k: v for k, v in world.items() if k != "PROGRAMME"})
    swept = [e for e in app.ledger().entries() if e.action == "swept"]
    assert len(swept) == 2  # one entry per rule of the one sweep
    step = duty_step(scheduled(app)[-1], now)
    assert step.startswith("retention:")
    (row,) = [s for s in app.jobs().steps("periodic") if s.step == step]
    assert row.state == "done"
    programme = load_programme(Path(world["PROGRAMME"]))
    start = period_start(now, timedelta(hours=6))  # the interval's periods start at the epoch
    assert RETENTION not in periodic(app, programme, now, worker="w3")  # claimed: this period
    later = start + timedelta(hours=6, minutes=1)
    assert RETENTION in periodic(app, programme, later, worker="w3")  # the next period


@pytest.mark.parametrize(("interval", "period"), [("6h", timedelta(hours=6)), ("1d", None)])
def test_the_duty_period_comes_from_the_settings(
    world: dict[str, str], interval: str, period: timedelta | None
) -> None:
    app = build({**world, "TUTELA_RETENTION_INTERVAL": interval})
    duty = scheduled(app)[-1]
    assert duty.name == RETENTION
    assert duty.period == (period or timedelta(days=1))
    assert scheduled(app)[: len(DUTIES)] == DUTIES


@pytest.mark.parametrize("off", ["0", "off", "OFF", "0h"])
def test_an_interval_of_zero_or_off_schedules_no_sweep(world: dict[str, str], off: str) -> None:
    app = build({**world, "TUTELA_RETENTION_INTERVAL": off})
    assert scheduled(app) == DUTIES
    programme = load_programme(Path(world["PROGRAMME"]))
    assert RETENTION not in periodic(app, programme, datetime.now(UTC), worker="w1")
    assert scan_ids(world) == ALL_SCANS


@pytest.mark.parametrize("bad", ["soon", "15 minutes", "-1h", "9999999999h", "1h; DROP"])
def test_a_malformed_interval_is_refused_naming_the_setting(
    world: dict[str, str], bad: str
) -> None:
    with pytest.raises(ConfigurationError, match="TUTELA_RETENTION_INTERVAL"):
        build({**world, "TUTELA_RETENTION_INTERVAL": bad})
