"""The in-process worker: approved requests become ready steps, run once in effect.

Approving a request makes its ``complete`` step ready in the same transaction; the worker
claims it, runs the request through the engine and answers it (AC-1, ER-2); running the
step again (a crash after the answer, before the step was marked done) has no second
effect; a request withdrawn meanwhile is left alone; several requests go through one
engine run per type; a failing step is retried later; periodic duties run once per period.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.jobs.conftest import approved, customer_emails, ledger_actions, shop_environ

from tutela.bootstrap import Application, build
from tutela.jobs.periodic import periodic
from tutela.jobs.worker import Worker, start_in_process_worker
from tutela.programme.models import Programme
from tutela.requests.keeping import Finishing
from tutela.requests.states import State
from tutela.store.jobs import CLAIMED, DONE, READY
from tutela.store.lifecycle import SqlLifecycleStore
from tutela.store.lifecycle_tables import answer_table
from tutela.store.requests import RequestChanged
from tutela.store.service_tables import job_table
from tutela.store.tables import dsr_batch
from tutela.testing import shopdb


def _batches(app: Application) -> list[str]:
    with app.ledger().engine.connect() as connection:
        return [str(t) for t in connection.execute(sa.select(dsr_batch.c.type)).scalars()]


def test_ac_1_approval_makes_the_step_ready_and_the_worker_completes_it_once(
    app: Application, programme: Programme
) -> None:
    (email,) = customer_emails(app.environ["TUTELA_SHOP_URL"], 1)
    request = approved(app, programme, "access", email)
    (step,) = app.jobs().steps(request)
    assert (step.step, step.state) == ("complete", READY)
    worker = Worker(app, programme, "w1")
    assert worker.run_once() == 1
    assert app.request_service().show(request).state == "completed"
    assert app.answering().export(request)[0].kind == "package"
    assert app.jobs().steps(request)[0].state == DONE
    entries = len(app.ledger().entries())
    assert worker.run_once() == 0
    # A crash after the answer but before "done": the step is claimed and run again.
    with app.ledger().engine.begin() as connection:
        connection.execute(sa.update(job_table).values(state=READY, claimed_by=None))
    assert Worker(app, programme, "w2").run_once() == 1
    assert len(app.ledger().entries()) == entries  # no second answer, no second entry
    assert ledger_actions(app, request).count("completed") == 1
    assert ledger_actions(app, request).count("answer_kept") == 1
    assert app.jobs().steps(request)[0].state == DONE


def test_a_withdrawn_requests_step_is_done_without_effect(
    app: Application, programme: Programme
) -> None:
    (email,) = customer_emails(app.environ["TUTELA_SHOP_URL"], 1)
    request = approved(app, programme, "erasure", email)
    app.request_service().withdraw(request)
    before = ledger_actions(app, request)
    assert Worker(app, programme, "w1").run_once() == 1
    assert app.request_service().show(request).state == "withdrawn"
    assert ledger_actions(app, request) == before
    assert app.jobs().steps(request)[0].state == DONE
    assert _batches(app) == []  # the engine never ran
    assert customer_emails(app.environ["TUTELA_SHOP_URL"], 1) == [email]


def test_er_2_claimed_requests_run_as_one_engine_batch_per_type(
    app: Application, programme: Programme
) -> None:
    emails = customer_emails(app.environ["TUTELA_SHOP_URL"], 5)
    access = [approved(app, programme, "access", e) for e in emails[:3]]
    erasure = [approved(app, programme, "erasure", e) for e in emails[3:]]
    assert Worker(app, programme, "w1", batch=10).run_once() == 5
    states = {app.request_service().show(r).state for r in access + erasure}
    assert states == {"completed"}
    assert sorted(_batches(app)) == ["access", "erasure"]  # one engine run per type
    remaining = customer_emails(app.environ["TUTELA_SHOP_URL"], 8)
    assert not set(emails[3:]) & set(remaining)  # the erased customers are gone


def test_a_failing_step_is_retried_later_with_its_error_kept(
    app: Application, programme: Programme
) -> None:
    (email,) = customer_emails(app.environ["TUTELA_SHOP_URL"], 1)
    request = approved(app, programme, "access", email)
    broken = build({k: v for k, v in app.environ.items() if k != "TUTELA_SHOP_URL"})
    assert Worker(broken, programme, "w1").run_once() == 1
    (step,) = app.jobs().steps(request)
    assert step.state == READY and step.attempts == 1
    assert step.ready_at > app.clock.now() + timedelta(seconds=20)
    assert "TUTELA_SHOP_URL" in (step.last_error or "") and email not in (step.last_error or "")
    assert app.request_service().show(request).state == "in_progress"
    assert Worker(app, programme, "w2").run_once() == 0  # not before its retry time


def test_periodic_duties_run_once_per_period_across_workers(
    app: Application, programme: Programme
) -> None:
    now = app.clock.now()
    assert periodic(app, programme, now, worker="a") == [
        "notify",
        "lift",
        "purge",
        "remind",
        "prune",
        "retention",  # TUTELA_RETENTION_INTERVAL, 1h by default
    ]
    assert periodic(app, programme, now, worker="b") == []
    assert periodic(app, programme, now + timedelta(minutes=1), worker="b")[:2] == [
        "notify",
        "lift",
    ]


def test_the_in_process_worker_thread_completes_an_approved_request(
    app: Application, programme: Programme
) -> None:
    thread, stop = start_in_process_worker(app, programme, idle=0.05)
    try:
        (email,) = customer_emails(app.environ["TUTELA_SHOP_URL"], 1)
        request = approved(app, programme, "access", email)
        deadline = time.monotonic() + 30
        while app.request_service().show(request).state != "completed":
            assert time.monotonic() < deadline, "the in-process worker did not complete it"
            time.sleep(0.05)
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()
    assert app.jobs().steps(request)[0].state in (DONE, CLAIMED)


def test_a_refused_state_change_enqueues_nothing(app: Application, programme: Programme) -> None:
    (email,) = customer_emails(app.environ["TUTELA_SHOP_URL"], 1)
    service = app.request_service(programme)
    record = service.submit("access", {"email": email})
    app.verification().accept(record.id, "known session")
    before = service.show(record.id)
    assert before.state == "verified" and app.jobs().steps(record.id) == []
    stale = replace(before, extended=True)  # as read before another command changed it
    with pytest.raises(RequestChanged):
        service.move(stale, State.IN_PROGRESS, "staff:alice", None)
    assert app.jobs().steps(record.id) == []  # rolled back with the change
    service.approve(record.id)
    assert [s.step for s in app.jobs().steps(record.id)] == ["complete"]


def _big_app(tmp_path: Path, store_url: str, name: str) -> Application:
    """An application on its own shop of 45 customers (the same for every ``name``)."""
    folder = tmp_path / name
    folder.mkdir()
    environ = shop_environ(folder, store_url)
    (folder / "shop.sqlite").unlink()  # the shop of 8 customers the job tests share
    shopdb.build(environ["TUTELA_SHOP_URL"], customers=45, seed=11)
    return build(environ)


def _submit_batch(app: Application, programme: Programme) -> list[str]:
    """20 access then 20 erasure requests (each about another customer), all approved."""
    emails = customer_emails(app.environ["TUTELA_SHOP_URL"], 40)
    kinds = ["access"] * 20 + ["erasure"] * 20
    return [
        approved(app, programme, kind, email) for kind, email in zip(kinds, emails, strict=True)
    ]


def _answers(app: Application) -> list[str]:
    with app.ledger().engine.connect() as connection:
        return [str(r) for r in connection.execute(sa.select(answer_table.c.request_id)).scalars()]


@pytest.mark.slow
def test_ac_1_er_2_one_run_completes_a_batch_as_one_by_one_would(
    tmp_path: Path, database_url: str, programme: Programme
) -> None:
    batch_app = _big_app(tmp_path, database_url, "batch")
    alone_app = _big_app(tmp_path, f"sqlite:///{tmp_path / 'alone.sqlite'}", "alone")
    emails = customer_emails(batch_app.environ["TUTELA_SHOP_URL"], 40)
    batch, alone = _submit_batch(batch_app, programme), _submit_batch(alone_app, programme)
    assert Worker(batch_app, programme, "w1", batch=50).run_once() == 40
    dsr = alone_app.dsr_service(programme)
    for request in alone:
        alone_app.answering(programme).complete(request, dsr)
    dsr.close()
    got = [ledger_actions(batch_app, r) for r in batch]
    assert got == [ledger_actions(alone_app, r) for r in alone]
    assert got[0][-2:] == got[-1][-2:] == ["answer_kept", "completed"]
    assert sorted(_answers(batch_app)) == sorted(batch)  # one answer each
    keeping = batch_app.keeping().store
    assert all(keeping.secret(r) is None for r in batch)  # every identity purged
    assert {batch_app.request_service().show(r).state for r in batch} == {"completed"}
    assert {s.state for r in batch for s in batch_app.jobs().steps(r)} == {DONE}
    assert batch_app.answering().export(batch[0])[0].kind == "package"
    remaining = customer_emails(batch_app.environ["TUTELA_SHOP_URL"], 45)
    assert remaining == customer_emails(alone_app.environ["TUTELA_SHOP_URL"], 45)
    assert set(emails[:20]) <= set(remaining) and not set(emails[20:]) & set(remaining)


def test_ac_1_a_request_withdrawn_before_the_write_falls_back_and_the_rest_complete(
    tmp_path: Path, database_url: str, programme: Programme, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _big_app(tmp_path, database_url, "shop")
    requests = _submit_batch(app, programme)[15:25]  # 5 access, 5 erasure
    withdrawn = requests[7]
    write = SqlLifecycleStore.complete_many
    calls: list[int] = []

    def withdraw_first(store: SqlLifecycleStore, finished: Sequence[Finishing]) -> None:
        if not calls:  # after the claim and the engine run, before the write
            app.request_service().withdraw(withdrawn, actor="subject:link")
        calls.append(len(finished))
        write(store, finished)

    monkeypatch.setattr(SqlLifecycleStore, "complete_many", withdraw_first)
    before = ledger_actions(app, withdrawn)
    with app.ledger().engine.begin() as connection:  # only these ten are due
        others = job_table.c.request_id.not_in(requests)
        connection.execute(sa.update(job_table).where(others).values(state=DONE))
    assert Worker(app, programme, "w1", batch=50).run_once() == 10
    assert calls == [10] + [1] * 10  # the batch refused whole, then one by one
    assert app.request_service().show(withdrawn).state == "withdrawn"
    assert ledger_actions(app, withdrawn) == [*before, "withdrawn"]  # no answer, no completion
    done = [r for r in requests if r != withdrawn]
    assert sorted(_answers(app)) == sorted(done)
    for request in done:
        assert app.request_service().show(request).state == "completed"
        assert ledger_actions(app, request)[-2:] == ["answer_kept", "completed"]
    assert {s.state for r in requests for s in app.jobs().steps(r)} == {DONE}
