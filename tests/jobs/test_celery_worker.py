"""Celery workers on the machine's Redis: a request completed through them, and kill -9.

Real ``tutela worker`` processes (Celery with beat embedded) against Redis on loopback and
tutela's store on PostgreSQL. The first test approves an access request and waits for a
worker to complete it. The second holds the shop database's write lock so the worker
blocks mid-step (after reading the subject's rows, before erasing them), kills the whole
worker with SIGKILL, starts a new one, and shows the step is redone once: one
``completed`` ledger entry, one answer, the customer erased once (ER-2). No test-only
switch exists in tutela for this: the lock is the database's own. A missing Redis fails.
"""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from tests.jobs.conftest import approved, customer_emails, ledger_actions, shop_environ

from tutela.bootstrap import Application, build
from tutela.programme.loader import load_programme
from tutela.store.jobs import CLAIMED, DONE
from tutela.store.tables import dsr_batch
from tutela.testing import shopdb

pytestmark = [pytest.mark.celery, pytest.mark.postgres]
REDIS = "redis://127.0.0.1:6379"
TUTELA = Path(sys.executable).with_name("tutela")


def _fresh_broker(db: int) -> str:
    url = f"{REDIS}/{db}"
    try:
        redis.Redis.from_url(url, socket_timeout=5).flushdb()
    except redis.RedisError as error:  # a failure, never a skip
        pytest.fail(f"Redis at {url} is not reachable: {error}")
    return url


class Workers:
    """``tutela worker`` processes started in their own process group, killed at the end."""

    def __init__(self, environ: dict[str, str], folder: Path) -> None:
        self.environ, self.folder = environ, folder
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.folder / f"worker-{len(self.started)}.log").open("wb")
        process = subprocess.Popen(
            [str(TUTELA), "worker", "--concurrency", "1"],
            cwd=self.folder,
            env={**os.environ, **self.environ},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the worker and its pool children: one group to kill
        )
        self.started.append(process)
        return process

    def kill(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.folder.glob("worker-*.log")))


def _wait(what: str, condition: Callable[[], bool], workers: Workers, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} within {seconds} s:\n{workers.logs()[-4000:]}"
        time.sleep(0.2)


def _setup(tmp_path: Path, postgres_url: str, broker_db: int, **extra: str) -> Application:
    environ = shop_environ(tmp_path, postgres_url)
    environ |= {"TUTELA_BROKER_URL": _fresh_broker(broker_db), **extra}
    return build(environ)


@pytest.fixture
def workers_for() -> Iterator[Callable[[Application, Path], Workers]]:
    made: list[Workers] = []

    def make(app: Application, folder: Path) -> Workers:
        made.append(Workers(dict(app.environ), folder))
        return made[-1]

    yield make
    for workers in made:
        for process in workers.started:
            workers.kill(process)


def test_ac_1_a_celery_worker_completes_an_approved_request(
    tmp_path: Path, postgres_url: str, workers_for: Callable[[Application, Path], Workers]
) -> None:
    app = _setup(tmp_path, postgres_url, 11)
    programme = load_programme(shopdb.shop_programme_path())
    workers = workers_for(app, tmp_path)
    workers.start()
    (email,) = customer_emails(app.environ["TUTELA_SHOP_URL"], 1)
    request = approved(app, programme, "access", email)
    service = app.request_service()
    _wait("completed", lambda: service.show(request).state == "completed", workers)
    _wait("step done", lambda: app.jobs().steps(request)[0].state == DONE, workers)
    assert ledger_actions(app, request).count("completed") == 1
    assert app.answering().export(request)[0].kind == "package"


def test_er_2_a_worker_killed_mid_step_is_redone_once_without_a_second_effect(
    tmp_path: Path, postgres_url: str, workers_for: Callable[[Application, Path], Workers]
) -> None:
    app = _setup(tmp_path, postgres_url, 12, TUTELA_JOB_LEASE="4", TUTELA_CONNECT_TIMEOUT="120")
    programme = load_programme(shopdb.shop_programme_path())
    shop_file = Path(app.environ["TUTELA_SHOP_URL"].removeprefix("sqlite:///"))
    emails = customer_emails(app.environ["TUTELA_SHOP_URL"], 8)
    workers = workers_for(app, tmp_path)
    lock = sqlite3.connect(shop_file, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")  # others may read the shop, nobody may write it
    first = workers.start()
    request = approved(app, programme, "erasure", emails[0])
    claimed = lambda: app.jobs().steps(request)[0].state == CLAIMED  # noqa: E731
    _wait("the first worker claims the step", claimed, workers)
    time.sleep(2)  # it reads the subject's rows, then waits for the shop's write lock
    workers.kill(first)
    lock.execute("ROLLBACK")
    lock.close()
    assert app.request_service().show(request).state == "in_progress"
    workers.start()
    service = app.request_service()
    _wait(
        "completed by the second worker",
        lambda: service.show(request).state == "completed",
        workers,
    )
    _wait("step done", lambda: app.jobs().steps(request)[0].state == DONE, workers)
    (step,) = app.jobs().steps(request)
    assert step.attempts == 2  # claimed by the killed worker, then once more
    actions = ledger_actions(app, request)
    assert actions.count("completed") == 1 and actions.count("answer_kept") == 1
    masked, *others = customer_emails(app.environ["TUTELA_SHOP_URL"], 8)
    assert others == emails[1:]  # the other customers untouched
    assert re.fullmatch("[0-9a-f]{64}", masked)  # erased: a keyed hash in place of the address
    with app.ledger().engine.connect() as connection:
        batches = dict(connection.execute(sa.select(dsr_batch.c.status, dsr_batch.c.counts)).all())
    assert set(batches) == {"running", "done"}  # the killed run changed nothing, then one did
    assert json.loads(batches["running"]) == {}
    assert json.loads(batches["done"])["shop_db.customer"] == 1
