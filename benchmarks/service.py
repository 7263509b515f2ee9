"""Scale-out proof: access requests over HTTP through API processes and Celery workers.

    python benchmarks/service.py [--requests 10000] [--apis 2] [--workers 2]
        [--concurrency 32] [--batch 100] [--no-compare] [--latency-samples 30] [--keep]

On this machine's PostgreSQL (loopback, user postgres) and Redis (database 14, flushed
first): builds the shop (``tutela.testing.shopdb``, one customer per request) in a new
database and, per configuration, a new store database upgraded to head, an admin API key,
``--apis`` ``tutela serve`` processes on free loopback ports and ``--workers`` ``tutela
worker --concurrency 1`` processes (Celery with beat embedded, ``TUTELA_BROKER_URL``).
Then ``--concurrency`` HTTP clients, round-robin over the APIs, send the customers'
access requests by staff batch intake (``POST /api/v1/staff/requests/batch``): each call
submits, verifies (staff's evidence) and approves ``--batch`` requests (100) in one
transaction. Staff-verified submission is allowed for the benchmark: no code is mailed. The store is
polled once a second until every request is completed or ``--timeout`` passes. With
``--compare`` (the default) the same runs again on 1 API and 1 worker. Then
``--latency-samples`` requests are taken one at a time (a batch of one) on the first,
idle cluster.
Every process is stopped (its whole process group) and the databases dropped, unless
``--keep``. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import redis
import sqlalchemy as sa

from tutela import bootstrap
from tutela.requests.sealing import StoreKey
from tutela.store.ledger import open_ledger
from tutela.testing import shopdb
from tutela.testing.machine import describe

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
BROKER = "redis://127.0.0.1:6379/14"
TUTELA = Path(sys.executable).with_name("tutela")
EVIDENCE = "benchmark: identity checked by staff"
TARGET_RATE, TARGET_P50 = 200.0, 50.0


# --- databases, broker and the cluster's processes ------------------------------------------


@contextmanager
def database(keep: bool, kept: list[str]) -> Iterator[str]:
    """A new PostgreSQL database on the loopback server, dropped after unless ``keep``."""
    name = f"tutela_bench_service_{uuid.uuid4().hex[:8]}"
    _admin(f"CREATE DATABASE {name}")
    try:
        yield SERVER + name
    finally:
        if keep:
            kept.append(SERVER + name)
        else:
            _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _admin(statement: str) -> None:
    admin = sa.create_engine(SERVER + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(statement)
    admin.dispose()


def environment(store: str, shop: str) -> dict[str, str]:
    """The settings every API and worker process of one configuration shares."""
    redis.Redis.from_url(BROKER, socket_timeout=5).flushdb()
    open_ledger(store).close()  # the deployment step: `tutela db upgrade`
    return {
        "TUTELA_DATABASE_URL": store,
        "TUTELA_SHOP_URL": shop,
        "TUTELA_HASH_KEY": uuid.uuid4().hex,
        "TUTELA_STORE_KEY": StoreKey.generate(),
        "TUTELA_PROGRAMME": str(shopdb.shop_programme_path()),
        "TUTELA_BROKER_URL": BROKER,
    }


def admin_key(environ: dict[str, str]) -> str:
    """A new admin API key in the store of ``environ``."""
    app = bootstrap.build(environ)
    try:
        return app.key_service().create("benchmark", "admin").key
    finally:
        app.ledger().close()


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """API and worker processes, each in its own process group, all stopped by :meth:`stop`."""

    def __init__(self, environ: dict[str, str], folder: Path) -> None:
        self.environ, self.folder = {**os.environ, **environ}, folder
        self.processes: list[tuple[subprocess.Popen[bytes], Path]] = []
        self.urls: list[str] = []

    def start(self, apis: int, workers: int) -> None:
        """Start the processes and wait until each API answers and each worker is ready."""
        for _ in range(apis):
            port = free_port()
            self._spawn("api", ["serve", str(shopdb.shop_programme_path()), "--port", str(port)])
            self.urls.append(f"http://127.0.0.1:{port}")
        for _ in range(workers):
            self._spawn("worker", ["worker", "--concurrency", "1"])
        deadline = time.monotonic() + 90
        for url in self.urls:
            self._until(deadline, functools.partial(_answers, url), f"the API at {url}")
        for _process, log in self.processes[apis:]:
            self._until(deadline, functools.partial(_ready, log), f"worker {log.name}")

    def _spawn(self, kind: str, argv: list[str]) -> None:
        log = self.folder / f"{kind}-{len(self.processes)}.log"
        process = subprocess.Popen(
            [str(TUTELA), *argv],
            env=self.environ,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # the process and its children: one group to stop
        )
        self.processes.append((process, log))

    def _until(self, deadline: float, ready: Callable[[], bool], what: str) -> None:
        while not ready():
            dead = [log.name for p, log in self.processes if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                tail = "\n".join(log.read_text()[-2000:] for _, log in self.processes)
                raise SystemExit(f"{what} did not start (stopped: {dead}):\n{tail}")
            time.sleep(0.2)

    def stop(self) -> None:
        """SIGTERM every process group, then SIGKILL whatever is left after 10 s."""
        for process, _ in self.processes:
            _signal(process, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process, _ in self.processes:
            with suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
            _signal(process, signal.SIGKILL)
            process.wait()


def _signal(process: subprocess.Popen[bytes], number: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, number)


def _ready(log: Path) -> bool:
    return " ready." in log.read_text(errors="replace")


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


# --- load: staff submit, verify and approve over HTTP ---------------------------------------


class Staff:
    """HTTP clients to every API with one admin key; request ``i`` goes to API ``i % n``."""

    def __init__(self, urls: Sequence[str], key: str, concurrency: int) -> None:
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        headers = {"Authorization": f"Bearer {key}"}
        self.clients = [
            httpx.Client(base_url=f"{u}/api/v1/staff", headers=headers, limits=limits, timeout=120)
            for u in urls
        ]

    def batch(self, index: int, people: Sequence[str]) -> list[tuple[str, float]]:
        """Submit, verify and approve an access request for each address in one call.

        Each request's id and the submit time (the client's clock before the call).
        """
        client, started = self.clients[index % len(self.clients)], time.time()
        item = {"type": "access", "evidence": EVIDENCE, "approve": True}
        items = [item | {"identity": {"email": email}} for email in people]
        made = _json(client.post("/requests/batch", json={"items": items}))
        if not isinstance(made, list) or len(made) != len(people):
            raise SystemExit(f"the batch answered {str(made)[:200]}")
        return [(str(document["id"]), started) for document in made]

    def close(self) -> None:
        for client in self.clients:
            client.close()


def _json(response: httpx.Response) -> list[dict[str, object]]:
    if response.status_code >= 300:
        raise SystemExit(f"{response.request.url.path}: {response.status_code} {response.text}")
    found = response.json()
    assert isinstance(found, list)
    return found


def emails(url: str, count: int) -> list[str]:
    """The e-mail addresses of the shop's first ``count`` customers, by id."""
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        query = sa.text("SELECT email FROM customer ORDER BY id LIMIT :n")
        found = [str(row[0]) for row in connection.execute(query, {"n": count})]
    engine.dispose()
    return found


