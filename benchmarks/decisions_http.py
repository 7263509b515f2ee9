"""The decision point over HTTP: batch rate, single-decision latency, withdrawal propagation.

Used by ``benchmarks/decisions.py --http``. On this machine's PostgreSQL (loopback, user
postgres) or SQLite: a new store upgraded to head, ``subjects`` subjects with about five
choice events each (stored with their ledger entries, in chunks), an auditor key, and
``processes`` ``tutela serve`` processes on free loopback ports. Then:

- batch: ``clients`` threads post batches of 1,000 decisions round-robin for ``seconds``;
  the floor is a bare ASGI app (uvicorn, ``json``, a dict lookup per item) on the same
  bodies, the same number of processes and clients;
- single: an open loop of single decisions at ``rate`` requests per second (each timed
  from when it was due, so queueing counts), round-robin;
- propagation: ``rounds`` times, consent is given then withdrawn by this process (a
  commit to the store); the time from the commit until every process denies.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa

from tutela.bootstrap import build
from tutela.consent.records import ChoiceEvent, Kind, Method, subject_ref
from tutela.programme.loader import load_programme
from tutela.requests.sealing import StoreKey
from tutela.store.consent import SqlChoiceStore
from tutela.store.ledger import open_ledger
from tutela.testing.processes import Processes, listening, wait_for
from tutela.testing.smtp import free_port
from tutela.testing.synthetic import build_systems

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "cloudockit"
HASH_KEY = "decisions-benchmark-hash-key"
BATCH = 1000


@dataclass(frozen=True)
class Figures:
    """What the HTTP part measured."""

    batch_rate: float
    floor_rate: float
    single_p50: float
    single_p99: float
    single_rate: float
    propagation: list[float]


@contextmanager
def store_url(kind: str, folder: Path) -> Iterator[str]:
    """A new store: a PostgreSQL database (dropped after) or a SQLite file."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'store.sqlite'}"
        return
    name = f"tutela_bench_decisions_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(SERVER + "postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield SERVER + name
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def email(n: int) -> str:
    """The address of synthetic subject ``n``."""
    return f"person{n}@example.test"


def load(url: str, subjects: int, purposes: Sequence[str]) -> None:
    """About five consent events per subject, with their ledger entries, in chunks."""
    ledger = open_ledger(url)
    store = SqlChoiceStore(ledger.engine, ledger)
    rng, start = random.Random(7), datetime.now(UTC) - timedelta(days=200)
    chunk: list[ChoiceEvent] = []
    for n in range(subjects):
        ref = subject_ref("email", email(n), HASH_KEY.encode())
        for i in range(rng.randint(1, 9)):
            kind = rng.choice((Kind.CONSENT_GIVEN, Kind.CONSENT_GIVEN, Kind.CONSENT_WITHDRAWN))
            at = start + timedelta(minutes=rng.randrange(200 * 1440))
            chunk.append(ChoiceEvent(f"{n}-{i}", ref, rng.choice(purposes), kind, at, Method.API))
        if len(chunk) >= 20_000:
            store.record(chunk, "system")
            chunk = []
    store.record(chunk, "system")
    ledger.close()


