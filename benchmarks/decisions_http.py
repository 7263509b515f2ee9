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

import asyncio
import json
import os
import random
import re
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
from tutela.consent.records import ALL_PURPOSES, ChoiceEvent, Kind, Method, referencer, subject_ref
from tutela.programme.loader import load_programme
from tutela.requests.sealing import StoreKey
from tutela.store.consent import SqlChoiceStore
from tutela.store.consent_tables import choice_event_table
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


KINDS = (
    [Kind.CONSENT_GIVEN] * 5
    + [Kind.CONSENT_WITHDRAWN] * 2
    + [Kind.OBJECTION, Kind.OBJECTION_LIFTED, Kind.RESTRICTION, Kind.RESTRICTION_LIFTED]
    + [Kind.OPT_OUT]
)
"""The mix of ``benchmarks/decisions.py``: consent, objections, restrictions, opt-outs."""


def load(url: str, subjects: int, purposes: Sequence[str]) -> int:
    """About five events per subject (the in-process mix), inserted in bulk; their count.

    The rows go straight into the events' table in chunks (the ledger is not read by the
    decision point, and five million ledger entries would only slow the set-up down).
    """
    ledger = open_ledger(url)
    rng, start = random.Random(7), datetime.now(UTC) - timedelta(days=200)
    reference = referencer(HASH_KEY.encode())
    chunk: list[dict[str, object]] = []
    count = 0
    with ledger.engine.begin() as connection:
        for n in range(subjects):
            ref = reference("email", email(n))
            for i in range(rng.randint(1, 9)):
                kind = rng.choice(KINDS)
                wide = kind in (Kind.RESTRICTION, Kind.OPT_OUT) and rng.random() < 0.5
                at = start + timedelta(minutes=rng.randrange(200 * 1440))
                ends = at + timedelta(days=30) if kind is Kind.RESTRICTION and i % 2 else None
                chunk.append(
                    {
                        "id": f"{n}-{i}",
                        "subject": ref,
                        "purpose": ALL_PURPOSES if wide else rng.choice(purposes),
                        "kind": kind.value,
                        "at": at,
                        "method": Method.API.value,
                        "ends_at": ends,
                    }
                )
            if len(chunk) >= 50_000:
                connection.execute(sa.insert(choice_event_table), chunk)
                count, chunk = count + len(chunk), []
        if chunk:
            connection.execute(sa.insert(choice_event_table), chunk)
            count += len(chunk)
        if connection.dialect.name == "postgresql":  # as autovacuum would, after a while
            connection.exec_driver_sql("ANALYZE tutela_choice_event")
    ledger.close()
    return count


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
    connections: int = 32,
    warm_up: float = 1.0,
) -> tuple[float, float, float]:
    """p50 and p99 (ms) of single decisions sent at ``rate`` per second, and the rate kept.

    An open loop on one thread (asyncio, plain HTTP/1.1 over ``connections`` kept-alive
    connections, so the load generator adds little): request ``i`` is due at
    ``i / rate`` seconds and timed from then, so queueing counts. One not answered
    within 5 s counts as infinite. The first ``warm_up`` seconds (new connections, first
    uses) are sent but not counted.
    """
    rng = random.Random(13)
    skipped = int(rate * warm_up)
    count = skipped + int(rate * seconds)
    bodies = [
        json.dumps(
            {"identity": {"email": email(rng.randrange(subjects))}, "purpose": rng.choice(purposes)}
        ).encode()
        for _ in range(count)
    ]
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items()).encode()
    latencies: list[float] = []

    async def connection(n: int, start: float) -> None:
        host, port = urls[n % len(urls)].removeprefix("http://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        loop = asyncio.get_running_loop()
        for i in range(n, count, connections):
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - loop.time()))
            body = bodies[i]
            writer.write(
                b"POST /api/v1/decisions HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json"
                b"\r\nContent-Length: %d\r\n%s\r\n%s" % (host.encode(), len(body), extra, body)
            )
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
                size = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
                await reader.readexactly(size)
                ok = head.startswith(b"HTTP/1.1 200")
                if i >= skipped:
                    latencies.append((loop.time() - due) * 1000 if ok else float("inf"))
            except TimeoutError:
                latencies.append(float("inf"))
                break
        writer.close()

    async def run() -> float:
        start = asyncio.get_running_loop().time() + 0.5
        await asyncio.gather(*(connection(n, start) for n in range(connections)))
        return asyncio.get_running_loop().time() - start - warm_up

    elapsed = asyncio.run(run())
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
        began = time.perf_counter()
        loaded = load(url, subjects, purposes)
        print(f"loaded {loaded:,} events in {time.perf_counter() - began:.1f} s", file=sys.stderr)
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
            began = time.perf_counter()
            for u in urls:
                with httpx.Client(base_url=u, headers=headers, timeout=900) as http:
                    wait_for("the API listens", lambda h=http: listening(h), group, 900)
                    first = {"identity": {"email": email(0)}, "purpose": purposes[0]}
                    http.post("/api/v1/decisions", json=first).raise_for_status()  # compiled
            ready = time.perf_counter() - began
            print(f"both processes compiled and ready in {ready:.1f} s", file=sys.stderr)
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