# --- what the store says ----------------------------------------------------------------------


class Store:
    """Read-only queries on tutela's store: states, completion times, ledger duplicates."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, pool_size=1)

    def states(self) -> Counter[str]:
        """How many requests are in each state (one SELECT)."""
        query = sa.text("SELECT state, count(*) FROM tutela_request GROUP BY state")
        with self.engine.connect() as connection:
            return Counter({str(s): int(n) for s, n in connection.execute(query)})

    def completed_at(self) -> dict[str, float]:
        """Each completed request's completion time: its row's ``updated_at`` (epoch s)."""
        query = sa.text("SELECT id, updated_at FROM tutela_request WHERE state = 'completed'")
        with self.engine.connect() as connection:
            return {str(i): _epoch(at) for i, at in connection.execute(query)}

    def duplicates(self) -> int:
        """Requests with more than one ``completed`` or ``answer_kept`` ledger entry."""
        counts: Counter[tuple[str, str]] = Counter()
        with self.engine.connect() as connection:
            for (text,) in connection.execute(sa.text("SELECT entry FROM tutela_ledger_entry")):
                entry = json.loads(text)
                if entry["action"] in ("completed", "answer_kept"):
                    counts[(entry["request"], entry["action"])] += 1
        return len({request for (request, _), n in counts.items() if n > 1})

    def wait(self, expected: int, timeout: float) -> None:
        """Poll the states once a second until ``expected`` are completed or ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while self.states()["completed"] < expected and time.monotonic() < deadline:
            time.sleep(1)

    def close(self) -> None:
        self.engine.dispose()