def _floor_server(port: int) -> None:
    """A bare ASGI app: parse the batch, one dict lookup per item, answer JSON."""
    import uvicorn

    table = {email(n): n % 2 for n in range(1000)}

    async def app(scope: dict, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        items = json.loads(body)["items"] if body else []
        answer = [
            {"decision": "allow" if table.get(i["identity"]["email"]) else "deny"} for i in items
        ]
        payload = json.dumps(answer).encode()
        headers = [(b"content-type", b"application/json")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def batches(subjects: int, purposes: Sequence[str], count: int) -> list[bytes]:
    """``count`` request bodies of :data:`BATCH` random decisions each."""
    rng = random.Random(11)
    bodies = []
    for _ in range(count):
        items = [
            {"identity": {"email": email(rng.randrange(subjects))}, "purpose": rng.choice(purposes)}
            for _ in range(BATCH)
        ]
        bodies.append(json.dumps({"items": items}).encode())
    return bodies


def batch_rate(
    urls: list[str],
    headers: dict[str, str],
    bodies: list[bytes],
    clients: int,
    seconds: float,
    path: str,
) -> float:
    """Decisions per second of ``clients`` threads posting ``bodies`` for ``seconds``."""
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        with httpx.Client(
            timeout=30, headers=headers | {"content-type": "application/json"}
        ) as http:
            i = n
            while time.perf_counter() < stop:
                reply = http.post(urls[i % len(urls)] + path, content=bodies[i % len(bodies)])
                reply.raise_for_status()
                done[n] += BATCH
                i += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return sum(done) / (time.perf_counter() - started)


def single_latency(
    urls: list[str],
    headers: dict[str, str],
    subjects: int,
    purposes: Sequence[str],
    rate: float,
    seconds: float,
    senders: int = 16,
) -> tuple[float, float, float]:
    """p50 and p99 (ms) of single decisions sent at ``rate`` per second, and the rate kept.

    ``senders`` threads with kept-alive connections each send every ``senders``-th
    request when it is due; each is timed from when it was due (queueing counts). One not
    answered within 5 s counts as infinite.
    """
    count = int(rate * seconds)
    latencies: list[float] = []
    start = time.perf_counter() + 0.5

    def sender(n: int) -> None:
        rng = random.Random(13 + n)
        with httpx.Client(timeout=5, headers=headers) as http:
            for i in range(n, count, senders):
                due = start + i / rate
                time.sleep(max(0.0, due - time.perf_counter()))
                body = {
                    "identity": {"email": email(rng.randrange(subjects))},
                    "purpose": rng.choice(purposes),
                }
                try:
                    reply = http.post(urls[i % len(urls)] + "/api/v1/decisions", json=body)
                    reply.raise_for_status()
                    latencies.append((time.perf_counter() - due) * 1000)
                except httpx.HTTPError:
                    latencies.append(float("inf"))

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(sender, range(senders)))
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    answered = sum(1 for value in ordered if value != float("inf"))
    return ordered[len(ordered) // 2], ordered[int(len(ordered) * 0.99) - 1], answered / elapsed


def propagation(url: str, urls: list[str], headers: dict[str, str], rounds: int) -> list[float]:
    """Seconds from a withdrawal's commit until every process denies, per round."""
    ledger = open_ledger(url)
    store = SqlChoiceStore(ledger.engine, ledger)
    ref = subject_ref("email", "propagation@example.test", HASH_KEY.encode())
    body = {"identity": {"email": "propagation@example.test"}, "purpose": "direct_marketing"}
    clients = [httpx.Client(base_url=u, headers=headers, timeout=10) for u in urls]
    found: list[float] = []

    def all_say(verdict: str) -> bool:
        return all(
            c.post("/api/v1/decisions", json=body).json()["decision"] == verdict for c in clients
        )

    for r in range(rounds):
        now = datetime.now(UTC)
        store.record(
            [ChoiceEvent(f"p{r}g", ref, "direct_marketing", Kind.CONSENT_GIVEN, now, Method.API)],
            "system",
        )
        while not all_say("allow"):
            time.sleep(0.005)
        store.record(
            [
                ChoiceEvent(
                    f"p{r}w",
                    ref,
                    "direct_marketing",
                    Kind.CONSENT_WITHDRAWN,
                    datetime.now(UTC),
                    Method.API,
                )
            ],
            "system",
        )
        committed = time.perf_counter()
        pending = list(clients)
        while pending:
            pending = [
                c
                for c in pending
                if c.post("/api/v1/decisions", json=body).json()["decision"] != "deny"
            ]
            time.sleep(0.002) if pending else None
        found.append(time.perf_counter() - committed)
    for client in clients:
        client.close()
    ledger.close()
    return found


def measure(
    kind: str, subjects: int, processes: int, clients: int, seconds: float, rate: float, rounds: int
) -> Figures:
    """Build the store and the processes, measure, stop everything."""
    programme = load_programme(EXAMPLE)
    purposes = [p.key for p in programme.purposes]
    with tempfile.TemporaryDirectory() as folder, store_url(kind, Path(folder)) as url:
        open_ledger(url).close()
        load(url, subjects, purposes)
        systems = build_systems(programme, Path(folder) / "systems", people=5)
        env = systems | {
            "TUTELA_DATABASE_URL": url,
            "TUTELA_HASH_KEY": HASH_KEY,
            "TUTELA_STORE_KEY": StoreKey.generate(),
            "TUTELA_PROGRAMME": str(EXAMPLE),
        }
        app = build(env)
        key = app.key_service().create("benchmark", "auditor").key
        app.ledger().close()
        headers = {"Authorization": f"Bearer {key}"}
        group = Processes(env, Path(folder))
        ports = [free_port() for _ in range(processes)]
        floor_ports = [free_port() for _ in range(processes)]
        try:
            for n, port in enumerate(ports):
                group.start(f"serve-{n}", "serve", str(EXAMPLE), "--port", str(port))
            urls = [f"http://127.0.0.1:{p}" for p in ports]
            for u in urls:
                with httpx.Client(base_url=u) as http:
                    wait_for("the API listens", lambda h=http: listening(h), group, 120)
            bodies = batches(subjects, purposes, 20)
            tutela = batch_rate(urls, headers, bodies, clients, seconds, "/api/v1/decisions/batch")
            print(f"batch measured: {tutela:,.0f} decisions/s", file=sys.stderr)
            p50, p99, kept = single_latency(urls, headers, subjects, purposes, rate, seconds)
            moved = propagation(url, urls, headers, rounds)
        finally:
            group.stop()
        floor = floor_rate(floor_ports, bodies, clients, seconds, Path(folder))
    return Figures(tutela, floor, p50, p99, kept, moved)


def floor_rate(
    ports: list[int], bodies: list[bytes], clients: int, seconds: float, folder: Path
) -> float:
    """The batch rate of the bare ASGI floor, one process per port."""
    import subprocess

    started = [
        subprocess.Popen(
            [sys.executable, __file__, "--floor", str(p)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=dict(os.environ),
        )
        for p in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{p}" for p in ports]
        deadline = time.monotonic() + 30
        for u in urls:
            while True:
                try:
                    httpx.post(u + "/", content=b'{"items": []}')
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
        return batch_rate(urls, {}, bodies, clients, seconds, "/")
    finally:
        for process in started:
            process.kill()
            process.wait(10)


def report(figures: Figures, subjects: int, processes: int, clients: int, rate: float) -> list[str]:
    """The HTTP part of the table."""
    moved = figures.propagation
    return [
        f"HTTP: {processes} service processes, {subjects:,} subjects in the store, "
        f"{clients} client threads",
        f"{'batch decisions/s (tutela)':<32}{figures.batch_rate:>14,.0f}   target 200,000",
        f"{'batch decisions/s (ASGI floor)':<32}{figures.floor_rate:>14,.0f}",
        f"{'floor / tutela':<32}{figures.floor_rate / figures.batch_rate:>14.2f}x",
        f"{'single at ' + format(rate, ',.0f') + ' req/s: p50':<32}{figures.single_p50:>14.2f} ms",
        f"{'single p99':<32}{figures.single_p99:>14.2f} ms   target < 5 ms",
        f"{'single rate kept':<32}{figures.single_rate:>14,.0f} req/s",
        f"{'withdrawal to all deny: median':<32}{statistics.median(moved) * 1000:>14.1f} ms",
        f"{'withdrawal to all deny: max':<32}{max(moved) * 1000:>14.1f} ms   target < 1,000 ms",
    ]


if __name__ == "__main__" and sys.argv[1:2] == ["--floor"]:
    _floor_server(int(sys.argv[2]))