def _epoch(value: object) -> float:
    """A naive UTC timestamp from the store (UtcDateTime) as seconds since the epoch."""
    assert isinstance(value, datetime)
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


# --- one configuration, the single-request latency, the table -------------------------------


@dataclass(frozen=True)
class Run:
    """One configuration's outcome: times in epoch seconds, latencies in milliseconds."""

    label: str
    requests: int
    submitted: float
    completed: float
    latencies: tuple[float, ...]
    duplicates: int
    losses: int

    @property
    def rate(self) -> float:
        """End to end: requests over the time from the first submit to the last completion."""
        return self.requests / self.completed if self.completed else 0.0


def load(
    staff: Staff, people: Sequence[str], concurrency: int, size: int
) -> tuple[dict[str, float], float]:
    """Every request sent by batch intake, ``concurrency`` batches of ``size`` in flight.

    Each request's submit time, and the seconds the whole load took.
    """
    batches = [people[i : i + size] for i in range(0, len(people), size)]
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        done = dict(
            pair for made in pool.map(staff.batch, range(len(batches)), batches) for pair in made
        )
    return done, time.perf_counter() - started


def measure(
    label: str, store: Store, staff: Staff, people: Sequence[str], options: argparse.Namespace
) -> Run:
    """Load ``people``'s requests, wait for completion, and read what the store holds."""
    submitted_at, submitted = load(staff, people, options.concurrency, options.batch)
    store.wait(len(submitted_at), options.timeout)
    finished = store.completed_at()
    first = min(submitted_at.values())
    latencies = [(finished[i] - t) * 1e3 for i, t in submitted_at.items() if i in finished]
    last = max((finished[i] for i in submitted_at if i in finished), default=first)
    losses = sum(i not in finished for i in submitted_at)
    return Run(
        label, len(people), submitted, last - first, tuple(latencies), store.duplicates(), losses
    )


def single(store: Store, staff: Staff, people: Sequence[str]) -> list[float]:
    """Submit→complete of each request taken alone on an idle cluster, in milliseconds."""
    found = []
    for index, email in enumerate(people):
        [(identifier, started)] = staff.batch(index, [email])
        deadline = time.monotonic() + 60
        while (at := _completion(store, identifier)) is None and time.monotonic() < deadline:
            time.sleep(0.005)
        if at is None:
            raise SystemExit(f"request {identifier} was not completed within 60 s")
        found.append((at - started) * 1e3)
    return found


def _completion(store: Store, identifier: str) -> float | None:
    query = sa.text("SELECT state, updated_at FROM tutela_request WHERE id = :id")
    with store.engine.connect() as connection:
        row = connection.execute(query, {"id": identifier}).one_or_none()
    return _epoch(row[1]) if row is not None and row[0] == "completed" else None


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` quantile of ``values`` (nearest rank); 0 when there are none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else 0.0


COLUMNS = (
    "configuration|requests|submitted in s|completed in s|requests/s|"
    "p50 ms|p95 ms|duplicates|losses"
)


def table(runs: Sequence[Run]) -> list[str]:
    """The aligned table, one row per configuration."""
    rows = [tuple(COLUMNS.split("|"))]
    for r in runs:
        p50, p95 = percentile(r.latencies, 0.5), percentile(r.latencies, 0.95)
        rows.append(
            (
                r.label,
                f"{r.requests:,}",
                f"{r.submitted:,.1f}",
                f"{r.completed:,.1f}",
                f"{r.rate:,.1f}",
                f"{p50:,.0f}",
                f"{p95:,.0f}",
                str(r.duplicates),
                str(r.losses),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        "  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row))
        for row in rows
    ]


def verdict(runs: Sequence[Run], alone: Sequence[float]) -> list[str]:
    """The single-request line, the targets met or missed, and the end-to-end line."""
    p50, p95 = percentile(alone, 0.5), percentile(alone, 0.95)
    rate = runs[0].rate
    met = ("met" if rate >= TARGET_RATE else "missed", "met" if p50 <= TARGET_P50 else "missed")
    return [
        f"single request on an idle cluster ({len(alone)} samples, one at a time): "
        f"submit→complete p50 {p50:,.0f} ms, p95 {p95:,.0f} ms",
        f"targets: >= {TARGET_RATE:.0f} requests/s end to end: {met[0]}; "
        f"single p50 <= {TARGET_P50:.0f} ms: {met[1]}",
        f"end to end: {rate:,.1f} requests/s",
    ]


def header(options: argparse.Namespace, built: float) -> list[str]:
    """What ran, where, and how the numbers are taken."""
    return [
        f"tutela as a service: {options.requests:,} access requests over HTTP, "
        f"{options.concurrency} batches in flight, round-robin over the APIs "
        f"(shop of {options.requests + options.latency_samples:,} customers built in "
        f"{built:.1f} s)",
        describe(),
        f"staff batch intake: submit, verify, approve in one call per {options.batch} requests "
        "(POST /api/v1/staff/requests/batch, one transaction each); staff-verified "
        "submission is allowed for the benchmark: no code is mailed; the single requests "
        "below are batches of one",
        "store and shop: PostgreSQL on loopback (a new store per configuration); broker: "
        "Redis database 14; each worker: `tutela worker --concurrency 1` (Celery, beat embedded)",
        "submit→complete: from the client's clock before the submit call to the request row's "
        "updated_at when it reached completed (ledger entries keep whole seconds only); "
        "end to end: requests / (last completion - first submit)",
        "duplicates: requests with more than one `completed` or `answer_kept` ledger entry; "
        "losses: requests not completed when the store was last polled",
    ]


# --- command line ---------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The options; --compare is on unless --no-compare."""
    parser = argparse.ArgumentParser(prog="benchmarks/service.py", description=__doc__)
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--apis", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=32, help="batches in flight")
    parser.add_argument("--batch", type=int, default=100, help="requests per batch call")
    parser.add_argument("--compare", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--latency-samples", type=int, default=30)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for all")
    parser.add_argument("--keep", action="store_true", help="leave the databases")
    options = parser.parse_args(argv)
    if min(options.requests, options.apis, options.workers, options.concurrency) < 1:
        parser.error("--requests, --apis, --workers and --concurrency must be at least 1")
    if not 1 <= options.batch <= 1000:
        parser.error("--batch must be 1 to 1000 (the API's bound)")
    if options.latency_samples < 1:
        parser.error("--latency-samples must be at least 1")
    return options


def configuration(
    options: argparse.Namespace, shop: str, people: Sequence[str], shape: tuple[int, int]
) -> tuple[Run, list[float] | None]:
    """One cluster of ``shape`` (APIs, workers): the load, and when first the single line."""
    apis, workers = shape
    label = f"{apis} API{'s' * (apis > 1)} + {workers} worker{'s' * (workers > 1)}"
    first = shape == (options.apis, options.workers)
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tutela-svc-")))
        store_url = stack.enter_context(database(options.keep, options.kept))
        environ = environment(store_url, shop)
        cluster = Cluster(environ, folder)
        stack.callback(cluster.stop)
        cluster.start(apis, workers)
        staff = Staff(cluster.urls, admin_key(environ), options.concurrency)
        stack.callback(staff.close)
        store = Store(store_url)
        stack.callback(store.close)
        run = measure(label, store, staff, people[: options.requests], options)
        alone = single(store, staff, people[options.requests :]) if first else None
    return run, alone


def main(argv: Sequence[str] | None = None) -> int:
    """Run each configuration and print the header, the table and the verdict."""
    options = parse(argv)
    options.kept = []
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # clean up as on Ctrl-C
    shapes = [(options.apis, options.workers)]
    if options.compare and shapes[0] != (1, 1):
        shapes.append((1, 1))
    with database(options.keep, options.kept) as shop:
        started = time.perf_counter()
        shopdb.build(shop, customers=options.requests + options.latency_samples, seed=1)
        built = time.perf_counter() - started
        people = emails(shop, options.requests + options.latency_samples)
        outcomes = [configuration(options, shop, people, shape) for shape in shapes]
    runs = [run for run, _ in outcomes]
    alone = outcomes[0][1] or []
    kept = [f"kept: {url}" for url in options.kept]
    print("\n".join([*header(options, built), "", *table(runs), "", *verdict(runs, alone), *kept]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
